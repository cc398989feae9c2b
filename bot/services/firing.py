"""Firing a campaign by hand (``bot campaigns fire``): make its slot, then write its drafts.

The daemon fires campaigns from their triggers (:mod:`bot.services.catchup`); this is the same
slot-then-drafts step for one campaign at an instant a person chose.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.domain import Slot
from bot.domain.errors import StateConflict
from bot.domain.ports import CampaignStore, Clock, SlotStore


class FiringStore(CampaignStore, SlotStore, Protocol):
    """The parts of the store firing uses."""


@dataclass(frozen=True)
class Fired:
    """The slot a firing made and the drafts written for it."""

    slot: Slot
    drafts: tuple[int, ...]


class FiringService:
    """Fires one configured campaign now (or at a given instant)."""

    def __init__(
        self,
        settings: Settings,
        store: FiringStore,
        draft_slot: Callable[[Slot], list[int]],
        clock: Clock,
    ) -> None:
        self._settings = settings
        self._store = store
        self._draft_slot = draft_slot
        self._clock = clock

    def fire(self, name: str, at: datetime | None, actor: str) -> Fired:
        """Make campaign ``name``'s slot at ``at`` (default: now, to the second) and draft it.

        Raises:
            NotConfigured: the campaign is not in the config.
            NotFound: it is not in the store yet (``bot campaigns sync``).
            StateConflict: it already has a slot at that instant.
        """
        self._settings.campaign(name)
        record = self._store.get_campaign(name)
        now = self._clock.now()
        instant = at or now.replace(microsecond=0)
        slot = self._store.create_slot(record.id, instant, now, actor)
        if slot is None:
            raise StateConflict(f"campaign {name} already has a slot at {instant.isoformat()}")
        return Fired(slot, tuple(self._draft_slot(slot)))


#: How far either side of a firing the slots of its campaign are looked for (a day's slot
#: and its holiday are at most MAX_HOLIDAY_OFFSET_DAYS apart).
_SEASON_LOOKBACK = timedelta(days=90)


@dataclass(frozen=True)
class OffSeason:
    """A holiday campaign fired on a day that is none of its slots' (nor its holiday's)."""

    campaign: str
    holiday: str
    kind: str
    #: The trigger's next slot after the firing instant (None: it never fires again).
    next_slot: datetime | None
    zone: str
    #: The day (in the campaign's time zone) the firing drafts the greeting for.
    day: date

    def message(self, when: str = "now", verb: str = "firing") -> str:
        """``new-year is a New Year's Day greeting; its next slot is 2027-01-01 10:00 UTC (...);
        firing it now drafts it for today, 2026-12-06``; ``when`` says how it was fired
        (``verb``: or previewed)."""
        article = "an" if self.holiday[:1].casefold() in "aeiou" else "a"
        if self.next_slot is None:
            slot = "it has no slot to come"
        else:
            local = self.next_slot.astimezone(ZoneInfo(self.zone))
            slot = f"its next slot is {self.next_slot:%Y-%m-%d %H:%M} UTC"
            if self.zone != "UTC":
                slot += f" ({local:%Y-%m-%d %H:%M} {self.zone})"
        day = f"today, {self.day.isoformat()}" if when == "now" else self.day.isoformat()
        what = f"{self.campaign} is {article} {self.holiday} {self.kind}"
        return f"{what}; {slot}; {verb} it {when} drafts it for {day}"


def off_season(settings: Settings, name: str, instant: datetime) -> OffSeason | None:
    """Why firing holiday campaign ``name`` at ``instant`` is out of season, or None when the
    instant's day (in the campaign's time zone) is that of one of its slots or of the holiday
    itself (a greeting set for the eve, fired on the day), or it is no holiday campaign."""
    campaign = settings.campaign(name)
    trigger = campaign.when
    holiday = trigger.holiday_name
    if holiday is None:
        return None
    zone = settings.zone_of(campaign)
    tz = ZoneInfo(zone)
    day = instant.astimezone(tz).date()
    offset = timedelta(days=getattr(trigger, "offset_days", 0))
    near = trigger.fire_times(instant - _SEASON_LOOKBACK, instant + _SEASON_LOOKBACK, zone)
    for slot in near:
        slot_day = slot.astimezone(tz).date()
        if day in (slot_day, slot_day - offset):
            return None
    return OffSeason(
        campaign=name,
        holiday=holiday,
        kind=campaign.kind.value,
        next_slot=trigger.next_after(instant, zone),
        zone=zone,
        day=day,
    )
