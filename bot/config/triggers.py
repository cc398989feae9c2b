"""``when = {...}``: the four kinds of trigger a campaign can have, each computing its own times.

- ``{ cron = "0 10 * * FRI" }``: a five-field crontab in the campaign's time zone
  (:class:`CronTrigger`; also ``5L`` last Friday, ``1#2`` second Monday, ``L``/``LW`` last
  (week)day of the month).
- ``{ at = "2026-12-24 09:00" }``: once, at a local date and time (:class:`DateTrigger`).
- ``{ every = "6h", start = "2026-12-01 08:00" }``: at a fixed interval (:class:`IntervalTrigger`).
- ``{ holiday = "Mid-Autumn Festival", country = "CN", offset = "-1d", at = "09:00" }``:
  relative to a public holiday of the ``holidays`` package, at a local time (:class:`HolidayTrigger`).

Every trigger parses and checks itself (a pydantic model) and answers two questions:
:meth:`BaseTrigger.fire_times` (every instant in a UTC window) and :meth:`BaseTrigger.next_after`.
Cron, one-off and holiday triggers name wall-clock times, turned into instants by the DST rules
of :mod:`bot.domain.wallclock` (gap: end of the gap; fold: first occurrence). Interval triggers
count real elapsed time from their start, so they keep their spacing across DST changes and
their wall-clock time shifts by the change instead.

A schedule that never fires, or fires only before 1970 or after 2100, is a config error.

Crontabs follow crontab(5) as cronsim reads it: weekdays 0-7 with 0 and 7 for Sunday (or
``SUN``-``SAT``); when both day-of-month and day-of-week are restricted (neither starts with
``*``) a day matching either fires, as in classic cron.
"""

from __future__ import annotations

import re
from abc import abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import (
    Discriminator,
    Field,
    Tag,
    ValidationError,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)

from bot.config.types import Duration, Strict
from bot.domain.wallclock import wall_to_instant, wall_window, walls_to_instants

_OFFSET = re.compile(r"^([+-]?)(\d+)d$")
#: How far from its holiday a holiday campaign may fire, either way: a countdown or an
#: after-party, not another season (-400d put a Christmas greeting in November of the year before).
MAX_HOLIDAY_OFFSET_DAYS = 60

#: Schedules must fire within these bounds (local wall time; the end is exclusive).
EARLIEST = datetime(1970, 1, 1)
LATEST = datetime(2101, 1, 1)
_TICK = timedelta(microseconds=1)
#: How far :meth:`BaseTrigger.next_after` looks, widening: most triggers fire within days.
_SPANS = (timedelta(days=2), timedelta(days=40), timedelta(days=400), timedelta(days=3660))


def _zone(tz: str | ZoneInfo) -> ZoneInfo:
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)


#: How a local date and time (``at``, ``start``) and a time of day (a holiday's ``at``) are written.
DATETIME_FORMAT = "a local date and time such as '2026-12-20 10:00' (year-month-day, 24-hour clock)"
TIME_FORMAT = "a local time of day such as '09:00' or '17:30' (24-hour clock)"
_PARSING = ("datetime_parsing", "datetime_from_date_parsing", "datetime_type", "time_parsing", "time_type")
_DAY_FIRST = re.compile(
    r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T,]+(\d{1,2})(?:[:.h](\d{2}))?\s*([ap]\.?m\.?)?)?$", re.I
)
_CLOCK = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*([ap]\.?m\.?)?$", re.I)


