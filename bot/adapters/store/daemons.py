"""Daemons' heartbeats and the slot queries the scheduler and ``bot calendar`` need."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update

from bot.adapters.store.base import StoreBase, changed
from bot.adapters.store.tables import CampaignRow, DaemonRow, DraftRow, PublicationRow, SlotRow
from bot.domain import Slot, SlotState


@dataclass(frozen=True)
class DaemonInfo:
    """One daemon as its last heartbeat describes it."""

    worker_id: str
    host: str
    pid: int
    started_at: datetime
    heartbeat_at: datetime
    state: str
    details: dict[str, Any]


@dataclass(frozen=True)
class SlotSummary:
    """A stored slot with the states of its drafts (``bot calendar``)."""

    slot_id: int
    state: str
    drafts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class CampaignHistory:
    """What the scheduler needs to know about a campaign's past slots."""

    created_at: datetime
    last_slot_at: datetime | None


class _SlotTakeover(StoreBase):
    """Taking over slots whose maker died between creating and drafting them."""

    def take_stale_slots(self, created_before: datetime, now: datetime, worker: str) -> list[Slot]:
        """Claim (compare-and-set on the maker) pending slots created before ``created_before``."""
        taken: list[Slot] = []
        with self.tx() as s:
            rows = s.execute(
                select(SlotRow.id, SlotRow.created_by).where(
                    SlotRow.state == SlotState.PENDING.value,
                    SlotRow.created_at < created_before,
                )
            ).all()
            for slot_id, maker in rows:
                done = changed(
                    s,
                    update(SlotRow)
                    .where(SlotRow.id == slot_id, SlotRow.state == SlotState.PENDING.value)
                    .where(SlotRow.created_by == maker)
                    .values(created_by=worker, created_at=now),
                )
                if done:
                    self._event(
                        s, now, worker, "slot", slot_id, "pending", "pending", f"taken over from {maker}"
                    )
                    row = s.get(SlotRow, slot_id)
                    assert row is not None
                    name = s.scalar(select(CampaignRow.name).where(CampaignRow.id == row.campaign_id))
                    taken.append(
                        Slot(
                            row.id,
                            row.campaign_id,
                            name or "?",
                            row.slot_at,
                            SlotState(row.state),
                            now,
                            row.error,
                        )
                    )
        return taken


class DaemonsMixin(_SlotTakeover):
    """Heartbeats (``daemons`` table) and read-mostly slot queries."""

    def register_daemon(
        self, worker: str, host: str, pid: int, now: datetime, details: dict[str, Any]
    ) -> None:
        """Record a starting daemon (state ``starting``)."""
        with self.tx() as s:
            s.add(
                DaemonRow(
                    worker_id=worker,
                    host=host,
                    pid=pid,
                    started_at=now,
                    heartbeat_at=now,
                    state="starting",
                    details=details,
                )
            )

    def heartbeat(
        self, worker: str, now: datetime, state: str, details: dict[str, Any] | None = None
    ) -> bool:
        """Stamp the daemon's heartbeat; False if its row is gone."""
        values: dict[str, Any] = {"heartbeat_at": now, "state": state}
        if details is not None:
            values["details"] = details
        with self.tx() as s:
            return bool(changed(s, update(DaemonRow).where(DaemonRow.worker_id == worker).values(**values)))

    def list_daemons(self) -> list[DaemonInfo]:
        """Every daemon that ever registered, most recent heartbeat first."""
        with self.tx() as s:
            rows = s.scalars(select(DaemonRow).order_by(DaemonRow.heartbeat_at.desc()))
            return [
                DaemonInfo(r.worker_id, r.host, r.pid, r.started_at, r.heartbeat_at, r.state, r.details)
                for r in rows
            ]

    def forget_daemons(self, before: datetime) -> int:
        """Delete stopped daemons' rows whose last heartbeat is older than ``before``."""
        with self.tx() as s:
            rows = s.scalars(
                select(DaemonRow).where(DaemonRow.heartbeat_at < before, DaemonRow.state == "stopped")
            ).all()
            for row in rows:
                s.delete(row)
            return len(rows)

    def queue_sizes(self) -> dict[str, dict[str, int]]:
        """Drafts, publications and slots counted by state."""
        tables = {"drafts": DraftRow.state, "publications": PublicationRow.state, "slots": SlotRow.state}
        with self.tx() as s:
            return {
                name: {row[0]: row[1] for row in s.execute(select(column, func.count()).group_by(column))}
                for name, column in tables.items()
            }

    def campaign_histories(self) -> dict[int, CampaignHistory]:
        """Campaign id -> creation time and latest slot (one query for all campaigns)."""
        last = (
            select(SlotRow.campaign_id, func.max(SlotRow.slot_at).label("last"))
            .group_by(SlotRow.campaign_id)
            .subquery()
        )
        query = select(CampaignRow.id, CampaignRow.created_at, last.c.last).outerjoin(
            last, last.c.campaign_id == CampaignRow.id
        )
        with self.tx() as s:
            return {
                cid: CampaignHistory(created, _aware(latest)) for cid, created, latest in s.execute(query)
            }

    def slot_keys(self, since: datetime, until: datetime) -> set[tuple[int, datetime]]:
        """(campaign id, slot instant) of every slot in ``[since, until]``."""
        query = select(SlotRow.campaign_id, SlotRow.slot_at).where(
            SlotRow.slot_at >= since, SlotRow.slot_at <= until
        )
        with self.tx() as s:
            return {(cid, at) for cid, at in s.execute(query)}

    def slot_summaries(self, since: datetime, until: datetime) -> dict[tuple[str, datetime], SlotSummary]:
        """(campaign name, slot instant) -> the slot's state and its drafts' states."""
        slots = (
            select(SlotRow.id, CampaignRow.name, SlotRow.slot_at, SlotRow.state)
            .join(CampaignRow, CampaignRow.id == SlotRow.campaign_id)
            .where(SlotRow.slot_at >= since, SlotRow.slot_at < until)
        )
        drafts = (
            select(DraftRow.slot_id, DraftRow.state, func.count())
            .join(SlotRow, SlotRow.id == DraftRow.slot_id)
            .where(SlotRow.slot_at >= since, SlotRow.slot_at < until)
            .group_by(DraftRow.slot_id, DraftRow.state)
        )
        with self.tx() as s:
            counts: dict[int | None, dict[str, int]] = {}
            for slot_id, state, n in s.execute(drafts):
                counts.setdefault(slot_id, {})[state] = n
            return {
                (name, at): SlotSummary(slot_id, state, counts.get(slot_id, {}))
                for slot_id, name, at, state in s.execute(slots)
            }


def _aware(value: datetime | None) -> datetime | None:
    """func.max() bypasses the column type on some drivers: make the result aware UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
