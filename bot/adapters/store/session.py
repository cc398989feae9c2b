"""The store's foundation: the engine, one transaction per state change with its event row,
and the row helpers the entity modules share. Sessions never leave the store."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Self, cast

from sqlalchemy import CursorResult, Engine, Executable, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from bot.adapters.store import engine as engines
from bot.adapters.store import faults
from bot.adapters.store.tables import (
    ApprovalRow,
    CampaignRow,
    DraftRow,
    EventRow,
    ModerationRow,
    PublicationRow,
    SlotRow,
)
from bot.domain import (
    Decision,
    Draft,
    DraftOrigin,
    DraftState,
    ModerationDecision,
    PublicationState,
    can_move_draft,
    text_sha256,
)
from bot.domain.errors import NotFound, StateConflict
from bot.domain.media import media_from_json

log = logging.getLogger(__name__)

#: ``Session.info`` key of the events a transaction added: logged after its commit.
_EVENTS = "bot_events"


def changed(s: Session, statement: Executable) -> int:
    """Execute an UPDATE and return how many rows it changed (0: the compare-and-set lost)."""
    return cast(CursorResult[Any], s.execute(statement)).rowcount


class StoreBase:
    """The engine and the transaction every entity module of the store works in."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str, *, check: bool = True, busy_timeout_ms: int = engines.BUSY_TIMEOUT_MS) -> Self:
        """Open the database at ``url``; ``check`` refuses one not at this version's schema."""
        engine = engines.make_engine(url, busy_timeout_ms=busy_timeout_ms)
        if check:
            try:
                engines.check_schema(engine)
            except BaseException:
                engine.dispose()  # its pooled connection must not outlive the refusal
                raise
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        """One transaction. A unique key already taken is :class:`StateConflict`; a database that
        cannot be reached (down, restarting, locked) :class:`StoreUnavailable`, which callers may
        retry; any other database error :class:`StoreError` (the table is in :mod:`.faults`)."""
        try:
            with self._sessions.begin() as session:
                yield session
        except (DBAPIError, PoolTimeout) as exc:
            if isinstance(exc, DBAPIError) and engines.is_damaged(exc):
                raise engines.database_error(self.engine.url.render_as_string(False), exc) from exc
            raise faults.translate(exc) from exc
        # Committed: only now is what the events say true (a "claimed" logged before the commit
        # could be lost with the process; one rolled back never happened).
        for row in session.info.pop(_EVENTS, ()):
            log_event(row)

    @staticmethod
    def _event(
        s: Session,
        now: datetime,
        actor: str,
        entity: str,
        entity_id: int,
        old: str | None,
        new: str | None,
        reason: str = "",
        **details: Any,
    ) -> EventRow:
        row = EventRow(
            at=now,
            actor=actor,
            entity=entity,
            entity_id=entity_id,
            from_state=old,
            to_state=new,
            reason=reason,
            details=details,
        )
        s.add(row)
        s.info.setdefault(_EVENTS, []).append(row)  # logged once the transaction commits
        return row

    @staticmethod
    def _draft_row(s: Session, draft_id: int) -> DraftRow:
        row = s.get(DraftRow, draft_id)
        if row is None:
            raise NotFound(f"no draft {draft_id}")
        return row

    @staticmethod
    def _draft(s: Session, row: DraftRow) -> Draft:
        name = s.scalar(select(CampaignRow.name).where(CampaignRow.id == row.campaign_id))
        slot_at = s.scalar(select(SlotRow.slot_at).where(SlotRow.id == row.slot_id)) if row.slot_id else None
        return _draft(row, name or "?", slot_at)

    @staticmethod
    def _check_move(
        row: DraftRow, old: DraftState, allowed: set[DraftState], new: DraftState, sha: str | None
    ) -> None:
        if old not in allowed:
            wanted = " or ".join(sorted(a.value for a in allowed))
            raise StateConflict(f"draft {row.id} is {old.value}, not {wanted}")
        if not can_move_draft(old, new):
            raise StateConflict(f"draft {row.id} cannot go from {old.value} to {new.value}")
        if sha is not None and text_sha256(row.text) != sha:
            raise StateConflict(
                f"draft {row.id}: its text does not match the sha256 given (the digest is wrong, or the "
                f"draft was edited since you read it); look again with `bot queue show {row.id}`"
            )

    def reopen_unposted(self, s: Session, draft_id: int, now: datetime, actor: str, why: str) -> bool:
        """An approved draft whose publications are all cancelled goes back to review: to
        ``flagged`` when moderation flagged its text (the override went with the approval),
        else to ``pending_review``; its approval is recorded as invalidated. (A sync that holds
        a disabled campaign's posts, and a person cancelling a draft's last publication.)"""
        states = set(s.scalars(select(PublicationRow.state).where(PublicationRow.draft_id == draft_id)))
        if states != {PublicationState.CANCELLED.value}:
            return False  # one is out, failed or in flight: the draft stays approved
        approved = DraftState.APPROVED.value
        row = s.get(DraftRow, draft_id)
        if row is None:
            return False
        sha256 = text_sha256(row.text)
        verdict = s.scalar(
            select(ModerationRow.decision)
            .where(ModerationRow.draft_id == draft_id, ModerationRow.text_sha256 == sha256)
            .order_by(ModerationRow.id.desc())
            .limit(1)
        )
        flagged = verdict == ModerationDecision.FLAG.value
        back = (DraftState.FLAGGED if flagged else DraftState.PENDING_REVIEW).value
        moved = update(DraftRow).where(DraftRow.id == draft_id, DraftRow.state == approved)
        if not changed(s, moved.values(state=back, updated_at=now)):
            return False
        s.add(
            ApprovalRow(
                draft_id=draft_id,
                decision=Decision.INVALIDATED.value,
                reviewer=actor,
                note=why,
                text_sha256=sha256,
                created_at=now,
                media_sha256=row.media_sha256,
            )
        )
        self._event(s, now, actor, "draft", draft_id, approved, back, f"{why}: approval void")
        return True


