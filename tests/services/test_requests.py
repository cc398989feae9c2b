"""Requests a person makes of the daemon (regenerate from the web page): recorded with their
event, one open per draft, claimed and served by the daemon's pass, on SQLite and Postgres."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.adapters.store import engine as engines
from bot.config import load_settings
from bot.daemon.runner import serve_requests
from bot.domain import CampaignSpec, DraftState
from bot.domain.errors import StateConflict
from bot.domain.ports import FixedClock
from bot.domain.requests import RequestKind, RequestState
from bot.wiring import Wiring

NOW = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def app(write_config: Any, db_url: str) -> Iterator[Wiring]:
    settings = load_settings(write_config(database_url=db_url))
    engines.upgrade(settings.database_url)
    wiring = Wiring(settings, clock=FixedClock(NOW))
    specs = [CampaignSpec(c.name, c.kind, c.model_dump(mode="json")) for c in settings.campaigns]
    wiring.store.sync_campaigns(specs, NOW, "test")
    yield wiring
    wiring.close()


def _draft(app: Wiring, day: int = 0) -> int:
    record = app.store.get_campaign("promo")
    slot = app.store.create_slot(record.id, NOW + timedelta(days=day), NOW, "test")
    assert slot is not None
    return app.drafting.draft_slot(slot)[0]


def test_a_regeneration_request_is_served_by_the_daemon_pass(app: Wiring) -> None:
    draft_id = _draft(app)
    request = app.requests.regenerate(draft_id, "alice")
    assert (request.kind, request.state, request.requested_by) == (
        RequestKind.REGENERATE,
        RequestState.PENDING,
        "alice",
    )
    with pytest.raises(StateConflict, match="already asked for by alice"):
        app.requests.regenerate(draft_id, "bob")
    assert app.store.get_draft(draft_id).state is DraftState.PENDING_REVIEW  # nothing yet

    served = serve_requests(app)

    assert [r.state for r in served] == [RequestState.DONE]
    new_ids = served[0].result["drafts"]
    assert new_ids and draft_id not in new_ids
    old = app.store.get_draft(draft_id)
    assert old.state is DraftState.REJECTED
    events = app.store.events(entity="draft", entity_id=draft_id)
    assert any(e.actor == "alice" and e.reason == "regenerate requested" for e in events)
    assert any(e.actor == "alice" and e.to_state == "rejected" and e.reason == "regenerated" for e in events)
    assert serve_requests(app) == []  # nothing left
    assert app.store.draft_requests(draft_id=draft_id)[0].state is RequestState.DONE


def test_only_an_open_draft_can_be_regenerated(app: Wiring) -> None:
    draft_id = _draft(app)
    app.review.approve(draft_id, "alice")
    with pytest.raises(StateConflict, match="only a draft waiting for review can be regenerated"):
        app.requests.regenerate(draft_id, "bob")
    assert app.store.draft_requests(draft_id=draft_id) == []


def test_a_request_overtaken_by_an_approval_fails_with_the_reason(app: Wiring) -> None:
    draft_id = _draft(app)
    app.requests.regenerate(draft_id, "alice")
    app.review.approve(draft_id, "bob")

    served = serve_requests(app)

    assert served[0].state is RequestState.FAILED
    assert "approved" in (served[0].error or "")
    assert app.store.get_draft(draft_id).state is DraftState.APPROVED


def test_two_daemons_claim_a_request_once(app: Wiring) -> None:
    draft_id = _draft(app)
    app.requests.regenerate(draft_id, "alice")
    until = NOW + timedelta(minutes=5)
    first = app.store.claim_draft_request("w1", now=NOW, until=until)
    assert first is not None and first.claimed_by == "w1"
    assert app.store.claim_draft_request("w2", now=NOW, until=until) is None
    later = app.store.claim_draft_request(
        "w2", now=until + timedelta(seconds=1), until=until + timedelta(minutes=5)
    )
    assert later is not None and later.claimed_by == "w2"  # the first daemon's lease ran out
    with pytest.raises(StateConflict):
        app.store.finish_draft_request(first.id, "w1", ok=True, now=NOW)
