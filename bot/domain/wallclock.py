"""Wall-clock times to instants: the daylight-saving rules every trigger follows.

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
hour of a fold (there are 8,759 hourly slots in 2026 in New York, not 8,760).

Pure: the standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

#: Zone offsets are at most 14 h either side of UTC: a wall-clock window this much wider than
#: the UTC window contains every wall time that can map into it.
SLACK = timedelta(hours=27)


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


def walls_to_instants(walls: Iterable[datetime], zone: str | ZoneInfo) -> Iterator[datetime]:
    """:func:`wall_to_instant` of each wall time, in order; a day that no transition touches
    (nearly all of them) takes a shortcut: one UTC offset for the whole day."""
    tz = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    for wall in walls:
        offset = _steady_offset(tz, wall.date())
        yield wall_to_instant(wall, tz) if offset is None else (wall - offset).replace(tzinfo=UTC)


#: Wall times checked for the UTC offset of a day (both readings of each, and the next midnight).
_PROBES = tuple(time(h) for h in range(0, 24, 3))


@lru_cache(maxsize=65536)
def _steady_offset(tz: ZoneInfo, day: date) -> timedelta | None:
    """The UTC offset of every wall time of ``day``, or None if a transition touches the day."""
    walls = [datetime.combine(day, at, tzinfo=tz) for at in _PROBES]
    walls.append(datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz))
    offsets = {w.replace(fold=fold).utcoffset() for w in walls for fold in (0, 1)}
    return offsets.pop() if len(offsets) == 1 else None


def wall_window(zone: str | ZoneInfo, start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """Naive local bounds that hold every wall time whose instant can fall in ``[start, end)``."""
    tz = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    return (
        start.astimezone(tz).replace(tzinfo=None) - SLACK,
        end.astimezone(tz).replace(tzinfo=None) + SLACK,
    )


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