def _parsed(value: Any, handler: ValidatorFunctionWrapHandler, example: str) -> Any:
    """``handler(value)``; a date or time it cannot read is refused saying how to write it
    (and, for ``20/12/2026 10am``, what that is in that form when it is not ambiguous). A
    number is refused too: pydantic would read ``at = 9`` as 9 seconds after 1970 UTC."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        clock = example == TIME_FORMAT and isinstance(value, int) and 0 <= value < 24
        hour = f"; write at = '{value:02d}:00' for {value} o'clock" if clock else ""
        raise ValueError(f"expected {example}, in quotes{hour}")
    try:
        return handler(value)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        if first["type"] not in _PARSING:
            raise
        guess = _iso_guess(value.strip()) if isinstance(value, str) else None
        meant = f"; {value!r} is written {guess!r}" if guess else ""
        raise ValueError(f"expected {example}{meant}") from None


def _iso_guess(text: str) -> str | None:
    """``text`` (``20/12/2026 10am``, ``7pm``) in the expected form, or None when it cannot
    be read or is ambiguous (``03/04/2026``: March or April?)."""
    clock = _CLOCK.match(text)
    if clock:
        return _clock(*clock.groups())
    found = _DAY_FIRST.match(text)
    if not found:
        return None
    first, second, year = (int(found.group(i)) for i in (1, 2, 3))
    if first > 12 >= second:
        day, month = first, second
    elif second > 12 >= first:
        day, month = second, first
    else:
        return None
    try:
        when = date(year, month, day)
    except ValueError:
        return None
    if not found.group(4):
        return f"{when:%Y-%m-%d}"
    hour = _clock(*found.groups()[3:])
    return f"{when:%Y-%m-%d} {hour}" if hour else None


def _clock(hour: str, minute: str | None, half: str | None) -> str | None:
    """``10``, ``30``, ``pm`` as ``22:30``; None if it is no time."""
    hours, minutes = int(hour), int(minute or 0)
    if half:
        if not 1 <= hours <= 12:
            return None
        hours = hours % 12 + (12 if half.lower().startswith("p") else 0)
    return f"{hours:02d}:{minutes:02d}" if hours < 24 and minutes < 60 else None


class BaseTrigger(Strict):
    """A schedule: knows every instant it fires at, in a campaign's time zone."""

    @abstractmethod
    def fire_times(self, start: datetime, end: datetime, tz: str | ZoneInfo) -> Iterator[datetime]:
        """Every instant (aware UTC) in ``[start, end)`` at which this fires, in order, no repeats."""

    def next_after(self, instant: datetime, tz: str | ZoneInfo) -> datetime | None:
        """The first fire time strictly after ``instant`` (before 2101), or None."""
        start = instant + _TICK
        latest = LATEST.replace(tzinfo=UTC)
        for span in (*_SPANS, None):
            end = latest if span is None or span >= latest - start else start + span
            if end <= start:
                return None
            found = next(self.fire_times(start, end, tz), None)
            if found is not None or end == latest:
                return found
        return None

    @property
    def holiday_name(self) -> str | None:
        """The holiday this is relative to (for the ``{{ holiday }}`` variable), if any."""
        return None


class _WallClockTrigger(BaseTrigger):
    """Fires at local wall-clock times, mapped to instants by the DST rules."""

    @abstractmethod
    def _walls(self, first: datetime, last: datetime) -> Iterator[datetime]:
        """Naive local wall times in ``[first, last]``, in order."""

    def fire_times(self, start: datetime, end: datetime, tz: str | ZoneInfo) -> Iterator[datetime]:
        zone = _zone(tz)
        first, last = wall_window(zone, start, end)
        previous: datetime | None = None
        for instant in walls_to_instants(self._walls(max(first, EARLIEST), min(last, LATEST)), zone):
            if start <= instant < end and instant != previous:
                previous = instant
                yield instant


class CronTrigger(_WallClockTrigger):
    """A five-field crontab on the campaign's local wall clock."""

    cron: str

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        spec = _parse_cron(value)
        if _first_day(spec) is None:
            raise ValueError("the cron never fires between 1970 and 2100: no day matches it")
        return value

    def _walls(self, first: datetime, last: datetime) -> Iterator[datetime]:
        return cron_walls(self.cron, first, last)


