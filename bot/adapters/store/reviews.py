"""What reviewers do to drafts: approve, reject, edit. Each is one transaction that changes
the draft, appends its approval record and event rows, and queues or cancels publications.

Approval is bound to the sha256 of the text the reviewer saw: the update's compare-and-set
includes the text, so an edit that lands first makes the approval fail instead of approving a
text nobody read. It includes the draft's expiry too: a draft past its ``expires_at`` at the
caller's ``now`` is neither approved nor edited (:class:`~bot.domain.errors.DraftExpired`; an
open one becomes ``expired`` then, as the daemon's pass would make it). An edit of an approved
text writes an ``invalidated`` record and cancels the queued publications in the same
transaction (refused if one may already be out).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bot.adapters.store.drafts import DraftsSql, add_moderation
from bot.adapters.store.session import changed
from bot.adapters.store.tables import ApprovalRow, CampaignRow, DraftRow, PublicationRow, SlotRow
from bot.domain import (
    OPEN_DRAFT_STATES,
    Approval,
    CheckResult,
    Decision,
    Draft,
    DraftOrigin,
    DraftState,
    ModerationVerdict,
    PublicationState,
    RejectionCategory,
    Target,
    text_sha256,
    too_late,
)
from bot.domain.errors import DraftExpired, StateConflict
from bot.domain.media import DraftMedia, media_sha256, media_to_json

_QUEUED, _CANCELLED = PublicationState.QUEUED.value, PublicationState.CANCELLED.value


class ReviewsSql(DraftsSql):
    """:class:`~bot.domain.ports.ReviewStore` on SQLAlchemy."""

    def approve_draft(
        self,
        draft_id: int,
        *,
        expected: Iterable[DraftState],
        sha256: str,
        reviewer: str,
        note: str,
        decision: Decision,
        targets: Iterable[Target],
        not_before: datetime,
        now: datetime,
        media_sha256: str | None = None,
    ) -> Draft:
        """Approve the exact text (by sha256) and pictures (by ``media_sha256``) and queue one
        publication per target, atomically."""
        with self._tx() as s:
            row = self._draft_row(s, draft_id)
            targets = list(targets)
            if row.slot_id is not None:
                lock_slot(s, row.slot_id)
            late = self._late(s, row, set(expected), now, reviewer, "approved")
            if late is None:
                old = DraftState(row.state)
                self._check_move(row, old, set(expected), DraftState.APPROVED, sha256)
                _check_media(row, media_sha256)
                if rivals := slot_rivals(s, row.id, row.slot_id, [t.account for t in targets]):
                    raise StateConflict(_rival_message(f"draft {draft_id} is not approved", rivals, draft_id))
                self._cas(s, row, old, now, state=DraftState.APPROVED.value, updated_at=now)
                _record(s, draft_id, decision, reviewer, note, sha256, now, media_sha256)
                self._event(
                    s, now, reviewer, "draft", draft_id, old.value, "approved", note or decision.value
                )
                key_sha = sha256 if media_sha256 is None else f"{sha256}:{media_sha256}"
                for target in targets:
                    self._queue_publication(s, draft_id, target, key_sha, not_before, now, reviewer)
                s.flush()
                s.refresh(row)
                return self._draft(s, row)
        raise late  # after the commit: an open draft's move to expired stays

    def reject_draft(
        self,
        draft_id: int,
        *,
        expected: Iterable[DraftState],
        reviewer: str,
        reason: str,
        now: datetime,
        category: RejectionCategory | None = None,
    ) -> Draft:
        """Reject the draft and record it; an approved one's queued publications are cancelled."""
        with self._tx() as s:
            row = self._draft_row(s, draft_id)
            old = DraftState(row.state)
            if old is DraftState.APPROVED and old not in set(expected):
                raise StateConflict(_approved_hint(s, draft_id))
            self._check_move(row, old, set(expected), DraftState.REJECTED, None)
            if old is DraftState.APPROVED:
                self._cancel_publications(s, draft_id, now, reviewer, f"draft rejected: {reason}")
            self._cas(s, row, old, None, state=DraftState.REJECTED.value, updated_at=now)  # any time
            _record(s, draft_id, Decision.REJECTED, reviewer, reason, text_sha256(row.text), now,
                    row.media_sha256)  # fmt: skip
            details = {"category": category.value} if category else {}
            self._event(
                s, now, reviewer, "draft", draft_id, old.value, DraftState.REJECTED.value, reason, **details
            )
            s.flush()
            s.refresh(row)
            return self._draft(s, row)

    def edit_draft(
        self,
        draft_id: int,
        *,
        expected: Iterable[DraftState],
        expected_sha256: str,
        text: str,
        new_state: DraftState,
        verdict: ModerationVerdict,
        checks: Sequence[CheckResult] | None,
        reviewer: str,
        now: datetime,
        media: Sequence[DraftMedia] | None = None,
        expected_media_sha256: str | None = None,
    ) -> Draft:
        """Replace the text (and, given ``media``, the pictures) the reviewer saw; re-scored,
        re-checked, any approval invalidated."""
        with self._tx() as s:
            row = self._draft_row(s, draft_id)
            late = self._late(s, row, set(expected), now, reviewer, "edited")
            if late is None:
                old = DraftState(row.state)
                self._check_move(row, old, set(expected), new_state, expected_sha256)
                values: dict[str, Any] = {"state": new_state.value, "updated_at": now, "text": text}
                if text != row.text:
                    values["origin"] = DraftOrigin.HUMAN.value
                if checks is not None:
                    values["checks"] = [c.to_dict() for c in checks]
                what = "text edited after approval"
                if media is not None:
                    _check_media(row, expected_media_sha256)
                    values.update(media=media_to_json(media), media_sha256=media_sha256(media))
                    if values["media_sha256"] != row.media_sha256 and text == row.text:
                        what = "pictures changed after approval"
                if old is DraftState.APPROVED:
                    self._cancel_publications(s, draft_id, now, reviewer, "draft edited after approval")
                    _record(s, draft_id, Decision.INVALIDATED, reviewer, what, expected_sha256, now,
                            row.media_sha256)  # fmt: skip
                self._cas(s, row, old, now, **values)
                add_moderation(s, draft_id, text, verdict, now)
                self._event(s, now, reviewer, "draft", draft_id, old.value, new_state.value, "edited")
                s.flush()
                s.refresh(row)
                return self._draft(s, row)
        raise late  # after the commit: an open draft's move to expired stays

    def approvals(self, draft_id: int) -> list[Approval]:
        with self._tx() as s:
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
                    media_sha256=r.media_sha256,
                )
                for r in rows
            ]

    # -- inside one transaction ---------------------------------------------------------------

    @staticmethod
    def _cas(s: Session, row: DraftRow, old: DraftState, now: datetime | None, **values: Any) -> None:
        """Update the draft only if it still has the state and the text that were checked, and
        (given ``now``) is not past its expiry then: the clock is part of the compare-and-set."""
        in_time = [] if now is None else [or_(DraftRow.expires_at.is_(None), DraftRow.expires_at > now)]
        cas = update(DraftRow).where(
            DraftRow.id == row.id,
            DraftRow.state == old.value,
            DraftRow.text == row.text,
            DraftRow.media_sha256.is_(None)
            if row.media_sha256 is None
            else DraftRow.media_sha256 == row.media_sha256,
            *in_time,
        )
        if not changed(s, cas.values(**values)):
            raise StateConflict(f"draft {row.id} was changed by someone else; look again")

    def _late(
        self, s: Session, row: DraftRow, expected: set[DraftState], now: datetime, actor: str, action: str
    ) -> DraftExpired | None:
        """The refusal of ``action`` on a draft past its expiry at ``now`` (:func:`too_late`; an
        approved one only if ``expected`` allows it, as for an edit); None: in time, or refused
        for its state as usual. An open draft is made ``expired`` here, as the daemon's pass
        would, in the caller's transaction; the caller raises the error once it is committed."""
        old = DraftState(row.state)
        if not too_late(old, row.expires_at, now, approved_too=DraftState.APPROVED in expected):
            return None
        assert row.expires_at is not None
        if old in OPEN_DRAFT_STATES:
            self._expire_row(s, row.id, old.value, now, actor, f"expired: past its expiry, not {action}")
        campaign = s.scalar(select(CampaignRow.name).where(CampaignRow.id == row.campaign_id)) or "?"
        return DraftExpired(
            row.id, row.expires_at, campaign, action=action, approved=old is DraftState.APPROVED
        )

    def _queue_publication(
        self,
        s: Session,
        draft_id: int,
        target: Target,
        sha: str,
        not_before: datetime,
        now: datetime,
        actor: str,
    ) -> None:
        key = _idempotency_key(draft_id, target.account, sha)
        existing = s.scalar(
            select(PublicationRow).where(
                PublicationRow.draft_id == draft_id, PublicationRow.account == target.account
            )
        )
        if existing is None:
            row = PublicationRow(
                draft_id=draft_id,
                account=target.account,
                platform=target.platform,
                state=_QUEUED,
                not_before=not_before,
                attempts=0,
                idempotency_key=key,
                created_at=now,
                updated_at=now,
            )
            s.add(row)
            s.flush()
            self._event(s, now, actor, "publication", row.id, None, _QUEUED, target.account)
        elif existing.state == _CANCELLED:
            existing.state, existing.idempotency_key, existing.attempts = _QUEUED, key, 0
            existing.media_ids = None  # uploads of an earlier approval are not this one's
            existing.not_before, existing.updated_at, existing.last_error = not_before, now, None
            self._event(s, now, actor, "publication", existing.id, _CANCELLED, _QUEUED, "re-approved")
        else:
            raise StateConflict(
                f"draft {draft_id} already has a {existing.state} publication on {target.account}"
            )

    def _cancel_publications(self, s: Session, draft_id: int, now: datetime, actor: str, reason: str) -> None:
        """Cancel a draft's queued publications; refuse if one may already be out."""
        rows = s.scalars(select(PublicationRow).where(PublicationRow.draft_id == draft_id)).all()
        busy = [r for r in rows if r.state not in {_QUEUED, _CANCELLED}]
        if busy:
            states = ", ".join(f"{r.account}: {r.state}" for r in busy)
            raise StateConflict(f"draft {draft_id} is already being published ({states})")
        for r in rows:
            if r.state == _QUEUED:
                r.state, r.updated_at = _CANCELLED, now
                self._event(s, now, actor, "publication", r.id, _QUEUED, _CANCELLED, reason)


