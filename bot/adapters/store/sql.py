"""The store on SQLAlchemy: SQLite (one daemon, many CLI processes) or Postgres (many daemons).

Every change of state is a compare-and-set (``UPDATE ... WHERE state = :expected``) in the
same transaction as its event-log line, so concurrent CLI processes and daemons get exactly
one winner and a :class:`~bot.domain.errors.StateConflict` for the others.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.adapters.store.base import _draft, changed
from bot.adapters.store.daemons import DaemonsMixin
from bot.adapters.store.publications import PublicationsMixin
from bot.adapters.store.tables import (
    ApprovalRow,
    CampaignRow,
    DraftRow,
    EventRow,
    ModerationRow,
    SlotRow,
)
from bot.config.campaigns import CampaignSettings
from bot.domain import (
    Approval,
    CampaignKind,
    CampaignRecord,
    Candidate,
    Decision,
    Draft,
    DraftOrigin,
    DraftState,
    Event,
    ModerationDecision,
    ModerationRecord,
    ModerationVerdict,
    Slot,
    SlotState,
    text_sha256,
)
from bot.domain.errors import NotFound, StateConflict

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncReport:
    added: tuple[str, ...]
    updated: tuple[str, ...]
    deactivated: tuple[str, ...]
    unchanged: tuple[str, ...]


@dataclass(frozen=True)
class CampaignSpec:
    """A campaign as the config has it, ready to sync."""

    name: str
    kind: CampaignKind
    spec: dict[str, Any]
    active: bool = True

    @classmethod
    def of(cls, campaign: CampaignSettings) -> CampaignSpec:
        """The spec of a configured campaign (its settings as JSON)."""
        return cls(campaign.name, campaign.kind, campaign.model_dump(mode="json"), active=campaign.enabled)


class SqlStore(PublicationsMixin, DaemonsMixin):
    """All durable state. Create with :meth:`open`; ``check=False`` skips the schema check."""

    # -- events ---------------------------------------------------------------------------

    def events(
        self, *, entity: str | None = None, entity_id: int | None = None, limit: int = 100
    ) -> list[Event]:
        query = select(EventRow).order_by(EventRow.id.desc()).limit(limit)
        if entity:
            query = query.where(EventRow.entity == entity)
        if entity_id is not None:
            query = query.where(EventRow.entity_id == entity_id)
        with self.tx() as s:
            rows = s.scalars(query).all()
        return [_event(r) for r in reversed(rows)]

    # -- campaigns ------------------------------------------------------------------------

    def sync_campaigns(self, specs: Sequence[CampaignSpec], now: datetime, actor: str) -> SyncReport:
        """Make the stored campaigns match the config; removed ones are deactivated, not deleted.

        Two processes syncing the same new campaign at once: the loser's insert hits the unique
        name, and its second attempt sees the winner's row.
        """
        try:
            return self._sync_campaigns(specs, now, actor)
        except IntegrityError:
            return self._sync_campaigns(specs, now, actor)

    def _sync_campaigns(self, specs: Sequence[CampaignSpec], now: datetime, actor: str) -> SyncReport:
        added, updated, unchanged = [], [], []
        wanted = {spec.name: spec for spec in specs}
        with self.tx() as s:
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
            deactivated = []
            for name, row in rows.items():
                if name not in wanted and row.active:
                    row.active, row.updated_at = False, now
                    deactivated.append(name)
                    self._event(
                        s, now, actor, "campaign", row.id, "active", "inactive", "removed from config"
                    )
        return SyncReport(tuple(added), tuple(updated), tuple(deactivated), tuple(unchanged))

    def list_campaigns(self, *, active_only: bool = False) -> list[CampaignRecord]:
        query = select(CampaignRow).order_by(CampaignRow.name)
        if active_only:
            query = query.where(CampaignRow.active.is_(True))
        with self.tx() as s:
            return [_campaign(r) for r in s.scalars(query)]

    def get_campaign(self, name: str) -> CampaignRecord:
        with self.tx() as s:
            row = s.scalar(select(CampaignRow).where(CampaignRow.name == name))
            if row is None:
                raise NotFound(f"no campaign named {name!r} (run `bot campaigns sync`?)")
            return _campaign(row)

    # -- slots ----------------------------------------------------------------------------

    def create_slot(self, campaign_id: int, slot_at: datetime, now: datetime, actor: str) -> Slot | None:
        """Create the slot, or return None if it already exists (someone else fired it)."""
        try:
            with self.tx() as s:
                row = SlotRow(
                    campaign_id=campaign_id,
                    slot_at=slot_at,
                    state=SlotState.PENDING.value,
                    created_by=actor,
                    created_at=now,
                )
                s.add(row)
                s.flush()
                self._event(s, now, actor, "slot", row.id, None, row.state, slot_at=slot_at.isoformat())
                return self._slot(s, row)
        except IntegrityError:
            return None

    def finish_slot(
        self, slot_id: int, state: SlotState, now: datetime, actor: str, error: str | None = None
    ) -> None:
        with self.tx() as s:
            done = changed(
                s,
                update(SlotRow)
                .where(SlotRow.id == slot_id, SlotRow.state == SlotState.PENDING.value)
                .values(state=state.value, error=error),
            )
            if not done:
                raise StateConflict(f"slot {slot_id} is no longer pending")
            self._event(s, now, actor, "slot", slot_id, SlotState.PENDING.value, state.value, error or "")

    def get_slot(self, slot_id: int) -> Slot:
        with self.tx() as s:
            row = s.get(SlotRow, slot_id)
            if row is None:
                raise NotFound(f"no slot {slot_id}")
            return self._slot(s, row)

    def list_slots(self, *, since: datetime | None = None, until: datetime | None = None) -> list[Slot]:
        query = select(SlotRow).order_by(SlotRow.slot_at)
        if since is not None:
            query = query.where(SlotRow.slot_at >= since)
        if until is not None:
            query = query.where(SlotRow.slot_at < until)
        with self.tx() as s:
            return [self._slot(s, r) for r in s.scalars(query)]

    def last_slot_at(self, campaign_id: int) -> datetime | None:
        with self.tx() as s:
            return s.scalar(select(func.max(SlotRow.slot_at)).where(SlotRow.campaign_id == campaign_id))

    @staticmethod
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

    # -- drafts ---------------------------------------------------------------------------

    def add_draft(
        self,
        *,
        campaign_id: int,
        slot_id: int | None,
        candidate: Candidate,
        verdict: ModerationVerdict,
        state: DraftState,
        expires_at: datetime | None,
        now: datetime,
        actor: str,
    ) -> int:
        """Save a candidate as a draft with its moderation record; return the draft id."""
        with self.tx() as s:
            row = DraftRow(
                campaign_id=campaign_id,
                slot_id=slot_id,
                text=candidate.text,
                state=state.value,
                origin=candidate.origin.value,
                model_id=candidate.model_id,
                generation=candidate.settings,
                checks=[c.to_dict() for c in candidate.checks],
                rank_score=candidate.score,
                created_at=now,
                updated_at=now,
                expires_at=expires_at,
            )
            s.add(row)
            s.flush()
            self._add_moderation(s, row.id, candidate.text, verdict, now)
            self._event(s, now, actor, "draft", row.id, None, state.value, verdict.decision.value)
            return row.id

    @staticmethod
    def _add_moderation(
        s: Session, draft_id: int, text: str, verdict: ModerationVerdict, now: datetime
    ) -> None:
        s.add(
            ModerationRow(
                draft_id=draft_id,
                text_sha256=text_sha256(text),
                decision=verdict.decision.value,
                record=verdict.to_dict(),
                created_at=now,
            )
        )

    def get_draft(self, draft_id: int) -> Draft:
        with self.tx() as s:
            return self._draft(s, self._draft_row(s, draft_id))

    def list_drafts(
        self,
        *,
        states: Iterable[DraftState] | None = None,
        campaign: str | None = None,
        slot_id: int | None = None,
        limit: int | None = None,
    ) -> list[Draft]:
        query = (
            # Plain columns, not ORM objects: listings of thousands of drafts stay fast.
            select(*DraftRow.__table__.c, CampaignRow.name.label("campaign_name"), SlotRow.slot_at)
            .join(CampaignRow, CampaignRow.id == DraftRow.campaign_id)
            .outerjoin(SlotRow, SlotRow.id == DraftRow.slot_id)
            .order_by(DraftRow.id)
        )
        if states is not None:
            query = query.where(DraftRow.state.in_([st.value for st in states]))
        if campaign:
            query = query.where(CampaignRow.name == campaign)
        if slot_id is not None:
            query = query.where(DraftRow.slot_id == slot_id)
        if limit:
            query = query.limit(limit)
        with self.tx() as s:
            return [_draft(row, row.campaign_name, row.slot_at) for row in s.execute(query)]  # type: ignore[arg-type]

    def count_drafts(self) -> dict[str, int]:
        with self.tx() as s:
            rows = s.execute(select(DraftRow.state, func.count()).group_by(DraftRow.state))
            return {row[0]: row[1] for row in rows}

    def move_draft(
        self,
        draft_id: int,
        expected: DraftState | Iterable[DraftState],
        new: DraftState,
        *,
        now: datetime,
        actor: str,
        reason: str = "",
        text: str | None = None,
        verdict: ModerationVerdict | None = None,
        expected_sha256: str | None = None,
    ) -> Draft:
        """Compare-and-set the draft's state (and optionally its text, re-scored by ``verdict``)."""
        allowed = {expected} if isinstance(expected, DraftState) else set(expected)
        with self.tx() as s:
            row = self._draft_row(s, draft_id)
            old = DraftState(row.state)
            self._check_move(row, old, allowed, new, expected_sha256)
            if old is DraftState.APPROVED:
                self.cancel_open_publications(s, draft_id, now, actor, f"draft {new.value}: {reason}")
            values: dict[str, Any] = {"state": new.value, "updated_at": now}
            if text is not None:
                values["text"] = text
                values["origin"] = DraftOrigin.HUMAN.value if text != row.text else row.origin
            cas = update(DraftRow).where(DraftRow.id == draft_id, DraftRow.state == old.value)
            if expected_sha256 is not None:
                cas = cas.where(DraftRow.text == row.text)
            if not changed(s, cas.values(**values)):
                raise StateConflict(f"draft {draft_id} was changed by someone else; look again")
            if verdict is not None:
                self._add_moderation(s, draft_id, text if text is not None else row.text, verdict, now)
            self._event(s, now, actor, "draft", draft_id, old.value, new.value, reason)
            s.flush()
            s.refresh(row)
            return self._draft(s, row)

    def approvals(self, draft_id: int) -> list[Approval]:
        with self.tx() as s:
            rows = s.scalars(
                select(ApprovalRow).where(ApprovalRow.draft_id == draft_id).order_by(ApprovalRow.id)
            )
            return [
                Approval(
                    id=r.id,
                    draft_id=r.draft_id,
                    decision=Decision(r.decision),
                    reviewer=r.reviewer,
                    note=r.note,
                    text_sha256=r.text_sha256,
                    created_at=r.created_at,
                )
                for r in rows
            ]

    def moderation_records(self, draft_id: int) -> list[ModerationRecord]:
        with self.tx() as s:
            rows = s.scalars(
                select(ModerationRow).where(ModerationRow.draft_id == draft_id).order_by(ModerationRow.id)
            )
            return [
                ModerationRecord(
                    id=r.id,
                    draft_id=r.draft_id,
                    text_sha256=r.text_sha256,
                    verdict=_verdict(r.record),
                    created_at=r.created_at,
                )
                for r in rows
            ]

    def expire_drafts(self, now: datetime, actor: str) -> list[int]:
        """Move open drafts whose expiry has passed to ``expired``; return their ids."""
        open_states = [DraftState.PENDING_REVIEW.value, DraftState.FLAGGED.value]
        with self.tx() as s:
            due = s.execute(
                select(DraftRow.id, DraftRow.state).where(
                    DraftRow.state.in_(open_states),
                    DraftRow.expires_at.is_not(None),
                    DraftRow.expires_at <= now,
                )
            ).all()
            expired = []
            for draft_id, state in due:
                done = changed(
                    s,
                    update(DraftRow)
                    .where(DraftRow.id == draft_id, DraftRow.state == state)
                    .values(state=DraftState.EXPIRED.value, updated_at=now),
                )
                if done:
                    expired.append(draft_id)
                    self._event(s, now, actor, "draft", draft_id, state, DraftState.EXPIRED.value, "expired")
        return expired


def _digest(spec: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()


def _active(active: bool) -> str:
    return "active" if active else "inactive"


def _campaign(row: CampaignRow) -> CampaignRecord:
    return CampaignRecord(
        id=row.id,
        name=row.name,
        kind=CampaignKind(row.kind),
        active=row.active,
        spec=row.spec,
        updated_at=row.updated_at,
    )


def _verdict(record: dict[str, Any]) -> ModerationVerdict:
    return ModerationVerdict(
        decision=ModerationDecision(record["decision"]),
        scores=record.get("scores", {}),
        thresholds=record.get("thresholds", {}),
        scorers=record.get("scorers", {}),
        reasons=tuple(record.get("reasons", ())),
    )


def _event(row: EventRow) -> Event:
    return Event(
        id=row.id,
        at=row.at,
        actor=row.actor,
        entity=row.entity,
        entity_id=row.entity_id,
        from_state=row.from_state,
        to_state=row.to_state,
        reason=row.reason,
        details=row.details,
    )
