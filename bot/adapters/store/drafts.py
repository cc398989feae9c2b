"""Drafts and their moderation audit records (one per text a draft ever had)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.adapters.store.session import StoreBase, _draft, changed
from bot.adapters.store.tables import CampaignRow, DraftRow, ModerationRow, SlotRow
from bot.domain import (
    Candidate,
    Draft,
    DraftState,
    ModerationDecision,
    ModerationRecord,
    ModerationVerdict,
    text_sha256,
)
from bot.domain.media import DraftMedia, media_sha256, media_to_json

_OPEN = (DraftState.PENDING_REVIEW.value, DraftState.FLAGGED.value)


class DraftsSql(StoreBase):
    """:class:`~bot.domain.ports.DraftStore` on SQLAlchemy."""

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
        media: Sequence[DraftMedia] = (),
    ) -> int:
        """Save a candidate as a draft with its moderation record and pictures; return its id."""
        with self._tx() as s:
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
                media=media_to_json(media),
                media_sha256=media_sha256(media),
            )
            s.add(row)
            s.flush()
            add_moderation(s, row.id, candidate.text, verdict, now)
            failed = [c.name for c in candidate.checks if not c.passed]
            reason = verdict.decision.value + (f"; checks failed: {', '.join(failed)}" if failed else "")
            self._event(s, now, actor, "draft", row.id, None, state.value, reason)
            return row.id

    def get_draft(self, draft_id: int) -> Draft:
        with self._tx() as s:
            return self._draft(s, self._draft_row(s, draft_id))

    def list_drafts(
        self,
        *,
        states: Iterable[DraftState] | None = None,
        campaign: str | None = None,
        slot_id: int | Sequence[int] | None = None,
        limit: int | None = None,
        after: int | None = None,
    ) -> list[Draft]:
        conditions: list[Any] = [] if after is None else [DraftRow.id > after]
        if states is not None:
            conditions.append(DraftRow.state.in_([st.value for st in states]))
        if campaign:
            conditions.append(CampaignRow.name == campaign)
        if isinstance(slot_id, int):
            conditions.append(DraftRow.slot_id == slot_id)
        elif slot_id is not None:
            conditions.append(DraftRow.slot_id.in_(list(slot_id)))
        if limit:
            # The first ids from the state index, then only those rows (see the lean reader).
            first = select(DraftRow.id)
            if campaign:
                first = first.join(CampaignRow, CampaignRow.id == DraftRow.campaign_id)
            first = first.where(*conditions).order_by(DraftRow.id).limit(limit)
            conditions = [DraftRow.id.in_(first.scalar_subquery())]
        query = (
            # Plain columns, not ORM objects: listings of thousands of drafts stay fast.
            select(*DraftRow.__table__.c, CampaignRow.name.label("campaign_name"), SlotRow.slot_at)
            .join(CampaignRow, CampaignRow.id == DraftRow.campaign_id)
            .outerjoin(SlotRow, SlotRow.id == DraftRow.slot_id)
            .where(*conditions)
            .order_by(DraftRow.id)
        )
        with self._tx() as s:
            return [_draft(row, row.campaign_name, row.slot_at) for row in s.execute(query)]  # type: ignore[arg-type]

    def moderation_records(self, draft_id: int) -> list[ModerationRecord]:
        with self._tx() as s:
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
        with self._tx() as s:
            due = s.execute(
                select(DraftRow.id, DraftRow.state).where(
                    DraftRow.state.in_(_OPEN), DraftRow.expires_at.is_not(None), DraftRow.expires_at <= now
                )
            ).all()
            return [
                draft_id
                for draft_id, state in due
                if self._expire_row(s, draft_id, state, now, actor, "expired")
            ]

    def expire_draft(self, draft_id: int, *, now: datetime, actor: str, reason: str) -> bool:
        """Move one open draft past its expiry at ``now`` to ``expired`` (compare-and-set on its
        state and its expiry); False when it is not open or not past its expiry."""
        with self._tx() as s:
            row = self._draft_row(s, draft_id)
            return row.state in _OPEN and self._expire_row(s, draft_id, row.state, now, actor, reason)

    def _expire_row(
        self, s: Session, draft_id: int, state: str, now: datetime, actor: str, reason: str
    ) -> bool:
        """``state -> expired`` if the draft is still in ``state`` and past its expiry at ``now``."""
        done = changed(
            s,
            update(DraftRow)
            .where(
                DraftRow.id == draft_id,
                DraftRow.state == state,
                DraftRow.expires_at.is_not(None),
                DraftRow.expires_at <= now,
            )
            .values(state=DraftState.EXPIRED.value, updated_at=now),
        )
        if done:
            self._event(s, now, actor, "draft", draft_id, state, DraftState.EXPIRED.value, reason)
        return bool(done)


def add_moderation(s: Session, draft_id: int, text: str, verdict: ModerationVerdict, now: datetime) -> None:
    """Append the audit record of ``verdict`` for this exact text of the draft."""
    s.add(
        ModerationRow(
            draft_id=draft_id,
            text_sha256=text_sha256(text),
            decision=verdict.decision.value,
            record=verdict.to_dict(),
            created_at=now,
        )
    )


def _verdict(record: dict[str, Any]) -> ModerationVerdict:
    return ModerationVerdict(
        decision=ModerationDecision(record["decision"]),
        scores=record.get("scores", {}),
        thresholds=record.get("thresholds", {}),
        scorers=record.get("scorers", {}),
        reasons=tuple(record.get("reasons", ())),
        holds=tuple(record.get("holds", ())),
    )
