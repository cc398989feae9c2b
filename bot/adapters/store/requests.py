"""Requests a person makes of the daemon for a draft (``regenerate`` from the web page)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update

from bot.adapters.store.session import StoreBase, changed
from bot.adapters.store.tables import DraftRequestRow
from bot.domain import OPEN_DRAFT_STATES, DraftState
from bot.domain.errors import NotFound, StateConflict
from bot.domain.requests import OPEN_REQUEST_STATES, DraftRequest, RequestKind, RequestState


class RequestsSql(StoreBase):
    """:class:`~bot.domain.ports.RequestStore` on SQLAlchemy."""

    def request_draft_work(
        self, draft_id: int, kind: RequestKind, *, requester: str, now: datetime
    ) -> DraftRequest:
        """Ask the daemon to do ``kind`` for an open draft; one open request per draft.

        Raises:
            NotFound: no such draft.
            StateConflict: the draft is not open, or a request for it is already waiting.
        """
        with self._tx() as s:
            draft = self._draft_row(s, draft_id)
            if DraftState(draft.state) not in OPEN_DRAFT_STATES:
                raise StateConflict(
                    f"draft {draft_id} is {draft.state}; only an open draft can be regenerated"
                )
            waiting = s.scalars(_open_of(draft_id)).first()
            if waiting is not None:
                raise StateConflict(
                    f"draft {draft_id}: a {waiting.kind} was already asked for by {waiting.requested_by} "
                    f"at {waiting.created_at:%Y-%m-%d %H:%M} UTC; the daemon has not finished it yet"
                )
            row = DraftRequestRow(
                draft_id=draft_id,
                kind=kind.value,
                state=RequestState.PENDING.value,
                requested_by=requester,
                created_at=now,
                updated_at=now,
                result={},
            )
            s.add(row)
            s.flush()
            self._event(
                s,
                now,
                requester,
                "draft",
                draft_id,
                draft.state,
                draft.state,
                f"{kind.value} requested",
                request=row.id,
            )
            return _request(row)

    def draft_requests(
        self, *, draft_id: int | None = None, states: Iterable[RequestState] | None = None, limit: int = 100
    ) -> list[DraftRequest]:
        """Requests (of one draft, in some states), newest first."""
        query = select(DraftRequestRow).order_by(DraftRequestRow.id.desc()).limit(limit)
        if draft_id is not None:
            query = query.where(DraftRequestRow.draft_id == draft_id)
        if states is not None:
            query = query.where(DraftRequestRow.state.in_([s.value for s in states]))
        with self._tx() as s:
            return [_request(r) for r in s.scalars(query)]

    def claim_draft_request(self, worker: str, *, now: datetime, until: datetime) -> DraftRequest | None:
        """The oldest pending request (or a running one whose lease ran out), claimed for
        ``worker`` until ``until``; None when there is none. A compare-and-set: one winner."""
        with self._tx() as s:
            candidates = s.scalars(
                select(DraftRequestRow.id)
                .where(
                    or_(
                        DraftRequestRow.state == RequestState.PENDING.value,
                        (DraftRequestRow.state == RequestState.RUNNING.value)
                        & (DraftRequestRow.claimed_until < now),
                    )
                )
                .order_by(DraftRequestRow.id)
                .limit(5)
            ).all()
            for request_id in candidates:
                row = s.get(DraftRequestRow, request_id)
                if row is None:
                    continue
                won = changed(
                    s,
                    update(DraftRequestRow)
                    .where(DraftRequestRow.id == request_id, DraftRequestRow.state == row.state)
                    .where(or_(DraftRequestRow.claimed_until.is_(None), DraftRequestRow.claimed_until < now))
                    .values(
                        state=RequestState.RUNNING.value,
                        claimed_by=worker,
                        claimed_until=until,
                        updated_at=now,
                    ),
                )
                if won:
                    s.refresh(row)
                    return _request(row)
            return None

    def finish_draft_request(
        self,
        request_id: int,
        worker: str,
        *,
        ok: bool,
        now: datetime,
        result: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> DraftRequest:
        """Record how a claimed request ended (``done`` or ``failed``) with its event.

        Raises:
            StateConflict: the request is not (any more) claimed by ``worker``.
        """
        new = RequestState.DONE if ok else RequestState.FAILED
        with self._tx() as s:
            row = s.get(DraftRequestRow, request_id)
            if row is None:
                raise NotFound(f"no request {request_id}")
            won = changed(
                s,
                update(DraftRequestRow)
                .where(
                    DraftRequestRow.id == request_id,
                    DraftRequestRow.state == RequestState.RUNNING.value,
                    DraftRequestRow.claimed_by == worker,
                )
                .values(
                    state=new.value, result=result or {}, error=error, updated_at=now, claimed_until=None
                ),
            )
            if not won:
                raise StateConflict(f"request {request_id} is no longer claimed by {worker}")
            reason = f"{row.kind} {new.value}" + (f": {error}" if error else "")
            self._event(s, now, worker, "draft", row.draft_id, None, None, reason, request=request_id)
            s.refresh(row)
            return _request(row)


def _open_of(draft_id: int) -> Any:
    return select(DraftRequestRow).where(
        DraftRequestRow.draft_id == draft_id,
        DraftRequestRow.state.in_([s.value for s in OPEN_REQUEST_STATES]),
    )


def _request(row: DraftRequestRow) -> DraftRequest:
    return DraftRequest(
        id=row.id,
        draft_id=row.draft_id,
        kind=RequestKind(row.kind),
        state=RequestState(row.state),
        requested_by=row.requested_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        claimed_by=row.claimed_by,
        claimed_until=row.claimed_until,
        result=dict(row.result or {}),
        error=row.error,
    )
