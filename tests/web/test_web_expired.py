"""The review page and a draft past its expiry: the page says so and offers no approve, edit or
regenerate; a form opened before the expiry and sent after it is refused with the CLI's message
(409, no traceback), and the draft is ``expired``. Real services over a real SQLite store, with
the world's clock moved by the test."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from bot.domain import DraftState
from bot.domain.ports import FixedClock
from bot.wiring import Wiring
from tests.web.conftest import NOW, csrf_of, post

Web = Callable[..., TestClient]
#: [bot] draft_expiry's default.
EXPIRY = timedelta(hours=48)


def _draft(world: Wiring) -> int:
    """A draft of a slot 47 hours back: it expires in an hour (2026-09-01 03:00 UTC)."""
    record = world.store.get_campaign("promo")
    slot = world.store.create_slot(record.id, NOW - EXPIRY + timedelta(hours=1), NOW, "test")
    assert slot is not None
    return world.drafting.draft_slot(slot)[0]


def _past_expiry(world: Wiring, draft_id: int) -> None:
    """Move the world's clock to the draft's expiry (too late already)."""
    clock, draft = world.clock, world.store.get_draft(draft_id)
    assert isinstance(clock, FixedClock) and draft.expires_at is not None
    clock.advance(seconds=(draft.expires_at - clock.now()).total_seconds())


def test_the_page_of_a_draft_past_its_expiry_offers_only_rejecting(web: Web, world: Wiring) -> None:
    draft_id = _draft(world)
    _past_expiry(world, draft_id)
    page = web("alice").get(f"/drafts/{draft_id}").text
    assert 'id="past-expiry"' in page and "it can no longer be approved, edited or regenerated" in page
    assert "bot campaigns fire promo" in page
    for form in ("approve-form", "override-form", "edit-form", "regenerate-form"):
        assert f'id="{form}"' not in page
    assert 'id="reject-form"' in page
    assert world.store.get_draft(draft_id).state is DraftState.PENDING_REVIEW  # a page changes nothing


@pytest.mark.parametrize("action", ["approve", "edit", "regenerate", "override"])
def test_a_form_sent_after_the_expiry_is_refused_with_the_reason(
    web: Web, world: Wiring, action: str
) -> None:
    draft_id = _draft(world)
    client = web("root")  # an admin: the override form is refused for the expiry, not the role
    page = client.get(f"/drafts/{draft_id}").text  # opened in time
    draft = world.store.get_draft(draft_id)
    _past_expiry(world, draft_id)
    data = {"csrf": csrf_of(page), "sha256": draft.sha256, "text": "A new text", "reason": "I know"}
    response = client.post(f"/drafts/{draft_id}/{action}", data=data, follow_redirects=False)
    assert response.status_code == 409, response.text
    done = {"approve": "approved", "override": "approved", "edit": "edited", "regenerate": "regenerated"}
    assert f"Draft {draft_id} expired at 2026-09-01 03:00 UTC" in response.text
    assert f"cannot be {done[action]}" in response.text and "bot campaigns fire promo" in response.text
    assert "Traceback" not in response.text
    assert world.store.get_draft(draft_id).state is DraftState.EXPIRED
    assert world.store.list_publications(draft_id=draft_id) == []
    assert world.store.draft_requests(draft_id=draft_id, limit=10) == []


def test_a_draft_a_minute_before_its_expiry_is_still_approved(web: Web, world: Wiring) -> None:
    draft_id = _draft(world)
    _past_expiry(world, draft_id)
    clock = world.clock
    assert isinstance(clock, FixedClock)
    clock.advance(minutes=-1)
    client = web("alice")
    sha = world.store.get_draft(draft_id).sha256
    response = post(client, f"/drafts/{draft_id}/approve", {"sha256": sha}, page=f"/drafts/{draft_id}")
    assert response.status_code == 303
    assert world.store.get_draft(draft_id).state is DraftState.APPROVED
