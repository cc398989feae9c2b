"""The page says what `bot queue`, `queue show` and `queue review` say: a slot's drafts are
alternatives of one post (a slot posts once per account). The queue names each draft's
alternatives; a draft's page says so in a sentence with links to them, and once one is
approved, that approving another is refused and how to switch on this page; the refusal says
why (it was told as a lost race on the draft)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import timedelta

from starlette.testclient import TestClient

from bot.domain import DraftState, PublicationState
from bot.wiring import Wiring
from tests.web.conftest import NOW, post

Web = Callable[..., TestClient]


def _slot(world: Wiring, day: int, keep: int) -> list[int]:
    """The first ``keep`` drafts the real drafting service writes for a new slot of ``promo``
    (any more are rejected: they are no alternatives then)."""
    record = world.store.get_campaign("promo")
    slot = world.store.create_slot(record.id, NOW + timedelta(days=day), NOW, "test")
    assert slot is not None
    ids = world.drafting.draft_slot(slot)
    assert len(ids) >= keep, ids
    for extra in ids[keep:]:
        world.review.reject(extra, "bob", "one too many")
    return ids[:keep]


def _row(page: str, draft_id: int) -> str:
    found = re.search(rf'<li class="draft-row[^"]*" id="draft-{draft_id}">(.*?)</li>', page, re.S)
    assert found, f"no row of draft {draft_id}"
    return found.group(1)


def _note(page: str) -> str:
    """The draft page's sentence about the slot's alternatives, as a person reads it."""
    found = re.search(r'<p class="banner alternatives" id="slot-note">(.*?)</p>', page, re.S)
    assert found, "no slot note on the page"
    return html.unescape(found.group(1))


def test_the_queue_and_the_draft_page_say_a_slots_drafts_are_alternatives(web: Web, world: Wiring) -> None:
    [alone] = _slot(world, 1, keep=1)
    first, second = _slot(world, 5, keep=2)
    client = web("alice")

    queue = client.get("/").text
    assert f'<span class="alternatives">alternatives: {second}</span>' in _row(queue, first)
    assert f'<span class="alternatives">alternatives: {first}</span>' in _row(queue, second)
    assert "alternatives" not in _row(queue, alone)
    assert 'id="alternatives-note"' in queue
    assert "share a slot, which posts once per account: approve one of them" in queue

    page = client.get(f"/drafts/{first}").text
    assert _note(page) == (
        f"Alternatives of this slot: draft {second}; the slot posts once per account: approve one, "
        "and the others are not sent."
    )
    assert f'<li id="alternative-{second}"><a href="/drafts/{second}">#{second}</a>' in page
    assert f'id="alternative-{first}"' not in page  # not itself

    approved = post(client, f"/drafts/{first}/approve", {"sha256": world.store.get_draft(first).sha256})
    assert approved.status_code == 303
    assert world.store.get_draft(first).state is DraftState.APPROVED

    assert _note(client.get(f"/drafts/{first}").text) == (
        f"Alternatives of this slot: draft {second}; this approved draft is the one it posts, not them."
    )
    page = client.get(f"/drafts/{second}").text
    assert _note(page) == (
        f"Alternatives of this slot: draft {first} (approved); the slot posts once per account and "
        f"draft {first} is approved, so approving this one is refused while that is queued or out (to "
        f'switch: "Withdraw the approval and reject" on the page of draft {first} first).'
    )
    assert "alternatives: " + f"{first} (approved)" in _row(client.get("/").text, second)
    assert "alternatives" not in _row(client.get("/?state=all").text, alone)
    assert 'id="slot-note"' not in client.get(f"/drafts/{alone}").text

    # the switch the note names, on the page it names
    refused = post(client, f"/drafts/{second}/approve", {"sha256": world.store.get_draft(second).sha256})
    assert world.store.get_draft(second).state is DraftState.PENDING_REVIEW, refused.text
    assert refused.status_code == 409
    error = html.unescape(re.search(r'<p class="message error"[^>]*>(.*?)</p>', refused.text, re.S).group(1))
    assert error.startswith(f"draft {second} is not approved: another draft of the same slot already posts")
    assert f"of draft {first}, queued" in error and "while you had it open" not in error
    assert _note(refused.text).startswith(f"Alternatives of this slot: draft {first} (approved)")
    withdrawn = post(
        client,
        f"/drafts/{first}/reject",
        {"reason": "the other one", "withdraw": "1"},
        page=f"/drafts/{first}",
    )
    assert withdrawn.status_code == 303
    assert world.store.get_draft(first).state is DraftState.REJECTED
    assert 'id="slot-note"' not in client.get(f"/drafts/{second}").text  # a rejected draft is no rival
    assert "alternatives" not in _row(client.get("/").text, second)
    post(client, f"/drafts/{second}/approve", {"sha256": world.store.get_draft(second).sha256})
    assert [p.state for p in world.store.list_publications(draft_id=second)] == [PublicationState.QUEUED]
