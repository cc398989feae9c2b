"""Fire times across DST gaps and folds (America/New_York, Europe/Berlin), and the crontab engine."""

from __future__ import annotations

import itertools
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from cronsim import CronSim

from bot.config.triggers import CronTrigger, DateTrigger, HolidayTrigger, IntervalTrigger, cron_walls
from bot.daemon.runner import run_pass
from bot.domain.ports import FixedClock
from bot.domain.wallclock import wall_to_instant, walls_to_instants
from bot.schedule import Alarm
from tests.scheduling_helpers import campaign, fixed_app, write_config

NY, BERLIN = "America/New_York", "Europe/Berlin"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(instant: datetime, zone: str) -> str:
    return instant.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %Z")


# -- gaps: the wall time does not exist; the slot fires at the end of the gap -------------------


@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        (NY, (2026, 3, 8), "2026-03-08 03:00 EDT"),
        (BERLIN, (2026, 3, 29), "2026-03-29 03:00 CEST"),
    ],
)
def test_gap_fires_once_at_end_of_gap(zone: str, day: tuple[int, int, int], expected: str) -> None:
    start = datetime(*day, tzinfo=ZoneInfo(zone)) - timedelta(days=1)
    fires = list(CronTrigger(cron="30 2 * * *").fire_times(start, start + timedelta(days=3), zone))
    shown = [local(t, zone) for t in fires]
    assert len(fires) == 3
    assert shown[1] == expected
    assert shown[0].endswith("02:30 " + shown[0][-3:]) and shown[2].endswith("02:30 " + shown[2][-4:].strip())


@pytest.mark.parametrize("zone", [NY, BERLIN])
def test_two_wall_times_on_one_instant_make_one_slot(zone: str) -> None:
    day = (2026, 3, 8) if zone == NY else (2026, 3, 29)
    start = datetime(*day, tzinfo=ZoneInfo(zone))
    fires = list(CronTrigger(cron="*/30 * * * *").fire_times(start, start + timedelta(hours=5), zone))
    assert len(fires) == len(set(fires)) and fires == sorted(fires)
    # 02:00 and 02:30 do not exist: with 03:00 they collapse into one slot at 03:00.
    walls = [local(t, zone)[11:16] for t in fires]
    assert walls[:6] == ["00:00", "00:30", "01:00", "01:30", "03:00", "03:30"]


@pytest.mark.parametrize(
    ("zone", "wall", "expected_utc"),
    [
        (NY, datetime(2026, 3, 8, 2, 30), utc(2026, 3, 8, 7, 0)),
        (BERLIN, datetime(2026, 3, 29, 2, 30), utc(2026, 3, 29, 1, 0)),
        (NY, datetime(2026, 11, 1, 1, 30), utc(2026, 11, 1, 5, 30)),
        (BERLIN, datetime(2026, 10, 25, 2, 30), utc(2026, 10, 25, 0, 30)),
        (NY, datetime(2026, 6, 1, 9, 0), utc(2026, 6, 1, 13, 0)),
    ],
)
def test_wall_to_instant(zone: str, wall: datetime, expected_utc: datetime) -> None:
    assert wall_to_instant(wall, zone) == expected_utc


@pytest.mark.parametrize(
    "zone",
    [NY, BERLIN, "Australia/Lord_Howe", "America/Santiago", "Africa/Casablanca", "Europe/Dublin"],
)
def test_the_per_day_shortcut_agrees_with_the_rule(zone: str) -> None:
    """Days without a transition map by one offset; every wall time still maps as the rule says
    (half-hour DST, transitions at midnight, Ramadan switches, negative DST)."""
    walls = [datetime(2026, 1, 1) + timedelta(minutes=30 * k) for k in range(2 * 24 * 365)]
    assert list(walls_to_instants(walls, zone)) == [wall_to_instant(w, zone) for w in walls]