def _draft(row: DraftRow, campaign_name: str, slot_at: datetime | None) -> Draft:
    return Draft(
        id=row.id,
        campaign_id=row.campaign_id,
        campaign_name=campaign_name,
        slot_id=row.slot_id,
        slot_at=slot_at,
        text=row.text,
        state=DraftState(row.state),
        origin=DraftOrigin(row.origin),
        model_id=row.model_id,
        generation=row.generation,
        checks=row.checks,
        rank_score=row.rank_score,
        created_at=row.created_at,
        updated_at=row.updated_at,
        expires_at=row.expires_at,
        media=media_from_json(row.media),
    )


def log_event(row: EventRow) -> None:
    """One log line for a committed event: ``publication 2: queued -> claimed by w1``; a check
    that changed nothing ``publication 2: still needs_check by w1 why`` (not "needs_check
    -> needs_check"); without a state change ``publication 2: media uploaded (2 ids) by w1`` (no
    "None -> None"); an account's events (entity id 0) ``account: active -> paused by w1 x: why``."""
    if row.from_state and row.to_state:
        same = row.from_state == row.to_state
        change = f"still {row.to_state}" if same else f"{row.from_state} -> {row.to_state}"
    else:
        change = row.to_state or row.from_state or ""
    ids = (row.details or {}).get("media_ids")
    reason = f"{row.reason} ({len(ids)} ids)" if isinstance(ids, list) and row.reason else row.reason
    entity = f"{row.entity} {row.entity_id}" if row.entity_id else row.entity
    if change:
        log.info("%s: %s by %s%s", entity, change, row.actor, f" {reason}" if reason else "")
    else:
        log.info("%s: %s by %s", entity, reason or "(no reason)", row.actor)