def _record(
    s: Session,
    draft_id: int,
    decision: Decision,
    reviewer: str,
    note: str,
    sha: str,
    now: datetime,
    media_sha: str | None = None,
) -> None:
    s.add(
        ApprovalRow(
            draft_id=draft_id,
            decision=decision.value,
            reviewer=reviewer,
            note=note,
            text_sha256=sha,
            created_at=now,
            media_sha256=media_sha,
        )
    )


#: Publication states that mean a post of a slot is out, or on its way, on an account.
LIVE = (
    _QUEUED,
    PublicationState.CLAIMED.value,
    PublicationState.PUBLISHED.value,
    PublicationState.NEEDS_CHECK.value,
    PublicationState.PARTIAL.value,
)


@dataclass(frozen=True)
class Rival:
    """A live publication of another draft of the same slot, on the same account."""

    publication_id: int
    draft_id: int
    account: str
    state: str


def lock_slot(s: Session, slot_id: int) -> None:
    """Serialize the approvals of one slot's drafts (Postgres; SQLite has one writer anyway)."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(select(SlotRow.id).where(SlotRow.id == slot_id).with_for_update())


def slot_rivals(s: Session, draft_id: int, slot_id: int | None, accounts: Sequence[str]) -> list[Rival]:
    """The live publications of the slot's other drafts on ``accounts``: a slot posts once per
    account, so a second draft of it must not be queued there too."""
    if slot_id is None or not accounts:
        return []
    rows = s.execute(
        select(PublicationRow.id, PublicationRow.draft_id, PublicationRow.account, PublicationRow.state)
        .join(DraftRow, DraftRow.id == PublicationRow.draft_id)
        .where(
            DraftRow.slot_id == slot_id,
            DraftRow.id != draft_id,
            PublicationRow.account.in_(list(accounts)),
            PublicationRow.state.in_(LIVE),
        )
        .order_by(PublicationRow.id)
    ).all()
    return [Rival(*row) for row in rows]


def _rival_message(head: str, rivals: Sequence[Rival], draft_id: int) -> str:
    """Why a second draft of a slot is not queued, and how to switch to it."""
    where = ", ".join(
        f"{r.account}: publication {r.publication_id} of draft {r.draft_id}, {r.state}" for r in rivals
    )
    others = sorted({r.draft_id for r in rivals})
    text = (
        f"{head}: another draft of the same slot already posts to the same accounts ({where}), "
        "and a slot posts once per account."
    )
    if all(r.state == _QUEUED for r in rivals):
        stop = " and ".join(f"`bot queue reject {d} --withdraw --reason TEXT`" for d in others)
        return f"{text} To post draft {draft_id} instead, withdraw the other first ({stop}), then try again"
    return (
        f"{text} It is out or on its way, so draft {draft_id} cannot replace it; for another post, "
        "fire a new slot (`bot campaigns fire NAME`), or reject this draft"
    )


def _approved_hint(s: Session, draft_id: int) -> str:
    """Why an approved draft is not simply rejected, and which commands stop its posts."""
    pubs = s.execute(
        select(PublicationRow.id, PublicationRow.account, PublicationRow.state)
        .where(PublicationRow.draft_id == draft_id)
        .order_by(PublicationRow.id)
    ).all()
    where = ", ".join(f"publication {p} to {a}: {st}" for p, a, st in pubs) or "no publications"
    stoppable = [p for p, _, st in pubs if st in (_QUEUED, PublicationState.FAILED.value)]
    cancel = " or ".join(f"`bot publications cancel {p}`" for p in stoppable)
    return (
        f"draft {draft_id} is approved, not flagged or pending_review ({where}); to stop it, withdraw "
        f"the approval with `bot queue reject {draft_id} --withdraw --reason TEXT`"
        + (f", or cancel one account's post with {cancel}" if cancel else "")
    )


def _check_media(row: DraftRow, seen: str | None) -> None:
    """The draft's pictures must be those the reviewer saw (by digest; None: none)."""
    if row.media_sha256 != seen:
        raise StateConflict(
            f"draft {row.id}: its pictures or alt texts changed since you read it; look again"
        )


def _idempotency_key(draft_id: int, account: str, sha: str) -> str:
    digest = hashlib.sha256(f"{draft_id}:{account}:{sha}".encode()).hexdigest()
    return f"bot-{draft_id}-{digest[:24]}"