def test_one_off_date_in_gap_still_fires() -> None:
    trigger = DateTrigger(at=datetime(2026, 3, 29, 2, 30))
    fires = list(trigger.fire_times(utc(2026, 3, 28), utc(2026, 3, 30), BERLIN))
    assert [local(t, BERLIN) for t in fires] == ["2026-03-29 03:00 CEST"]


# -- folds: the wall time happens twice; the slot fires once, at the first -----------------------


@pytest.mark.parametrize(
    ("zone", "cron", "day", "expected"),
    [
        (NY, "30 1 * * *", (2026, 11, 1), "2026-11-01 01:30 EDT"),
        (BERLIN, "30 2 * * *", (2026, 10, 25), "2026-10-25 02:30 CEST"),
    ],
)
def test_fold_fires_once_at_first_occurrence(
    zone: str, cron: str, day: tuple[int, int, int], expected: str
) -> None:
    start = datetime(*day, tzinfo=ZoneInfo(zone)) - timedelta(days=1)
    fires = list(CronTrigger(cron=cron).fire_times(start, start + timedelta(days=3), zone))
    assert len(fires) == 3
    assert local(fires[1], zone) == expected


@pytest.mark.parametrize("zone", [NY, BERLIN])
def test_hourly_across_a_year_never_repeats_or_reorders(zone: str) -> None:
    fires = list(CronTrigger(cron="0 * * * *").fire_times(utc(2026, 1, 1), utc(2027, 1, 1), zone))
    assert fires == sorted(set(fires))
    # 8760 hours in 2026. Spring forward: wall 02:00 does not exist and collapses into 03:00,
    # which is the next real hour anyway. Fall back: the repeated hour fires once. So one
    # fewer slot than hours, and every local (date, hour) at most once.
    assert len(fires) == 8760 - 1
    walls = {(t.astimezone(ZoneInfo(zone)).date(), t.astimezone(ZoneInfo(zone)).hour) for t in fires}
    assert len(walls) == len(fires)


def test_interval_keeps_real_spacing_across_dst() -> None:
    trigger = IntervalTrigger(every=timedelta(hours=6), start=datetime(2026, 3, 7, 0, 0))
    fires = list(trigger.fire_times(utc(2026, 3, 7), utc(2026, 3, 10), NY))
    assert all(b - a == timedelta(hours=6) for a, b in itertools.pairwise(fires))
    assert local(fires[0], NY) == "2026-03-07 00:00 EST"
    assert local(fires[4], NY) == "2026-03-08 00:00 EST"
    assert local(fires[5], NY) == "2026-03-08 07:00 EDT"


def test_holiday_at_local_time_in_zone() -> None:
    trigger = HolidayTrigger(holiday="Mid-Autumn Festival", country="CN", offset="-1d", at="09:00")
    fires = list(trigger.fire_times(utc(2026, 1, 1), utc(2028, 1, 1), "Asia/Shanghai"))
    assert fires == [utc(2026, 9, 24, 1, 0), utc(2027, 9, 14, 1, 0)]
    before = utc(2026, 9, 24, 1, 0) - timedelta(microseconds=1)
    assert trigger.next_after(before, "Asia/Shanghai") == utc(2026, 9, 24, 1, 0)
    assert trigger.next_after(utc(2026, 9, 24, 1, 0), "Asia/Shanghai") == utc(2027, 9, 14, 1, 0)


# -- the daemon walking through DST nights: each slot once, none lost ----------------------------


