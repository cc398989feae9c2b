"""Triggers compute their own times: the crontab dialect (last and nth weekday, L, LW, crontab
weekday numbers), next firings, and schedules that never fire rejected at config check."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import TypeAdapter, ValidationError

from bot.config.triggers import CronTrigger, DateTrigger, HolidayTrigger, IntervalTrigger, Trigger
from tests.conftest import run_cli
from tests.scheduling_helpers import campaign, write_config

NY, LONDON = "America/New_York", "Europe/London"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def last_weekday_of(year: int, month: int, weekday: int) -> date:
    """The last ``weekday`` (Monday=0, as ``date.weekday``) of the month."""
    last = date(year, month, calendar.monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - weekday) % 7)


@pytest.mark.parametrize("zone", [NY, LONDON])
def test_last_friday_of_each_month_for_a_year_across_dst(zone: str) -> None:
    trigger = CronTrigger(cron="0 10 * * 5L")
    fires = list(trigger.fire_times(utc(2026, 1, 1), utc(2027, 1, 1), zone))
    local = [t.astimezone(ZoneInfo(zone)) for t in fires]
    assert [t.date() for t in local] == [last_weekday_of(2026, m, calendar.FRIDAY) for m in range(1, 13)]
    assert all((t.hour, t.minute) == (10, 0) for t in local)
    # The year crosses both DST changes: 10:00 local is a different UTC hour in winter and summer.
    assert len({t.utcoffset() for t in local}) == 2
    assert {t.hour for t in fires} == ({15, 14} if zone == NY else {10, 9})


def test_nth_weekday_and_last_days_of_the_month() -> None:
    def days(expression: str) -> list[str]:
        trigger = CronTrigger(cron=expression)
        return [f"{t:%m-%d}" for t in trigger.fire_times(utc(2026, 1, 1), utc(2026, 4, 1), "UTC")]

    assert days("0 10 * * 1#2") == ["01-12", "02-09", "03-09"]  # second Monday
    assert days("0 10 * * MON#1") == ["01-05", "02-02", "03-02"]
    assert days("0 18 L * *") == ["01-31", "02-28", "03-31"]  # last day of the month
    assert days("0 8 LW * *") == ["01-30", "02-27", "03-31"]  # last weekday (Mon-Fri)


def test_weekday_numbers_follow_crontab() -> None:
    def weekdays(field: str) -> set[str]:
        trigger = CronTrigger(cron=f"0 9 * * {field}")
        return {f"{t:%a}" for t in trigger.fire_times(utc(2026, 1, 1), utc(2026, 2, 1), "UTC")}

    assert weekdays("0") == weekdays("7") == weekdays("SUN") == {"Sun"}
    assert weekdays("1") == {"Mon"} and weekdays("5") == {"Fri"}
    assert weekdays("1-5") == {"Mon", "Tue", "Wed", "Thu", "Fri"}


def test_next_after_is_strictly_after_and_reaches_rare_schedules() -> None:
    trigger = CronTrigger(cron="0 10 * * 5L")
    first = trigger.next_after(utc(2026, 1, 1), NY)
    assert first == datetime(2026, 1, 30, 10, tzinfo=ZoneInfo(NY))
    assert trigger.next_after(first, NY) == datetime(2026, 2, 27, 10, tzinfo=ZoneInfo(NY))
    # The fifth Monday of February: only when February 29 is a Monday (2044 after 2016).
    rare = CronTrigger(cron="0 0 * 2 1#5")
    assert rare.next_after(utc(2026, 1, 1), "UTC") == utc(2044, 2, 29)
    once = DateTrigger(at=datetime(2026, 5, 1, 9))
    assert once.next_after(utc(2026, 5, 1, 9), "UTC") is None
    assert once.next_after(utc(2026, 5, 1, 8), "UTC") == utc(2026, 5, 1, 9)
    every = IntervalTrigger(every=timedelta(hours=6))
    assert every.next_after(utc(2026, 5, 1, 6), "UTC") == utc(2026, 5, 1, 12)


def test_holiday_name_is_the_triggers_own() -> None:
    moon = HolidayTrigger(holiday="Mid-Autumn Festival", country="CN")
    assert moon.holiday_name == "Mid-Autumn Festival"
    assert CronTrigger(cron="0 10 * * 5L").holiday_name is None


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ({"cron": "0 0 30 2 *"}, "never fires between 1970 and 2100: none of its months has day 30"),
        ({"cron": "0 0 31 4,6,9,11 *"}, "never fires between 1970 and 2100"),
        ({"cron": "0 10 * * 5#6"}, "bad day-of-week field '5#6'"),
        ({"cron": "0 10 * * 8"}, "bad day-of-week field '8'"),
        ({"cron": "0 10 * * 5L 2026"}, "expected five crontab fields"),
        ({"at": "9999-12-31 23:59:59"}, "outside 1970-2100"),
        ({"at": "1969-12-31 23:59"}, "outside 1970-2100"),
        ({"every": "1h", "start": "1900-01-01 00:00"}, "outside 1970-2100"),
        ({"every": "3000d", "start": "2095-01-01 00:00"}, "the second firing is after 2100"),
    ],
)
def test_schedules_that_cannot_fire_are_refused(when: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError) as err:
        TypeAdapter(Trigger).validate_python(when)
    assert message in str(err.value)


def test_config_check_and_sync_name_the_campaign_and_the_schedule(tmp_path: Path, sqlite_url: str) -> None:
    good = campaign("weekly", '{ cron = "0 10 * * 5L" }')
    bad = campaign("leap", '{ cron = "0 0 30 2 *" }')
    config = write_config(tmp_path, good, database_url=sqlite_url)
    assert run_cli("config", "check", config=config).returncode == 0
    write_config(tmp_path, good, bad, database_url=sqlite_url)
    for args in (("config", "check"), ("campaigns", "sync")):
        result = run_cli(*args, config=config)
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        assert "campaigns[1] (leap).when.cron = '0 0 30 2 *'" in result.stderr, result.stderr
        assert "never fires" in result.stderr
