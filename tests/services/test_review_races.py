"""Approve and edit racing on one draft, from two processes' worth of parts (two Wirings, two
engines), on SQLite and Postgres: whoever wins, no approval stays live for a text that has been
replaced, and publications are queued only for an approved text."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.adapters.store import engine as engines
from bot.config import load_settings
from bot.domain import CampaignSpec, Decision, DraftState, PublicationState
from bot.domain.errors import StateConflict
from bot.domain.ports import FixedClock
from bot.wiring import Wiring

NOW = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)
ROUNDS = 6


def _apps(write_config: Any, url: str) -> tuple[Wiring, Wiring]:
    settings = load_settings(write_config(database_url=url))
    engines.upgrade(settings.database_url)
    alice, bob = Wiring(settings, clock=FixedClock(NOW)), Wiring(settings, clock=FixedClock(NOW))
    specs = [CampaignSpec(c.name, c.kind, c.model_dump(mode="json")) for c in settings.campaigns]
    alice.store.sync_campaigns(specs, NOW, "test")
    return alice, bob


def _race(*actions: Callable[[], object]) -> list[str]:
    """Run the actions at once; each outcome is "ok" or "conflict"."""
    barrier = threading.Barrier(len(actions))
    outcomes = ["?"] * len(actions)

    def run(index: int, action: Callable[[], object]) -> None:
        barrier.wait()
        try:
            action()
            outcomes[index] = "ok"
        except StateConflict:
            outcomes[index] = "conflict"

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def _live_approvals(app: Wiring, draft_id: int) -> set[str]:
    """The texts (by sha256) with an approval that no later record invalidated."""
    live: set[str] = set()
    for record in app.store.approvals(draft_id):
        if record.decision in (Decision.APPROVED, Decision.OVERRIDDEN):
            live.add(record.text_sha256)
        elif record.decision in (Decision.INVALIDATED, Decision.REJECTED):
            live.discard(record.text_sha256)
    return live


def test_approve_edit_races_leave_no_live_approval_of_a_replaced_text(write_config: Any, db_url: str) -> None:
    alice, bob = _apps(write_config, db_url)
    record = alice.store.get_campaign("promo")
    seen = set()
    try:
        for round_ in range(ROUNDS):
            slot = alice.store.create_slot(record.id, NOW + timedelta(days=round_), NOW, "test")
            assert slot is not None
            draft_id = alice.drafting.draft_slot(slot)[0]
            new_text = (
                f"Lotus Leaf Tea House: mooncake gift box, batch {round_}. https://lotusleaf.example/shop"
            )
            outcomes = _race(
                lambda d=draft_id: alice.review.approve(d, "alice"),
                lambda d=draft_id, t=new_text: bob.review.edit(d, "bob", t),
            )
            assert "?" not in outcomes, outcomes
            seen.add(tuple(outcomes))
            draft = alice.store.get_draft(draft_id)
            live = _live_approvals(alice, draft_id)
            queued = [
                p
                for p in alice.store.list_publications(draft_id=draft_id)
                if p.state is PublicationState.QUEUED
            ]
            if draft.state is DraftState.APPROVED:
                assert live == {draft.sha256}, (outcomes, live)
                assert queued
            else:
                assert live == set(), (outcomes, draft.state, live)
                assert not queued
            if outcomes[1] == "ok":
                assert draft.text == new_text
    finally:
        alice.close()
        bob.close()
    assert seen, "no round ran"
