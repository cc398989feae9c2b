"""Which slots a daemon pass makes: due ones, missed ones (caught up or skipped), stale ones.

For every enabled campaign, at instant ``now``:

- fire times in ``[now - catch_up_grace, now]`` without a slot get one, but never instants
  before the campaign was first synced (a campaign is not "missed" before it existed); the
  unique key (campaign, slot_at) gives exactly one winner when several daemons try;
- fire times older than the grace window that never got a slot (the daemon was down) get a
  ``skipped`` slot, with a warning in the log and an event, so the loss is never silent. Only
  fire times after the campaign was created and after its latest slot count, at most
  :data:`SKIP_LOOKBACK` back and :data:`MAX_SKIPPED` of them per campaign per pass (older ones
  are counted in the log line);
- slots left ``pending`` for :data:`STALE_AFTER` (their maker died mid-draft), or at once when
  their maker is provably dead (:func:`dead_makers`), are taken over
  by compare-and-set and drafted again, unless they already have drafts or their campaign was
  disabled or removed since (then they are skipped).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.config import Settings
from bot.config.campaigns import CampaignSettings
from bot.domain import CampaignHistory, CampaignRecord, Slot, SlotState
from bot.domain.errors import NotConfigured, StateConflict
from bot.domain.ports import CampaignStore, DaemonStore, DraftStore, SlotStore
from bot.services.status import dead_owner

log = logging.getLogger(__name__)

SKIP_LOOKBACK = timedelta(days=7)
MAX_SKIPPED = 20
STALE_AFTER = timedelta(minutes=15)
_TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class Active:
    """An enabled campaign: its stored record, its settings and its time zone."""

    record: CampaignRecord
    settings: CampaignSettings
    zone: str


class CatchUpStore(CampaignStore, SlotStore, DraftStore, DaemonStore, Protocol):
    """What the catch-up needs of the store."""


@dataclass(frozen=True)
class Scheduling:
    """The explicit dependencies of the functions below."""

    settings: Settings
    store: CatchUpStore
    worker: str


def active_campaigns(ctx: Scheduling) -> Iterator[Active]:
    """Campaigns active in the store and enabled in the current config."""
    for record in ctx.store.list_campaigns(active_only=True):
        try:
            campaign = ctx.settings.campaign(record.name)
        except NotConfigured:
            continue
        if campaign.enabled:
            yield Active(record, campaign, ctx.settings.zone_of(campaign))


def make_due_slots(ctx: Scheduling, now: datetime) -> list[Slot]:
    """Create the due slots (this worker won them) and record skipped ones; return the due."""
    grace = ctx.settings.bot.catch_up_grace
    existing = ctx.store.slot_keys(now - max(grace, SKIP_LOOKBACK), now)
    histories = ctx.store.campaign_histories()
    created: list[Slot] = []
    for item in active_campaigns(ctx):
        history = histories.get(item.record.id)
        # A campaign never fires for instants before it existed (it was not "missed" then).
        start = now - grace if history is None else max(now - grace, history.created_at)
        for instant in item.settings.when.fire_times(start, now + _TICK, item.zone):
            if (item.record.id, instant) not in existing:
                slot = ctx.store.create_slot(item.record.id, instant, now, ctx.worker)
                if slot is not None:
                    created.append(slot)
        if history is not None:
            _skip_missed(ctx, item, history, existing, now)
    return created


def _skip_missed(
    ctx: Scheduling,
    item: Active,
    history: CampaignHistory,
    existing: set[tuple[int, datetime]],
    now: datetime,
) -> None:
    grace = ctx.settings.bot.catch_up_grace
    start = max(history.created_at, now - SKIP_LOOKBACK)
    if history.last_slot_at is not None:
        start = max(start, history.last_slot_at + _TICK)
    if start >= now - grace:
        return
    missed = [
        t
        for t in item.settings.when.fire_times(start, now - grace, item.zone)
        if (item.record.id, t) not in existing
    ]
    if not missed:
        return
    kept, dropped = missed[-MAX_SKIPPED:], len(missed) - min(len(missed), MAX_SKIPPED)
    log.warning(
        "campaign %s: %d slot(s) missed while no daemon ran, older than catch_up_grace %s: skipped %s%s",
        item.record.name,
        len(missed),
        grace,
        ", ".join(t.isoformat() for t in kept),
        f" (and {dropped} older ones, not recorded)" if dropped else "",
    )
    for instant in kept:
        slot = ctx.store.create_slot(item.record.id, instant, now, ctx.worker)
        if slot is not None:
            reason = f"missed by {now - instant}, older than catch_up_grace {grace}"
            ctx.store.finish_slot(slot.id, SlotState.SKIPPED, now, ctx.worker, reason)


def dead_makers(ctx: Scheduling, now: datetime) -> list[str]:
    """The makers of pending slots that are provably dead (see :func:`dead_owner`: this host,
    pid gone, a daemon's heartbeat stopped): their slots need not wait for STALE_AFTER. A live
    maker, or one on another host, keeps its slot until then."""
    makers = ctx.store.pending_slot_makers() - {ctx.worker}
    if not makers:
        return []
    daemons = ctx.store.list_daemons()
    return sorted(m for m in makers if dead_owner(m, daemons, now, stamped=False)[0])


def take_stale_slots(ctx: Scheduling, now: datetime) -> list[Slot]:
    """Pending slots whose maker died: take them over and return those still to draft.

    Slots that already have drafts are closed as drafted; slots now older than the grace
    window are closed as skipped (with a warning), like any other slot missed for too long.
    """
    grace = ctx.settings.bot.catch_up_grace
    enabled = {item.record.name for item in active_campaigns(ctx)}
    todo = []
    dead = dead_makers(ctx, now)
    for slot in ctx.store.take_stale_slots(now - STALE_AFTER, now, ctx.worker, dead):
        if ctx.store.list_drafts(slot_id=slot.id, limit=1):
            with contextlib.suppress(StateConflict):
                ctx.store.finish_slot(slot.id, SlotState.DRAFTED, now, ctx.worker, "drafts found on takeover")
        elif slot.campaign_name not in enabled:
            log.warning(
                "slot %d of %s was left pending by a dead worker; the campaign is disabled or no "
                "longer in the config: skipped, not drafted",
                slot.id,
                slot.campaign_name,
            )
            with contextlib.suppress(StateConflict):
                reason = "left pending by a dead worker; campaign disabled or removed since"
                ctx.store.finish_slot(slot.id, SlotState.SKIPPED, now, ctx.worker, reason)
        elif slot.slot_at < now - grace:
            log.warning(
                "slot %d of %s at %s was left pending by a dead worker and is older than "
                "catch_up_grace %s: skipped",
                slot.id,
                slot.campaign_name,
                slot.slot_at.isoformat(),
                grace,
            )
            with contextlib.suppress(StateConflict):
                reason = f"left pending by a dead worker; older than catch_up_grace {grace}"
                ctx.store.finish_slot(slot.id, SlotState.SKIPPED, now, ctx.worker, reason)
        else:
            log.warning(
                "slot %d of %s was left pending by a dead worker: drafting it", slot.id, slot.campaign_name
            )
            todo.append(slot)
    return todo
