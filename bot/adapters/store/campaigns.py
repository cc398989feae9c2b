"""Campaigns as synced from the config: added, updated, deactivated (never deleted)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.adapters.store.session import StoreBase, changed
from bot.adapters.store.tables import (
    CampaignRow,
    DraftRow,
    PublicationRow,
    SlotRow,
)
from bot.domain import (
    CampaignHistory,
    CampaignKind,
    CampaignRecord,
    CampaignSpec,
    DraftState,
    HeldPublication,
    PublicationState,
    SyncReport,
)
from bot.domain.errors import NotFound, StateConflict


class CampaignsSql(StoreBase):
    """:class:`~bot.domain.ports.CampaignStore` on SQLAlchemy."""

    def sync_campaigns(self, specs: Sequence[CampaignSpec], now: datetime, actor: str) -> SyncReport:
        """Make the stored campaigns match the config; removed ones are deactivated, not deleted.

        Two processes syncing the same new campaign at once: the loser's insert hits the unique
        name, and its second attempt sees the winner's row.
        """
        try:
            return self._sync_campaigns(specs, now, actor)
        except StateConflict:
            return self._sync_campaigns(specs, now, actor)

    def _sync_campaigns(self, specs: Sequence[CampaignSpec], now: datetime, actor: str) -> SyncReport:
        added, updated, unchanged = [], [], []
        wanted = {spec.name: spec for spec in specs}
        with self._tx() as s:
            rows = {row.name: row for row in s.scalars(select(CampaignRow))}
            for name, spec in wanted.items():
                digest = _digest(spec.spec)
                row = rows.get(name)
                if row is None:
                    row = CampaignRow(
                        name=name,
                        kind=spec.kind.value,
                        active=spec.active,
                        spec=spec.spec,
                        spec_hash=digest,
                        created_at=now,
                        updated_at=now,
                    )
                    s.add(row)
                    s.flush()
                    added.append(name)
                    self._event(s, now, actor, "campaign", row.id, None, _active(spec.active), "added")
                elif row.spec_hash != digest or row.active != spec.active:
                    old = _active(row.active)
                    row.kind, row.spec, row.spec_hash = spec.kind.value, spec.spec, digest
                    row.active, row.updated_at = spec.active, now
                    updated.append(name)
                    self._event(s, now, actor, "campaign", row.id, old, _active(spec.active), "updated")
                else:
                    unchanged.append(name)
            deactivated, expired, held = [], [], []
            for name, row in rows.items():
                if name in wanted:
                    continue
                if row.active:
                    row.active, row.updated_at = False, now
                    deactivated.append(name)
                    self._event(
                        s, now, actor, "campaign", row.id, "active", "inactive", "removed from config"
                    )
                held += self._hold_approved(s, row, now, actor, removed=True)
                expired += self._expire_open(s, row.id, now, actor)
            for name, row in rows.items():
                if name in wanted and not row.active:  # enabled = false
                    held += self._hold_approved(s, row, now, actor, removed=False)
            changed_now = {*deactivated, *updated}
            in_flight = [
                p for name in changed_now if name in rows and not rows[name].active
                for p in _in_flight(s, rows[name], removed=name not in wanted)
            ]  # fmt: skip
        return SyncReport(
            tuple(added),
            tuple(updated),
            tuple(deactivated),
            tuple(unchanged),
            tuple(expired),
            tuple(held),
            tuple(in_flight),
        )

    def _hold_approved(
        self, s: Session, campaign: CampaignRow, now: datetime, actor: str, *, removed: bool
    ) -> list[HeldPublication]:
        """Cancel the queued publications of a campaign removed from the config or disabled:
        a pulled campaign's approved posts never go out by themselves. A draft none of whose
        publications is left (all cancelled) goes back to review, its approval void, so that
        approving it again once the campaign is back queues it again; removal then expires it
        with the campaign's other open drafts."""
        why = "campaign removed from the config" if removed else "campaign disabled in the config"
        queued, cancelled = PublicationState.QUEUED.value, PublicationState.CANCELLED.value
        rows = s.execute(
            select(PublicationRow.id, PublicationRow.draft_id, PublicationRow.account)
            .join(DraftRow, DraftRow.id == PublicationRow.draft_id)
            .where(DraftRow.campaign_id == campaign.id, PublicationRow.state == queued)
            .order_by(PublicationRow.id)
        ).all()
        held: list[tuple[int, int, str]] = []
        for pub_id, draft_id, account in rows:
            moved = update(PublicationRow).where(PublicationRow.id == pub_id, PublicationRow.state == queued)
            if changed(s, moved.values(state=cancelled, updated_at=now, last_error=why)):
                self._event(s, now, actor, "publication", pub_id, queued, cancelled, why)
                held.append((pub_id, draft_id, account))
        reopened = {d for d in {d for _, d, _ in held} if self.reopen_unposted(s, d, now, actor, why)}
        return [
            HeldPublication(pub_id, draft_id, account, campaign.name, removed, draft_id in reopened)
            for pub_id, draft_id, account in held
        ]

    def _expire_open(self, s: Session, campaign_id: int, now: datetime, actor: str) -> list[int]:
        """Expire the open drafts of a campaign that left the config (compare-and-set each)."""
        open_states = [DraftState.PENDING_REVIEW.value, DraftState.FLAGGED.value]
        rows = s.execute(
            select(DraftRow.id, DraftRow.state)
            .where(DraftRow.campaign_id == campaign_id, DraftRow.state.in_(open_states))
            .order_by(DraftRow.id)  # listed in id order on every database
        ).all()
        expired = []
        for draft_id, state in rows:
            moved = update(DraftRow).where(DraftRow.id == draft_id, DraftRow.state == state)
            if changed(s, moved.values(state=DraftState.EXPIRED.value, updated_at=now)):
                expired.append(draft_id)
                self._event(
                    s, now, actor, "draft", draft_id, state, DraftState.EXPIRED.value, "campaign removed"
                )
        return expired

    def list_campaigns(self, *, active_only: bool = False) -> list[CampaignRecord]:
        query = select(CampaignRow).order_by(CampaignRow.name)
        if active_only:
            query = query.where(CampaignRow.active.is_(True))
        with self._tx() as s:
            return [_campaign(r) for r in s.scalars(query)]

    def get_campaign(self, name: str) -> CampaignRecord:
        with self._tx() as s:
            row = s.scalar(select(CampaignRow).where(CampaignRow.name == name))
            if row is None:
                raise NotFound(f"no campaign named {name!r} in the store (run `bot campaigns sync`?)")
            return _campaign(row)

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
        with self._tx() as s:
            return {
                cid: CampaignHistory(created, _aware(latest)) for cid, created, latest in s.execute(query)
            }


def _in_flight(s: Session, campaign: CampaignRow, *, removed: bool) -> list[HeldPublication]:
    """The campaign's publications a sync cannot stop: being sent, or waiting for a check."""
    busy = [PublicationState.CLAIMED.value, PublicationState.NEEDS_CHECK.value]
    rows = s.execute(
        select(PublicationRow.id, PublicationRow.draft_id, PublicationRow.account, PublicationRow.state)
        .join(DraftRow, DraftRow.id == PublicationRow.draft_id)
        .where(DraftRow.campaign_id == campaign.id, PublicationRow.state.in_(busy))
        .order_by(PublicationRow.id)
    ).all()
    return [HeldPublication(p, d, a, campaign.name, removed, state=st) for p, d, a, st in rows]


def _digest(spec: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()


def _active(active: bool) -> str:
    return "active" if active else "inactive"


def _aware(value: datetime | None) -> datetime | None:
    """func.max() bypasses the column type on some drivers: make the result aware UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _campaign(row: CampaignRow) -> CampaignRecord:
    return CampaignRecord(
        id=row.id,
        name=row.name,
        kind=CampaignKind(row.kind),
        active=row.active,
        spec=row.spec,
        updated_at=row.updated_at,
    )