@pytest.mark.parametrize(
    ("zone", "night"),
    [
        (NY, utc(2026, 3, 8, 4)),
        (NY, utc(2026, 11, 1, 3)),
        (BERLIN, utc(2026, 3, 28, 22)),
        (BERLIN, utc(2026, 10, 24, 22)),
    ],
)
def test_daemon_through_dst_night(tmp_path: Path, sqlite_url: str, zone: str, night: datetime) -> None:
    path = write_config(
        tmp_path,
        campaign("half", '{ cron = "*/30 * * * *" }'),
        campaign("late", '{ cron = "30 2 * * *" }'),
        campaign("early", '{ cron = "30 1 * * *" }'),
        timezone=zone,
        grace="20m",
        database_url=sqlite_url,
    )
    app, clock = fixed_app(path, night)
    app.sync.sync("test")
    for _ in range(8 * 12):  # eight hours, a pass every five minutes
        clock.advance(minutes=5)
        run_pass(app)
    slots = app.store.list_slots()
    by_campaign: dict[str, list[datetime]] = {}
    for slot in slots:
        by_campaign.setdefault(slot.campaign_name, []).append(slot.slot_at)
    end = clock.now()
    for name, trigger in (("half", "*/30 * * * *"), ("late", "30 2 * * *"), ("early", "30 1 * * *")):
        expected = list(CronTrigger(cron=trigger).fire_times(night, end + timedelta(microseconds=1), zone))
        assert sorted(by_campaign.get(name, [])) == expected, name
    assert len(by_campaign["late"]) == 1 and len(by_campaign["early"]) == 1
    assert all(s.state.value == "drafted" for s in slots)
    app.close()


# -- the crontab engine agrees with cronsim's own iterator (on a naive wall clock) ----------------


@pytest.mark.parametrize(
    "expression",
    [
        "0 9 * * FRI",
        "*/15 8-10 * * 1-5",
        "30 2 1,15 * *",
        "0 0 29 2 *",
        "5 4 * 2-3 sun",
        "0 12 28-31 * *",
        "0 10 * * 5L",
        "0 10 * * 1#2",
        "0 18 L * *",
        "0 8 LW * *",
        "0 9 13 * 5",
        "0 7 * * 0,7",
    ],
)
def test_cron_walls_match_cronsim(expression: str) -> None:
    first, last = datetime(2026, 1, 1), datetime(2029, 1, 1)
    expected = []
    for fire in CronSim(expression, first - timedelta(seconds=1)):
        if fire > last:
            break
        expected.append(fire)
    assert expected
    assert list(cron_walls(expression, first, last)) == expected


def test_alarm_wakes_at_instant_and_replaces() -> None:
    fired: list[str] = []
    done = threading.Event()

    def on_fire(key: str) -> None:
        fired.append(key)
        done.set()

    alarm = Alarm(on_fire)
    alarm.start()
    try:
        soon = datetime.now(UTC) + timedelta(milliseconds=300)
        alarm.set("a", soon + timedelta(hours=1))
        alarm.set("a", soon)  # replaces the first
        alarm.set("b", soon + timedelta(hours=2))
        alarm.set("b", None)
        assert set(alarm.pending()) == {"a"}
        assert done.wait(10)
        assert fired == ["a"]
        assert datetime.now(UTC) >= soon
    finally:
        alarm.stop()


def test_alarm_counts_down_on_the_clock_it_is_given() -> None:
    """On a test clock far from real time, the alarm rings after the time the clock says is left."""
    done = threading.Event()
    clock = FixedClock(utc(2031, 1, 1, 9))
    alarm = Alarm(lambda _key: done.set(), clock)
    alarm.start()
    try:
        started = time.monotonic()
        alarm.set("a", utc(2031, 1, 1, 9) + timedelta(milliseconds=300))
        assert done.wait(10)
        assert time.monotonic() - started >= 0.25
    finally:
        alarm.stop()


def test_alarm_survives_replacing_and_stopping_around_a_firing() -> None:
    """Setting a key or stopping while its job fires never crashes the scheduler's thread."""
    for _ in range(30):
        fired = threading.Event()
        alarm = Alarm(lambda _key, fired=fired: fired.set())
        alarm.start()
        alarm.set("a", datetime.now(UTC))
        fired.wait(5)
        alarm.set("a", datetime.now(UTC) + timedelta(hours=1))
        alarm.set("a", None)
        alarm.stop()
