"""Three daemons on one Postgres: every slot drafted once, every publication published once.

The daemons read the test's clock (``BOT_CLOCK_FILE``): the future slots become due when the
test moves it, while the daemons run, instead of after a wall-clock wait."""

from __future__ import annotations

import dataclasses
import json
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.adapters.store.sql import SqlStore
from bot.domain import DraftState, SlotState
from tests.fixtures.clock import ClockFile
from tests.scheduling_helpers import campaign, fixed_app, start_daemon, stop, wait_until, write_config

N_DRAFTS = 300
N_PAST = 6
N_FUTURE = 6


def _config(tmp_path: Path, pg_url: str, now: datetime) -> Path:
    past = (now - timedelta(minutes=10)).strftime("%Y-%m-%d %H:%M:%S")
    future = (now + timedelta(seconds=15)).strftime("%Y-%m-%d %H:%M:%S")
    campaigns = [campaign("bulk", '{ at = "2099-01-01 09:00" }')]
    campaigns += [campaign(f"past{i}", f'{{ at = "{past}" }}') for i in range(N_PAST)]
    campaigns += [campaign(f"soon{i}", f'{{ at = "{future}" }}') for i in range(N_FUTURE)]
    return write_config(tmp_path, *campaigns, grace="1h", poll="1s", database_url=pg_url)


def _approved_drafts(config: Path, created: datetime) -> None:
    """300 approved drafts of the ``bulk`` campaign, queued for publishing now (not drafts of
    its slot: a slot posts once per account, so only one of them could be approved)."""
    app, clock = fixed_app(config, created)
    app.sync.sync("test")  # the campaigns exist before their slots
    bulk = app.settings.campaign("bulk")
    record = app.store.get_campaign("bulk")
    slot = app.store.create_slot(record.id, created, clock.now(), "test")
    assert slot is not None
    best = app.drafting.candidates(bulk, created)[0]
    for i in range(N_DRAFTS):
        candidate = dataclasses.replace(best.candidate, text=f"{best.candidate.text} [{i}]")
        draft_id = app.store.add_draft(
            campaign_id=record.id,
            slot_id=None,
            candidate=candidate,
            verdict=best.verdict,
            state=DraftState.PENDING_REVIEW,
            expires_at=None,
            now=clock.now(),
            actor="test",
        )
        app.review.approve(draft_id, "tester")
    app.store.finish_slot(slot.id, SlotState.DRAFTED, clock.now(), "test")
    app.close()


@pytest.mark.postgres
def test_three_daemons_share_one_postgres(tmp_path: Path, pg_url: str, clock_file: ClockFile) -> None:
    now = clock_file.now
    config = _config(tmp_path, pg_url, now)
    _approved_drafts(config, now - timedelta(hours=1))
    store = SqlStore.open(pg_url)
    try:
        _run_and_check(tmp_path, config, store, clock_file)
    finally:
        store.close()


def _run_and_check(tmp_path: Path, config: Path, store: SqlStore, clock: ClockFile) -> None:
    now = clock.now
    outbox = tmp_path / "data" / "outbox.jsonl"
    procs = [start_daemon(config, tmp_path / f"daemon{i}.log") for i in range(3)]
    try:

        def made(count: int) -> bool:
            slots = store.list_slots(since=now - timedelta(minutes=30))
            return len([s for s in slots if s.state is not SlotState.PENDING]) == count

        def done() -> bool:
            return (
                made(N_PAST + N_FUTURE) and store.queue_sizes()["publications"].get("published") == N_DRAFTS
            )

        started = time.monotonic()
        # The missed slots first; then the clock moves past the future ones, while the daemons run.
        wait_until(lambda: made(N_PAST), timeout=90, step=0.5)
        clock.advance(seconds=16)
        finished = wait_until(done, timeout=90, step=0.5)
        logs = "\n".join(p.read_text() for p in sorted(tmp_path.glob("daemon*.log")))
        assert finished, logs[-5000:]
        elapsed = time.monotonic() - started
        assert all(p.poll() is None for p in procs), logs[-5000:]
    finally:
        codes = [stop(p) for p in procs]
    assert codes == [0, 0, 0]

    # Every slot has exactly one set of drafts.
    slots = [s for s in store.list_slots() if s.campaign_name != "bulk"]
    per_campaign = Counter(s.campaign_name for s in slots)
    assert len(slots) == N_PAST + N_FUTURE and set(per_campaign.values()) == {1}
    assert all(s.state is SlotState.DRAFTED for s in slots)
    drafts_per_slot = Counter(d.slot_id for d in store.list_drafts() if d.campaign_name != "bulk")
    assert sorted(drafts_per_slot) == sorted(s.id for s in slots)
    assert set(drafts_per_slot.values()) == {2}
    slot_makers = Counter(_maker(s.id, store) for s in slots)

    # Every draft published exactly once: one outbox line per idempotency key.
    lines = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]
    keys = Counter(line["idempotency_key"] for line in lines)
    assert len(keys) == N_DRAFTS and set(keys.values()) == {1}
    pubs = store.list_publications()
    assert len(pubs) == N_DRAFTS and {p.state.value for p in pubs} == {"published"}
    published_events = [
        e for e in store.events(entity="publication", limit=100_000) if e.to_state == "published"
    ]
    assert len(published_events) == N_DRAFTS
    by_worker = Counter(e.actor for e in published_events)
    no_claims_left = store.queue_sizes()["publications"].get("claimed", 0) == 0
    assert no_claims_left
    print(
        f"\nthree daemons on one Postgres, done in {elapsed:.1f}s: {len(slots)} slots for "
        f"{len(per_campaign)} campaigns (max slots per campaign {max(per_campaign.values())}), "
        f"drafts per slot {sorted(set(drafts_per_slot.values()))}, slots made per daemon "
        f"{sorted(slot_makers.values())}; {len(pubs)} publications, {len(lines)} outbox lines for "
        f"{len(keys)} idempotency keys (max per key {max(keys.values())}), published per daemon "
        f"{sorted(by_worker.values())}"
    )


def _maker(slot_id: int, store: SqlStore) -> str:
    events = store.events(entity="slot", entity_id=slot_id)
    return events[0].actor if events else "?"
