"""Nothing lets a draft past its expiry go out: approve, override, edit, a picture edit,
regenerate (the CLI's and the web page's request) and auto-approval refuse it with
:class:`DraftExpired`, by the service's injected clock, and an open draft becomes ``expired``
as the daemon's pass would make it. Real services over real SQLite and Postgres."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.domain import DraftState
from bot.domain.errors import DraftExpired
from bot.domain.ports import FixedClock
from bot.services.drafting.service import regenerate
from bot.wiring import Wiring
from tests.services.test_review_moderation import AUTO, NOW, _app

#: [bot] draft_expiry's default: a draft expires this long after its slot.
EXPIRY = timedelta(hours=48)


@pytest.fixture
def app(write_config: Any, db_url: str) -> Iterator[Wiring]:
    """The promo campaign and one with ``approval = "auto"``, the clock standing at NOW."""
    wiring = _app(write_config, AUTO, url=db_url)
    yield wiring
    wiring.close()


def _draft(app: Wiring, slot_at: datetime, campaign: str = "promo") -> int:
    record = app.store.get_campaign(campaign)
    slot = app.store.create_slot(record.id, slot_at, NOW, "test")
    assert slot is not None
    return app.drafting.draft_slot(slot)[0]


def _expired_draft(app: Wiring) -> int:
    """A pending draft of a slot three days back: it expired a day ago, and the daemon's
    pass has not run."""
    draft_id = _draft(app, NOW - timedelta(days=3))
    draft = app.store.get_draft(draft_id)
    assert draft.state is DraftState.PENDING_REVIEW and draft.expires_at == NOW - timedelta(days=1)
    return draft_id


def _refused_and_expired(app: Wiring, draft_id: int, action: str) -> None:
    assert app.store.get_draft(draft_id).state is DraftState.EXPIRED
    assert app.store.list_publications(draft_id=draft_id) == []
    assert app.store.approvals(draft_id) == []
    last = app.store.events(entity="draft", entity_id=draft_id)[-1]
    assert (last.to_state, last.reason) == ("expired", f"expired: past its expiry, not {action}")


def test_approving_a_draft_past_its_expiry_is_refused(app: Wiring) -> None:
    draft_id = _expired_draft(app)
    with pytest.raises(DraftExpired) as info:
        app.review.approve(draft_id, "ann")
    message = str(info.value)
    assert f"draft {draft_id} expired at 2026-08-31 02:00 UTC" in message
    assert "cannot be approved" in message and "`bot campaigns fire promo`" in message
    _refused_and_expired(app, draft_id, "approved")


def test_an_override_of_a_draft_past_its_expiry_is_refused_too(app: Wiring) -> None:
    draft_id = _expired_draft(app)
    with pytest.raises(DraftExpired):
        app.review.approve(draft_id, "ann", override=True, reason="I know")
    _refused_and_expired(app, draft_id, "approved")


def test_the_injected_clock_decides_not_the_real_one(app: Wiring) -> None:
    """The slot is years before the real clock: only the service's clock counts."""
    draft_id = _draft(app, NOW - EXPIRY + timedelta(minutes=1))
    clock = app.clock
    assert isinstance(clock, FixedClock)
    clock.advance(minutes=1)  # now exactly at the expiry: too late
    with pytest.raises(DraftExpired):
        app.review.approve(draft_id, "ann")
    in_time = _draft(app, NOW + timedelta(days=1))
    assert app.review.approve(in_time, "ann").state is DraftState.APPROVED


def test_a_draft_approved_a_minute_before_its_expiry_goes_out_at_once(app: Wiring) -> None:
    draft_id = _draft(app, NOW - EXPIRY + timedelta(minutes=1))
    assert app.review.approve(draft_id, "ann").state is DraftState.APPROVED
    [pub] = app.store.list_publications(draft_id=draft_id)
    assert pub.not_before == NOW


def test_editing_a_draft_past_its_expiry_is_refused(app: Wiring) -> None:
    draft_id = _expired_draft(app)
    text = app.store.get_draft(draft_id).text
    with pytest.raises(DraftExpired, match="cannot be edited"):
        app.review.edit(draft_id, "ann", "A fresh text for an old slot")
    assert app.store.get_draft(draft_id).text == text
    _refused_and_expired(app, draft_id, "edited")


def test_a_picture_edit_of_a_draft_past_its_expiry_is_refused(app: Wiring) -> None:
    draft_id = _expired_draft(app)
    with pytest.raises(DraftExpired, match="cannot be edited"):
        app.review.edit_media(draft_id, "ann", drop=[1])
    _refused_and_expired(app, draft_id, "edited")


def test_an_approved_draft_past_its_expiry_is_not_edited_and_stays_approved(app: Wiring) -> None:
    draft_id = _draft(app, NOW + timedelta(hours=1))
    app.review.approve(draft_id, "ann")
    clock = app.clock
    assert isinstance(clock, FixedClock)
    clock.advance(hours=1, days=2)
    with pytest.raises(DraftExpired, match="stays approved"):
        app.review.edit(draft_id, "ann", "Changed my mind")
    assert app.store.get_draft(draft_id).state is DraftState.APPROVED
    assert len(app.store.list_publications(draft_id=draft_id)) == 1


def test_regenerating_a_draft_past_its_expiry_is_refused_before_writing(app: Wiring) -> None:
    """Its new drafts would be for the same past slot, expired at birth."""
    draft_id = _expired_draft(app)
    before = len(app.store.list_drafts())
    with pytest.raises(DraftExpired, match="cannot be regenerated"):
        regenerate(app.drafting, draft_id, "ann")
    assert len(app.store.list_drafts()) == before
    _refused_and_expired(app, draft_id, "regenerated")


def test_asking_the_daemon_to_regenerate_a_draft_past_its_expiry_is_refused(app: Wiring) -> None:
    draft_id = _expired_draft(app)
    with pytest.raises(DraftExpired, match="cannot be regenerated"):
        app.requests.regenerate(draft_id, "ann")
    assert app.store.draft_requests(draft_id=draft_id, limit=10) == []
    _refused_and_expired(app, draft_id, "regenerated")


def test_auto_approval_skips_a_slot_drafted_past_its_expiry(app: Wiring) -> None:
    late = _draft(app, NOW - timedelta(days=3), campaign="auto")
    _refused_and_expired(app, late, "approved")
    in_time = _draft(app, NOW - timedelta(hours=1), campaign="auto")
    assert app.store.get_draft(in_time).state is DraftState.APPROVED
