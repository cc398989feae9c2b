"""When campaigns fire. The only module that imports apscheduler.

APScheduler is only a clock here: its job store lives in memory and is rebuilt from the
campaigns at every start (:class:`Alarm`); durable state (slots, drafts) lives in our tables.
Trigger arithmetic is done on the campaign's local wall clock in its IANA zone and every fire
time is returned as an aware UTC instant.

Time zones and daylight-saving time
-----------------------------------
Cron, one-off and holiday triggers name *wall-clock* times ("09:00 in Asia/Shanghai"). A wall
clock time is turned into an instant by :func:`wall_to_instant`, with two rules:

* **Gap** (spring forward: 02:30 does not exist in America/New_York on 2026-03-08, nor in
  Europe/Berlin on 2026-03-29): the slot fires at the first instant that exists after the gap
  (03:00 local, the moment of the transition). It is never skipped.
* **Fold** (fall back: 01:30 happens twice in America/New_York on 2026-11-01, 02:30 twice in
  Europe/Berlin on 2026-10-25): the slot fires once, at the first occurrence (the daylight-saving
  one, ``fold=0``). It never fires twice.

Both rules are monotonic, so fire times stay in order; when two wall-clock times land on the
same instant (say ``30 2`` and ``0 3`` on a spring-forward day) they make one slot, as the slot's
unique key (campaign, instant) demands. An hourly crontab therefore fires once in the repeated
hour of a fold (there are 8,759 hourly slots in 2026 in New York, not 8,760). Interval triggers
(``every = "6h"``) count real elapsed time from their start, so they keep their spacing across
DST changes and their wall-clock time shifts by the change instead.

Crontabs follow APScheduler's field semantics: when both day-of-month and day-of-week are
restricted, a day must match both (classic cron matches either).

Whatever the trigger, the daemon stores each fire time as one slot row keyed by (campaign,
UTC instant): a slot can be made only once, and a pass that finds a fire time without a row
makes it (or records it as skipped, see :mod:`bot.services.catchup`), so none is lost silently.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger as ApsCron
from apscheduler.triggers.date import DateTrigger as ApsDate

from bot.config.triggers import CronTrigger, DateTrigger, HolidayTrigger, IntervalTrigger, Trigger
from bot.festivals import holiday_occurrences

log = logging.getLogger(__name__)

#: How far :func:`next_fire_time` looks ahead.
HORIZON = timedelta(days=3660)
#: Zone offsets are at most 14 h either side of UTC: a wall-clock window this much wider than
#: the UTC window contains every wall time that can map into it.
_SLACK = timedelta(hours=27)


def validate_cron(expression: str) -> None:
    """Raise ValueError unless ``expression`` is a valid five-field crontab."""
    if len(expression.split()) != 5:
        raise ValueError("expected five crontab fields: minute hour day month day-of-week")
    try:
        ApsCron.from_crontab(expression, timezone=UTC)
    except ValueError as exc:
        raise ValueError(f"bad cron expression: {exc}") from None


def wall_to_instant(wall: datetime, zone: str | ZoneInfo) -> datetime:
    """The UTC instant of a naive local wall-clock time (gap: end of the gap; fold: first)."""
    tz = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    first = wall.replace(tzinfo=tz, fold=0)
    instant = first.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) == wall:
        return instant
    # In a gap: fold=0 reads the wall time with the offset from before the transition, fold=1
    # with the one after; the transition lies between the two readings.
    return _transition(wall.replace(tzinfo=tz, fold=1).astimezone(UTC), instant, tz)


def _transition(low: datetime, high: datetime, tz: ZoneInfo) -> datetime:
    """The first instant in (low, high] whose UTC offset differs from low's (to the second)."""
    low, high = min(low, high), max(low, high)
    before = low.astimezone(tz).utcoffset()
    while high - low > timedelta(seconds=1):
        mid = low + (high - low) / 2
        if mid.astimezone(tz).utcoffset() == before:
            low = mid
        else:
            high = mid
    return high.replace(microsecond=0) if high.microsecond else high


def fire_times(trigger: Trigger, zone: str, start: datetime, end: datetime) -> Iterator[datetime]:
    """Every instant (UTC) in ``[start, end)`` at which the trigger fires, in order, no repeats."""
    if isinstance(trigger, IntervalTrigger):
        yield from _interval_times(trigger, zone, start, end)
        return
    tz = ZoneInfo(zone)
    last: datetime | None = None
    for wall in _wall_times(trigger, zone, start, end):
        instant = wall_to_instant(wall, tz)
        if start <= instant < end and instant != last:
            last = instant
            yield instant


def next_fire_time(trigger: Trigger, zone: str, after: datetime) -> datetime | None:
    """The first fire time at or after ``after`` within ten years, or None."""
    if isinstance(trigger, CronTrigger):
        # Look a little ahead first: most crontabs fire within days, not years.
        for span in (timedelta(days=2), timedelta(days=40), HORIZON):
            found = next(fire_times(trigger, zone, after, after + span), None)
            if found is not None:
                return found
        return None
    return next(fire_times(trigger, zone, after, after + HORIZON), None)


def _wall_window(zone: str, start: datetime, end: datetime) -> tuple[datetime, datetime]:
    tz = ZoneInfo(zone)
    return (
        start.astimezone(tz).replace(tzinfo=None) - _SLACK,
        end.astimezone(tz).replace(tzinfo=None) + _SLACK,
    )


