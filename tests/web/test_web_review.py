"""HTTP-level tests of the review actions of ``bot web`` against a real SQLite store and the
real services: each action changes the store and the event log under the reviewer's name, and
a lost race or a changed text is a page with a message, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from bot.domain import Decision, DraftState, PublicationState, RejectionCategory
from bot.domain.requests import RequestState
from bot.wiring import Wiring
from tests.web.conftest import csrf_of, make_draft, post

Web = Callable[..., TestClient]


def test_healthz_needs_no_session(web: Web) -> None:
    response = web().get("/healthz")
    assert response.status_code == 200
    assert response.text == "ok\n"


def test_the_queue_lists_open_drafts_and_marks_flagged_ones(web: Web, world: Wiring) -> None:
    first, second = make_draft(world), make_draft(world, 1)
    world.store.reject_draft(
        second, expected=[DraftState.PENDING_REVIEW], reviewer="x", reason="r", now=world.clock.now()
    )
    page = web("alice").get("/")
    assert page.status_code == 200
    assert f'id="draft-{first}"' in page.text
    assert f'id="draft-{second}"' not in page.text
    rejected = web("alice").get("/?state=rejected&campaign=promo")
    assert f'id="draft-{second}"' in rejected.text and f'id="draft-{first}"' not in rejected.text


def test_the_draft_page_shows_text_previews_checks_audit_and_history(web: Web, world: Wiring) -> None:
    draft_id = make_draft(world)
    draft = world.store.get_draft(draft_id)
    page = web("alice").get(f"/drafts/{draft_id}")
    assert page.status_code == 200
    assert draft.sha256 in page.text
    assert "outbox" in page.text and "chars" in page.text  # the preview with its counted length
    assert "Moderation audit" in page.text and "wordlist" in page.text
    assert "CST" in page.text  # the slot in the campaign's zone (Asia/Shanghai), beside UTC
    assert "checks passed</summary>" in page.text  # passed checks folded
    assert 'id="history"' in page.text


def test_approve_queues_the_text_shown_and_records_the_reviewer(web: Web, world: Wiring) -> None:
    draft_id = make_draft(world)
    client = web("alice")
    sha = world.store.get_draft(draft_id).sha256
    response = post(client, f"/drafts/{draft_id}/approve", {"sha256": sha}, page=f"/drafts/{draft_id}")
    assert response.status_code == 303
    assert world.store.get_draft(draft_id).state is DraftState.APPROVED
    assert [p.state for p in world.store.list_publications(draft_id=draft_id)] == [PublicationState.QUEUED]
    [record] = world.store.approvals(draft_id)
    assert (record.decision, record.reviewer, record.text_sha256) == (Decision.APPROVED, "alice", sha)
    assert world.store.events(entity="draft", entity_id=draft_id)[-1].actor == "alice"
    shown = client.get(response.headers["location"]).text
    assert "approved; queued for outbox; it goes out at its slot&#39;s time, 2026-09-02 02:00 UTC" in shown


def test_approving_a_text_that_changed_since_the_page_was_shown_is_refused(web: Web, world: Wiring) -> None:
    draft_id = make_draft(world)
    client = web("alice")
    old_sha = world.store.get_draft(draft_id).sha256
    page = client.get(f"/drafts/{draft_id}").text
    world.review.edit(
        draft_id,
        "bob",
        "Lotus Leaf Tea House: a new text for the mooncake gift box. https://lotusleaf.example/shop",
    )
    response = client.post(
        f"/drafts/{draft_id}/approve", data={"sha256": old_sha, "csrf": csrf_of(page)}, follow_redirects=False
    )
    assert response.status_code == 409
    assert "changed since you opened the page" in response.text
    assert "a new text for the mooncake" in response.text  # the page shows the text as it is now
    assert world.store.get_draft(draft_id).state is DraftState.PENDING_REVIEW
    assert world.store.list_publications(draft_id=draft_id) == []


def test_edit_rescores_and_voids_the_approval(web: Web, world: Wiring) -> None:
    draft_id = make_draft(world)
    world.review.approve(draft_id, "bob")
    text = "Lotus Leaf Tea House: mooncake gift box, fresh this week. https://lotusleaf.example/shop"
    assert _edit(web("alice"), world, draft_id, text).status_code == 303
    draft = world.store.get_draft(draft_id)
    assert draft.text == text and draft.state is DraftState.PENDING_REVIEW
    assert [p.state for p in world.store.list_publications(draft_id=draft_id)] == [PublicationState.CANCELLED]
    assert len(world.store.moderation_records(draft_id)) == 2  # re-scored
    assert world.store.approvals(draft_id)[-1].decision is Decision.INVALIDATED
    assert any(e.actor == "alice" for e in world.store.events(entity="draft", entity_id=draft_id))


def test_an_edit_keeps_the_link_as_the_cli_does(web: Web, world: Wiring) -> None:
    """The page edits the body by the service's rule: the campaign's link the text lacks is
    added back (as `bot queue edit --text` does), not dropped from the post."""
    draft_id = make_draft(world)
    text = "Lotus Leaf Tea House: mooncake gift box, fresh this week."
    assert _edit(web("alice"), world, draft_id, text).status_code == 303
    assert world.store.get_draft(draft_id).text == f"{text}\n\nhttps://lotusleaf.example/shop"


@pytest.mark.parametrize("world", [("#TeaTime", "#Mooncake")], indirect=True)
def test_a_hashtag_deleted_from_the_post_stays_out_as_on_the_cli(web: Web, world: Wiring) -> None:
    """The edit box holds the whole post: a reviewer who deletes one of the campaign's hashtags
    and keeps the others gets the post as edited (the CLI's rule); a new body without any of
    them gets them all back, with the link."""
    draft_id = make_draft(world)
    assert world.store.get_draft(draft_id).text.endswith("https://lotusleaf.example/shop #TeaTime #Mooncake")
    body = "Lotus Leaf Tea House: mooncake gift box, fresh this week."
    kept = f"{body}\n\nhttps://lotusleaf.example/shop #Mooncake"
    assert _edit(web("alice"), world, draft_id, kept).status_code == 303
    assert world.store.get_draft(draft_id).text == kept
    assert _edit(web("alice"), world, draft_id, body).status_code == 303
    assert (
        world.store.get_draft(draft_id).text == f"{body}\n\nhttps://lotusleaf.example/shop #TeaTime #Mooncake"
    )


@pytest.mark.parametrize("world", [("#TeaTime",)], indirect=True)
def test_an_edit_with_the_bare_box_ticked_is_posted_as_written(web: Web, world: Wiring) -> None:
    """ "Post exactly this text" (the CLI's --bare): nothing is added back to the edited text."""
    draft_id = make_draft(world)
    page = web("alice").get(f"/drafts/{draft_id}")
    assert 'name="bare" value="1"' in page.text
    body = "Lotus Leaf Tea House: mooncake gift box, fresh this week."
    assert _edit(web("alice"), world, draft_id, body, bare=True).status_code == 303
    assert world.store.get_draft(draft_id).text == body


def _edit(client: TestClient, world: Wiring, draft_id: int, text: str, *, bare: bool = False) -> Any:
    """The page's edit form, sent with the text as it stands (``bare``: the box ticked)."""
    sha = world.store.get_draft(draft_id).sha256
    form = {"sha256": sha, "text": text, **({"bare": "1"} if bare else {})}
    return post(client, f"/drafts/{draft_id}/edit", form, page=f"/drafts/{draft_id}")


def test_reject_needs_a_reason_and_keeps_the_category(web: Web, world: Wiring) -> None:
    draft_id = make_draft(world)
    client = web("alice")
    empty = post(client, f"/drafts/{draft_id}/reject", {"reason": "  "}, page=f"/drafts/{draft_id}")
    assert empty.status_code == 400 and "needs a reason" in empty.text
    assert world.store.get_draft(draft_id).state is DraftState.PENDING_REVIEW
    response = post(
        client,
        f"/drafts/{draft_id}/reject",
        {"reason": "wrong offer", "because": "wrong-facts"},
        page=f"/drafts/{draft_id}",
    )
    assert response.status_code == 303
    assert world.store.get_draft(draft_id).state is DraftState.REJECTED
    event = world.store.events(entity="draft", entity_id=draft_id)[-1]
    assert (event.actor, event.reason, event.details.get("category")) == (
        "alice",
        "wrong offer",
        RejectionCategory.WRONG_FACTS.value,
    )


def test_regenerate_asks_the_daemon_and_the_page_shows_it_pending(web: Web, world: Wiring) -> None:
    draft_id = make_draft(world)
    client = web("alice")
    response = post(client, f"/drafts/{draft_id}/regenerate", page=f"/drafts/{draft_id}")
    assert response.status_code == 303
    [request] = world.store.draft_requests(draft_id=draft_id)
    assert (request.state, request.requested_by) == (RequestState.PENDING, "alice")
    page = client.get(f"/drafts/{draft_id}")
    assert 'id="request-pending"' in page.text and "waiting for the daemon" in page.text
    again = client.post(
        f"/drafts/{draft_id}/regenerate", data={"csrf": csrf_of(page.text)}, follow_redirects=False
    )
    assert again.status_code == 409 and "already asked for by alice" in again.text
    assert world.store.get_draft(draft_id).state is DraftState.PENDING_REVIEW  # the web never drafts


def test_approving_for_a_paused_account_shows_a_warning_naming_it(web: Web, world: Wiring) -> None:
    draft_id = make_draft(world)
    world.store.pause_account("outbox", "credentials missing", world.clock.now(), "daemon")
    client = web("alice")
    sha = world.store.get_draft(draft_id).sha256
    response = post(client, f"/drafts/{draft_id}/approve", {"sha256": sha}, page=f"/drafts/{draft_id}")
    assert response.status_code == 303
    shown = client.get(response.headers["location"]).text
    assert "approved; queued for outbox" in shown
    assert '<p class="message warning" role="status">Warning: account outbox is paused' in shown
    assert "`bot accounts resume outbox`" in shown and "resume it on the Accounts page" in shown
    assert "not resumed by 2026-09-04 02:00 UTC (when the draft expires)" in shown
