"""The coming slots of every campaign (from the config), soonest first, with the state of any
slot and drafts already made for them: what ``bot calendar`` prints and the web page shows."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.domain.errors import BotError, NotFound

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.domain.ports import SlotStore

log = logging.getLogger(__name__)


#: Most slots one calendar lists (each campaign's are read lazily, never more than this).
MAX_SLOTS = 10_000


def coming_slots(
    settings: Settings,
    store: SlotStore | None,
    now: datetime,
    days: int,
    *,
    campaigns: Collection[str] = (),
    every_campaign: bool = False,
) -> list[dict[str, Any]]:
    """Each slot in the next ``days`` days as ``{"campaign", "local", "zone", "utc", "slot_id",
    "slot_state", "drafts"}`` (drafts: state -> count), soonest first.

    Raises:
        NotFound: a name in ``campaigns`` is not a configured campaign.
    """
    until = now + timedelta(days=days)
    unknown = set(campaigns) - {c.name for c in settings.campaigns}
    if unknown:
        raise NotFound(settings.no_campaign(sorted(unknown)))
    wanted = [
        c
        for c in settings.campaigns
        if (every_campaign or c.enabled) and (not campaigns or c.name in campaigns)
    ]
    stored = _stored(store, now, until)
    rows: list[dict[str, Any]] = []
    for campaign in wanted:
        zone = settings.zone_of(campaign)
        tz = ZoneInfo(zone)
        for instant in itertools.islice(campaign.when.fire_times(now, until, zone), MAX_SLOTS + 1):
            summary = stored.get((campaign.name, instant))
            rows.append(
                {
                    "campaign": campaign.name,
                    "local": instant.astimezone(tz).isoformat(),
                    "zone": zone,
                    "utc": instant.isoformat(),
                    "slot_id": summary.slot_id if summary else None,
                    "slot_state": summary.state if summary else None,
                    "drafts": dict(summary.drafts) if summary else {},
                }
            )
    rows.sort(key=lambda r: (r["utc"], r["campaign"]))
    if len(rows) > MAX_SLOTS:  # an `every = "1m"` campaign over ten years: millions of rows
        log.warning("showing the first %d slots only: narrow it with --days or --campaign", MAX_SLOTS)
        del rows[MAX_SLOTS:]
    return rows


def _stored(store: SlotStore | None, now: datetime, until: datetime) -> dict[tuple[str, datetime], Any]:
    """Slots already in the database; an empty map if there is no usable database yet."""
    if store is None:
        return {}
    try:
        return dict(store.slot_summaries(now, until))
    except BotError as exc:
        log.warning("not showing draft states: %s", exc)
        return {}


def zone_abbreviation(local: str, zone: str) -> str:
    """``CST`` for a local ISO time in ``Asia/Shanghai``."""
    return datetime.fromisoformat(local).astimezone(ZoneInfo(zone)).strftime("%Z")
