"""Catch-up, skipping and expiry on a controllable clock, on SQLite and Postgres."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.daemon.runner import run_pass
from bot.domain import DraftState, SlotState
from tests.scheduling_helpers import campaign, fixed_app, write_config

T0 = datetime(2026, 3, 2, 0, 30, tzinfo=UTC)


def _states(app) -> dict[datetime, str]:  # type: ignore[no-untyped-def]
    return {s.slot_at: s.state.value for s in app.store.list_slots()}


def test_catch_up_within_grace_and_skip_older(
    tmp_path: Path, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = write_config(
        tmp_path, campaign("hourly", '{ cron = "0 * * * *" }'), grace="3h", database_url=db_url
    )
    app, clock = fixed_app(path, T0)
    app.sync.sync("test")
    clock.advance(hours=9, minutes=30)  # 10:00: the daemon was down since 00:30
    with caplog.at_level(logging.WARNING, logger="bot.services.catchup"):
        report = run_pass(app)
    states = _states(app)
    due = [T0.replace(hour=h, minute=0) for h in (7, 8, 9, 10)]
    skipped = [T0.replace(hour=h, minute=0) for h in range(1, 7)]
    assert sorted(states) == skipped + due
    assert all(states[t] == "drafted" for t in due)
    assert all(states[t] == "skipped" for t in skipped)
    assert len(report.slots) == 4 and len(report.drafts) == 8
    assert "6 slot(s) missed" in caplog.text and "catch_up_grace" in caplog.text
    events = [e for e in app.store.events(entity="slot", limit=1000) if e.to_state == "skipped"]
    assert len(events) == 6 and "older than catch_up_grace" in events[0].reason
    # Nothing fires twice: the same instant again, and a little later, make no new slots.
    assert run_pass(app).slots == []
    clock.advance(minutes=59)
    assert run_pass(app).slots == []
    clock.advance(minutes=1)
    assert len(run_pass(app).slots) == 1
    app.close()


def test_missed_slots_before_creation_are_not_reported(tmp_path: Path, sqlite_url: str) -> None:
    path = write_config(
        tmp_path, campaign("daily", '{ cron = "0 9 * * *" }'), grace="1h", database_url=sqlite_url
    )
    app, clock = fixed_app(path, T0)
    app.sync.sync("test")
    clock.advance(hours=2)
    assert run_pass(app).slots == []
    assert app.store.list_slots() == []
    app.close()


def test_skipped_slots_are_capped_and_counted(
    tmp_path: Path, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = write_config(
        tmp_path, campaign("often", '{ cron = "*/5 * * * *" }'), grace="10m", database_url=sqlite_url
    )
    app, clock = fixed_app(path, T0)
    app.sync.sync("test")
    clock.advance(days=3)
    with caplog.at_level(logging.WARNING, logger="bot.services.catchup"):
        run_pass(app)
    skipped = [s for s in app.store.list_slots() if s.state is SlotState.SKIPPED]
    assert len(skipped) == 20
    assert "older ones, not recorded" in caplog.text
    # The unrecorded ones are not reported again on the next pass.
    caplog.clear()
    clock.advance(minutes=1)
    with caplog.at_level(logging.WARNING, logger="bot.services.catchup"):
        run_pass(app)
    assert "missed" not in caplog.text
    app.close()


def test_pending_drafts_expire_after_slot_plus_expiry(tmp_path: Path, db_url: str) -> None:
    path = write_config(
        tmp_path,
        campaign("hourly", '{ cron = "0 * * * *" }'),
        campaign("quick", '{ cron = "30 * * * *" }', expiry='"20m"'),
        grace="10m",
        expiry="2h",
        database_url=db_url,
    )
    app, clock = fixed_app(path, T0 - timedelta(minutes=1))
    app.sync.sync("test")
    clock.advance(minutes=1)  # 00:30: quick fires
    first = run_pass(app)
    assert len(first.drafts) == 2 and first.expired == []
    clock.advance(minutes=19)  # 00:49: not yet (slot 00:30 + 20m = 00:50)
    assert run_pass(app).expired == []
    clock.advance(minutes=1)
    assert sorted(run_pass(app).expired) == sorted(first.drafts)
    clock.advance(minutes=10)  # 01:00: hourly fires; expires at 03:00
    hourly = run_pass(app).drafts
    approved = hourly[0]
    app.review.approve(approved, reviewer="ann")
    clock.advance(hours=2)
    expired = run_pass(app).expired
    assert hourly[1] in expired and approved not in expired
    states = {d.id: d.state for d in app.store.list_drafts()}
    assert states[hourly[1]] is DraftState.EXPIRED
    assert states[approved] is DraftState.APPROVED
    assert all(states[i] is DraftState.EXPIRED for i in first.drafts)
    app.close()


def test_stale_pending_slot_is_taken_over(tmp_path: Path, sqlite_url: str) -> None:
    path = write_config(
        tmp_path, campaign("hourly", '{ cron = "0 * * * *" }'), grace="20m", database_url=sqlite_url
    )
    app, clock = fixed_app(path, T0)
    app.sync.sync("test")
    record = app.store.get_campaign("hourly")
    slot_at = T0.replace(hour=1, minute=0)
    clock.advance(minutes=30)  # 01:00
    # A worker made the slot, then died before drafting it.
    assert app.store.create_slot(record.id, slot_at, clock.now(), "dead-worker") is not None
    assert run_pass(app).slots == []
    clock.advance(minutes=16)
    report = run_pass(app)
    assert len(report.drafts) == 2
    slot = app.store.list_slots()[0]
    assert slot.state is SlotState.DRAFTED
    assert any("taken over from dead-worker" in e.reason for e in app.store.events(entity="slot"))
    app.close()


def test_stale_pending_slot_older_than_grace_is_skipped(tmp_path: Path, sqlite_url: str) -> None:
    path = write_config(
        tmp_path, campaign("hourly", '{ cron = "0 * * * *" }'), grace="1h", database_url=sqlite_url
    )
    app, clock = fixed_app(path, T0)
    app.sync.sync("test")
    record = app.store.get_campaign("hourly")
    clock.advance(minutes=30)
    slot = app.store.create_slot(record.id, T0.replace(hour=1, minute=0), clock.now(), "dead-worker")
    assert slot is not None
    clock.advance(hours=3)
    run_pass(app)
    assert app.store.get_slot(slot.id).state is SlotState.SKIPPED
    app.close()


def test_campaign_never_fires_for_instants_before_it_existed(tmp_path: Path, sqlite_url: str) -> None:
    path = write_config(
        tmp_path, campaign("launch", '{ at = "2026-03-02 00:29" }'), grace="1h", database_url=sqlite_url
    )
    app, clock = fixed_app(path, T0)  # synced at 00:30, a minute after its one-off time
    app.sync.sync("test")
    assert run_pass(app).slots == []
    clock.advance(hours=2)
    assert run_pass(app).slots == [] and app.store.list_slots() == []
    app.close()
