"""Slots: one firing of a campaign at one instant, unique per (campaign, instant).

A slot is made ``pending`` by the worker that fired it (the unique key picks one winner) and
closed as ``drafted``, ``failed`` or ``skipped``. A slot left pending by a dead worker is taken
over by compare-and-set on its maker.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from bot.adapters.store.session import StoreBase, changed
from bot.adapters.store.tables import CampaignRow, DraftRow, SlotRow
from bot.domain import Slot, SlotState, SlotSummary
from bot.domain.errors import NotFound, StateConflict

_PENDING = SlotState.PENDING.value


class SlotsSql(StoreBase):
    """:class:`~bot.domain.ports.SlotStore` on SQLAlchemy."""

    def create_slot(self, campaign_id: int, slot_at: datetime, now: datetime, actor: str) -> Slot | None:
        """Create the slot, or return None if it already exists (someone else fired it)."""
        try:
            with self._tx() as s:
                row = SlotRow(
                    campaign_id=campaign_id, slot_at=slot_at, state=_PENDING, created_by=actor, created_at=now
                )
                s.add(row)
                s.flush()
                self._event(s, now, actor, "slot", row.id, None, row.state, slot_at=slot_at.isoformat())
                return _slot(s, row)
        except StateConflict:
            return None

    def finish_slot(
        self, slot_id: int, state: SlotState, now: datetime, actor: str, error: str | None = None
    ) -> None:
        with self._tx() as s:
            done = changed(
                s,
                update(SlotRow)
                .where(SlotRow.id == slot_id, SlotRow.state == _PENDING)
                .values(state=state.value, error=error),
            )
            if not done:
                raise StateConflict(f"slot {slot_id} is no longer pending")
            self._event(s, now, actor, "slot", slot_id, _PENDING, state.value, error or "")

    def get_slot(self, slot_id: int) -> Slot:
        with self._tx() as s:
            row = s.get(SlotRow, slot_id)
            if row is None:
                raise NotFound(f"no slot {slot_id}")
            return _slot(s, row)

    def list_slots(self, *, since: datetime | None = None, until: datetime | None = None) -> list[Slot]:
        query = select(SlotRow).order_by(SlotRow.slot_at)
        if since is not None:
            query = query.where(SlotRow.slot_at >= since)
        if until is not None:
            query = query.where(SlotRow.slot_at < until)
        with self._tx() as s:
            return [_slot(s, r) for r in s.scalars(query)]

    def take_stale_slots(
        self, created_before: datetime, now: datetime, worker: str, dead: Collection[str] = ()
    ) -> list[Slot]:
        """Claim (compare-and-set on the maker) pending slots created before ``created_before``
        or by one of the ``dead`` workers."""
        taken: list[Slot] = []
        stale = SlotRow.created_at < created_before
        if dead:
            stale = or_(stale, SlotRow.created_by.in_(list(dead)))
        with self._tx() as s:
            rows = s.execute(
                select(SlotRow.id, SlotRow.created_by).where(SlotRow.state == _PENDING, stale)
            ).all()
            for slot_id, maker in rows:
                done = changed(
                    s,
                    update(SlotRow)
                    .where(SlotRow.id == slot_id, SlotRow.state == _PENDING, SlotRow.created_by == maker)
                    .values(created_by=worker, created_at=now),
                )
                if done:
                    self._event(
                        s, now, worker, "slot", slot_id, _PENDING, _PENDING, f"taken over from {maker}"
                    )
                    row = s.get(SlotRow, slot_id)
                    assert row is not None
                    taken.append(_slot(s, row))
        return taken

    def pending_slot_makers(self) -> set[str]:
        with self._tx() as s:
            return set(s.scalars(select(SlotRow.created_by).where(SlotRow.state == _PENDING).distinct()))

    def slot_keys(self, since: datetime, until: datetime) -> set[tuple[int, datetime]]:
        """(campaign id, slot instant) of every slot in ``[since, until]``."""
        query = select(SlotRow.campaign_id, SlotRow.slot_at).where(
            SlotRow.slot_at >= since, SlotRow.slot_at <= until
        )
        with self._tx() as s:
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
        with self._tx() as s:
            counts: dict[int | None, dict[str, int]] = {}
            for slot_id, state, n in s.execute(drafts):
                counts.setdefault(slot_id, {})[state] = n
            return {
                (name, at): SlotSummary(slot_id, state, counts.get(slot_id, {}))
                for slot_id, name, at, state in s.execute(slots)
            }


def _slot(s: Session, row: SlotRow) -> Slot:
    name = s.scalar(select(CampaignRow.name).where(CampaignRow.id == row.campaign_id))
    return Slot(
        id=row.id,
        campaign_id=row.campaign_id,
        campaign_name=name or "?",
        slot_at=row.slot_at,
        state=SlotState(row.state),
        created_at=row.created_at,
        error=row.error,
    )