class DateTrigger(_WallClockTrigger):
    """Once, at a local date and time."""

    at: datetime

    @field_validator("at", mode="wrap")
    @classmethod
    def _format(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> datetime:
        return _parsed(value, handler, DATETIME_FORMAT)  # type: ignore[no-any-return]

    @field_validator("at")
    @classmethod
    def _naive(cls, value: datetime) -> datetime:
        if value.tzinfo is not None:
            raise ValueError("give a local time without offset; the campaign's timezone applies")
        if not EARLIEST <= value < LATEST:
            raise ValueError(f"at {value:%Y-%m-%d %H:%M} is outside 1970-2100: it would never fire")
        return value

    def _walls(self, first: datetime, last: datetime) -> Iterator[datetime]:
        if first <= self.at <= last:
            yield self.at


class IntervalTrigger(BaseTrigger):
    """Every ``every`` of elapsed time from ``start`` (local; default 2000-01-01 00:00)."""

    every: Duration
    start: datetime | None = None

    @field_validator("start", mode="wrap")
    @classmethod
    def _format(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> datetime | None:
        return _parsed(value, handler, DATETIME_FORMAT)  # type: ignore[no-any-return]

    @field_validator("every")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value < timedelta(minutes=1):
            raise ValueError("an interval must be at least 1m")
        return value

    @model_validator(mode="after")
    def _in_range(self) -> IntervalTrigger:
        start = self.origin
        if start.tzinfo is not None:
            raise ValueError("give a local start without offset; the campaign's timezone applies")
        if not EARLIEST <= start < LATEST:
            raise ValueError(f"start {start:%Y-%m-%d %H:%M} is outside 1970-2100: it would never fire")
        if self.every >= LATEST - start:
            raise ValueError(
                f"every {self.every} from {start:%Y-%m-%d %H:%M}: the second firing is after 2100"
            )
        return self

    @property
    def origin(self) -> datetime:
        """The local wall time of the first firing."""
        return self.start or datetime(2000, 1, 1)

    def fire_times(self, start: datetime, end: datetime, tz: str | ZoneInfo) -> Iterator[datetime]:
        origin = wall_to_instant(self.origin, _zone(tz))
        step = self.every
        skipped = max(0, -(-(start - origin) // step))  # ceil: the first step at or after start
        instant = origin + step * skipped
        while instant < end:
            yield instant
            instant += step


class HolidayTrigger(_WallClockTrigger):
    """Fires ``offset`` days from each occurrence of a public holiday, at local time ``at``."""

    holiday: str
    country: str = Field(min_length=2, max_length=3)
    offset: str = "0d"
    at: time = time(9, 0)

    @field_validator("at", mode="wrap")
    @classmethod
    def _format(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> time:
        return _parsed(value, handler, TIME_FORMAT)  # type: ignore[no-any-return]

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        from bot.festivals import validate_country

        return validate_country(value)

    @model_validator(mode="after")
    def _known_holiday(self) -> HolidayTrigger:
        from bot.festivals import validate_holiday

        validate_holiday(self.holiday, self.country)
        return self

    @field_validator("offset")
    @classmethod
    def _offset(cls, value: str) -> str:
        match = _OFFSET.match(value)
        if not match:
            raise ValueError("expected whole days such as '-1d', '0d' or '+2d'")
        days = int(match.group(2))
        if days > MAX_HOLIDAY_OFFSET_DAYS:
            side = "before" if match.group(1) == "-" else "after"
            raise ValueError(
                f"{days} days {side} the holiday is too far from it: at most {MAX_HOLIDAY_OFFSET_DAYS} "
                "days either way (a post that far off is not the holiday's; give another date with "
                "`at` or `cron`)"
            )
        return value

    @property
    def offset_days(self) -> int:
        """The offset as a signed number of days."""
        match = _OFFSET.match(self.offset)
        assert match is not None
        sign = -1 if match.group(1) == "-" else 1
        return sign * int(match.group(2))

    @property
    def holiday_name(self) -> str | None:
        return self.holiday

    def _walls(self, first: datetime, last: datetime) -> Iterator[datetime]:
        from bot.festivals import holiday_occurrences

        offset = timedelta(days=self.offset_days)
        for day in holiday_occurrences(self.holiday, self.country, first.year - 1, last.year + 1):
            wall = datetime.combine(day + offset, self.at)
            if first <= wall <= last:
                yield wall


# -- the crontab engine: cronsim parses and matches days; times of day are ours ---------------

_FIELDS = ("minute", "hour", "day-of-month", "month", "day-of-week")


@dataclass(frozen=True)
class CronSpec:
    """A parsed crontab: its day fields (matched per day by cronsim), months and times of day."""

    day_part: str
    months: frozenset[int]
    every_day: bool
    times: tuple[time, ...]

    def matches(self, day: date) -> bool:
        """Whether the crontab fires on ``day`` (its month checked too)."""
        return day.month in self.months and (self.every_day or _day_matcher(self.day_part).match_day(day))


@lru_cache(maxsize=1024)
def _parse_cron(expression: str) -> CronSpec:
    """Parse a five-field crontab or raise ValueError naming the bad field."""
    from cronsim import CronSim, CronSimError

    parts = expression.split()
    if len(parts) != 5:
        raise ValueError("expected five crontab fields: minute hour day-of-month month day-of-week")
    try:
        sim = CronSim(expression, datetime(2000, 1, 1))
    except CronSimError as exc:
        raise ValueError(_cron_error(parts, str(exc))) from None
    every_day = all(part == "*" for part in parts[2:])
    times = tuple(time(h, m) for h in sorted(sim.hours) for m in sorted(sim.minutes))
    return CronSpec(" ".join(parts[2:]), frozenset(sim.months), every_day, times)


def _cron_error(parts: list[str], message: str) -> str:
    from cronsim import CronSim, CronSimError

    field = message.removeprefix("Bad ").strip()
    if field == "day-of-month":
        # cronsim refuses a day no chosen month has (30 February): valid fields, never fires.
        try:
            CronSim(" ".join([*parts[:3], "*", parts[4]]), datetime(2000, 1, 1))
        except CronSimError:
            pass
        else:
            return f"the cron never fires between 1970 and 2100: none of its months has day {parts[2]}"
    if field in _FIELDS:
        return f"bad cron expression: bad {field} field {parts[_FIELDS.index(field)]!r}"
    return f"bad cron expression: {message}"


@lru_cache(maxsize=256)
def _day_matcher(day_part: str) -> Any:
    """cronsim's matcher of a crontab's day fields (day of month, month, day of week)."""
    from cronsim import CronSim

    return CronSim(f"0 0 {day_part}", datetime(2000, 1, 1))


@lru_cache(maxsize=4096)
def _month_days(day_part: str, year: int, month: int) -> tuple[date, ...]:
    """The days of one month on which a crontab with these day fields fires."""
    spec = _parse_cron(f"0 0 {day_part}")
    if month not in spec.months:
        return ()
    day, days = date(year, month, 1), []
    while day.month == month:
        if spec.matches(day):
            days.append(day)
        day += timedelta(days=1)
    return tuple(days)


def _months(first: date, last: date) -> Iterator[tuple[int, int]]:
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _first_day(spec: CronSpec) -> date | None:
    """The first day in 1970-2100 on which the crontab fires, or None."""
    for year, month in _months(EARLIEST.date(), LATEST.date() - timedelta(days=1)):
        if month in spec.months:
            days = _month_days(spec.day_part, year, month)
            if days:
                return days[0]
    return None


def cron_walls(expression: str, first: datetime, last: datetime) -> Iterator[datetime]:
    """Crontab matches on a naive wall clock in ``[first, last]``, in order."""
    spec = _parse_cron(expression)
    for year, month in _months(first.date(), last.date()):
        for day in _month_days(spec.day_part, year, month):
            for at in spec.times:
                wall = datetime.combine(day, at)
                if first <= wall <= last:
                    yield wall


_TAGS: dict[type, str] = {
    CronTrigger: "cron",
    DateTrigger: "at",
    IntervalTrigger: "every",
    HolidayTrigger: "holiday",
}


def _trigger_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in ("holiday", "cron", "every"):
            if key in value:
                return key
        if "at" in value:
            return "at"
        return None
    return _TAGS.get(type(value))


Trigger = Annotated[
    Annotated[CronTrigger, Tag("cron")]
    | Annotated[DateTrigger, Tag("at")]
    | Annotated[IntervalTrigger, Tag("every")]
    | Annotated[HolidayTrigger, Tag("holiday")],
    Discriminator(
        _trigger_kind,
        custom_error_type="trigger",
        custom_error_message="expected one of cron, at, every or holiday",
    ),
]