def _wall_times(trigger: Trigger, zone: str, start: datetime, end: datetime) -> Iterator[datetime]:
    """Candidate local wall-clock times (naive) around the UTC window, in order."""
    first, last = _wall_window(zone, start, end)
    if isinstance(trigger, DateTrigger):
        if first <= trigger.at <= last:
            yield trigger.at
    elif isinstance(trigger, HolidayTrigger):
        offset = timedelta(days=trigger.offset_days)
        for day in holiday_occurrences(trigger.holiday, trigger.country, first.year - 1, last.year + 1):
            wall = datetime.combine(day + offset, trigger.at)
            if first <= wall <= last:
                yield wall
    elif isinstance(trigger, CronTrigger):
        yield from _cron_walls(trigger.cron, first, last)


def _cron_walls(expression: str, first: datetime, last: datetime) -> Iterator[datetime]:
    """Crontab matches on a naive wall clock, in order (APScheduler's field semantics)."""
    spec = _cron(expression)
    day = first.date()
    while day <= last.date():
        if spec.every_day or _day_matches(spec.day_part, day):
            for at in spec.times:
                wall = datetime.combine(day, at)
                if first <= wall <= last:
                    yield wall
        day += timedelta(days=1)


@dataclass(frozen=True)
class _CronSpec:
    """A parsed crontab: its day fields (as text, matched per day) and its times of day."""

    day_part: str
    every_day: bool
    times: tuple[time, ...]


_DAY_FIELDS = frozenset({"year", "month", "day", "week", "day_of_week"})


@lru_cache(maxsize=1024)
def _cron(expression: str) -> _CronSpec:
    trigger = ApsCron.from_crontab(expression, timezone=UTC)
    fields = {f.name: f for f in trigger.fields}
    base = datetime(2000, 1, 3)
    hours = [h for h in range(24) if fields["hour"].get_next_value(base.replace(hour=h)) == h]
    minutes = [m for m in range(60) if fields["minute"].get_next_value(base.replace(minute=m)) == m]
    day_part = " ".join(expression.split()[2:])
    every_day = not _day_fields(day_part)
    return _CronSpec(day_part, every_day, tuple(time(h, m) for h in hours for m in minutes))


@lru_cache(maxsize=256)
def _day_fields(day_part: str) -> tuple[Any, ...]:
    """The restricted day fields of a crontab's last three fields (day, month, day of week)."""
    trigger = ApsCron.from_crontab(f"0 0 {day_part}", timezone=UTC)
    return tuple(f for f in trigger.fields if f.name in _DAY_FIELDS and str(f) != "*")


@lru_cache(maxsize=65536)
def _day_matches(day_part: str, day: date) -> bool:
    """Whether ``day`` matches; cached, since many campaigns share their day fields."""
    noon = datetime.combine(day, time(12))
    return all(f.get_next_value(noon) == f.get_value(noon) for f in _day_fields(day_part))


def _interval_times(
    trigger: IntervalTrigger, zone: str, start: datetime, end: datetime
) -> Iterator[datetime]:
    origin = wall_to_instant(trigger.start or datetime(2000, 1, 1), zone)
    step = trigger.every
    skipped = max(0, -(-(start - origin) // step))  # ceil: the first step at or after start
    instant = origin + step * skipped
    while instant < end:
        yield instant
        instant += step


class Alarm:
    """Wakes the daemon at given instants: APScheduler with an in-memory job store.

    Each key (a campaign name) has at most one pending wake-up; setting it again replaces it.
    ``on_fire`` runs on one of APScheduler's threads, so it should only poke the daemon.
    """

    def __init__(self, on_fire: Callable[[str], None]) -> None:
        self._on_fire = on_fire
        self._lock = threading.Lock()
        # One INFO line per added job would drown the log: the daemon logs what matters.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        self._scheduler = BackgroundScheduler(
            timezone=UTC, job_defaults={"coalesce": True, "misfire_grace_time": None}
        )

    def start(self) -> None:
        """Start the clock thread."""
        self._scheduler.start()

    def set(self, key: str, at: datetime | None) -> None:
        """Wake at ``at`` for ``key`` (None: no wake-up for it)."""
        with self._lock:
            if at is None:
                # The job may have just fired and been removed by the scheduler's thread.
                with contextlib.suppress(JobLookupError):
                    self._scheduler.remove_job(key)
                return
            # Add or replace in one step under the scheduler's own lock (no remove-then-add
            # window in which its thread could remove the fired job first).
            self._scheduler.add_job(
                self._on_fire,
                ApsDate(run_date=at, timezone=UTC),
                args=[key],
                id=key,
                name=key,
                replace_existing=True,
            )

    def clear(self) -> None:
        """Forget every wake-up (the job store is rebuilt from the campaigns on reload)."""
        with self._lock:
            self._scheduler.remove_all_jobs()

    def pending(self) -> dict[str, datetime]:
        """Key -> next wake-up instant (UTC)."""
        with self._lock:
            return {
                job.id: job.next_run_time.astimezone(UTC)
                for job in self._scheduler.get_jobs()
                if job.next_run_time is not None
            }

    def stop(self) -> None:
        """Stop the clock thread (pending wake-ups are dropped: they live in memory only)."""
        if not self._scheduler.running:
            return
        # APScheduler 3 flips its state to "stopped" before it takes the job-store lock, so a
        # round of job processing still in flight would fail to remove the job it just ran.
        # Pause (later rounds do nothing), wait for the round in flight, then shut down.
        self._scheduler.pause()
        with self._scheduler._jobstores_lock:
            pass
        self._scheduler.shutdown(wait=True)
