"""Firing a campaign by hand (``bot campaigns fire``): make its slot, then write its drafts.

The daemon fires campaigns from their triggers (:mod:`bot.services.catchup`); this is the same
slot-then-drafts step for one campaign at an instant a person chose.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

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
