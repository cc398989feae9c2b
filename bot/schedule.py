"""When campaigns fire. The only module that imports apscheduler.

APScheduler is only a clock here: its job store lives in memory and is rebuilt from the
campaigns at every start; durable state (slots, drafts) lives in our tables. Trigger
arithmetic is done in the campaign's IANA zone and returned in UTC.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger as ApsCron
from apscheduler.triggers.date import DateTrigger as ApsDate
from apscheduler.triggers.interval import IntervalTrigger as ApsInterval

from bot.config.triggers import CronTrigger, DateTrigger, HolidayTrigger, IntervalTrigger, Trigger
from bot.festivals import holiday_occurrences


def validate_cron(expression: str) -> None:
    """Raise ValueError unless ``expression`` is a valid five-field crontab."""
    if len(expression.split()) != 5:
        raise ValueError("expected five crontab fields: minute hour day month day-of-week")
    try:
        ApsCron.from_crontab(expression, timezone="UTC")
    except ValueError as exc:
        raise ValueError(f"bad cron expression: {exc}") from None


def aps_trigger(trigger: Trigger, zone: str) -> BaseTrigger | None:
    """The APScheduler trigger for a campaign (None for holiday triggers: see fire_times)."""
    tz = ZoneInfo(zone)
    if isinstance(trigger, CronTrigger):
        return ApsCron.from_crontab(trigger.cron, timezone=tz)
    if isinstance(trigger, DateTrigger):
        return ApsDate(run_date=trigger.at.replace(tzinfo=tz), timezone=tz)
    if isinstance(trigger, IntervalTrigger):
        start = trigger.start.replace(tzinfo=tz) if trigger.start else datetime(2000, 1, 1, tzinfo=tz)
        return ApsInterval(seconds=trigger.every.total_seconds(), start_date=start, timezone=tz)
    return None


def fire_times(trigger: Trigger, zone: str, start: datetime, end: datetime) -> Iterator[datetime]:
    """Every instant (UTC) in ``[start, end)`` at which the trigger fires, in order."""
    if isinstance(trigger, HolidayTrigger):
        yield from _holiday_fire_times(trigger, zone, start, end)
        return
    aps = aps_trigger(trigger, zone)
    assert aps is not None
    previous: datetime | None = None
    now = start
    while True:
        fire = aps.get_next_fire_time(previous, now)
        if fire is None or fire >= end:
            return
        fire_utc = fire.astimezone(UTC)
        if fire_utc >= start:
            yield fire_utc
        previous = fire
        now = fire + timedelta(microseconds=1)


def next_fire_time(trigger: Trigger, zone: str, after: datetime) -> datetime | None:
    """The first fire time at or after ``after`` within ten years, or None."""
    return next(fire_times(trigger, zone, after, after + timedelta(days=3660)), None)


def _holiday_fire_times(
    trigger: HolidayTrigger, zone: str, start: datetime, end: datetime
) -> Iterator[datetime]:
    tz = ZoneInfo(zone)
    first_year = start.astimezone(tz).year - 1
    last_year = end.astimezone(tz).year + 1
    for day in holiday_occurrences(trigger.holiday, trigger.country, first_year, last_year):
        local = datetime.combine(day + timedelta(days=trigger.offset_days), trigger.at, tzinfo=tz)
        instant = local.astimezone(UTC)
        if start <= instant < end:
            yield instant
