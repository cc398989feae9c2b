"""The append-only event log: every state change, who made it, when and why."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.adapters.store.session import StoreBase
from bot.adapters.store.tables import EventRow
from bot.domain import Event


class EventsSql(StoreBase):
    """:class:`~bot.domain.ports.EventLog` on SQLAlchemy (rows are written by ``_event``)."""

    def events(
        self, *, entity: str | None = None, entity_id: int | None = None, limit: int = 100
    ) -> list[Event]:
        query = select(EventRow).order_by(EventRow.id.desc()).limit(limit)
        if entity:
            query = query.where(EventRow.entity == entity)
        if entity_id is not None:
            query = query.where(EventRow.entity_id == entity_id)
        with self._tx() as s:
            rows = s.scalars(query).all()
        return [_event(r) for r in reversed(rows)]

    def events_after(
        self,
        after_id: int,
        *,
        entities: Collection[str],
        to_states: Collection[str] | None = None,
        limit: int = 100,
    ) -> list[Event]:
        query = (
            select(EventRow)
            .where(EventRow.id > after_id, EventRow.entity.in_(list(entities)))
            .order_by(EventRow.id)
            .limit(limit)
        )
        if to_states is not None:
            query = query.where(EventRow.to_state.in_(list(to_states)))
        with self._tx() as s:
            return [_event(r) for r in s.scalars(query).all()]

    def append_event(
        self,
        now: datetime,
        actor: str,
        entity: str,
        entity_id: int | None,
        from_state: str | None,
        to_state: str | None,
        reason: str = "",
        details: dict[str, Any] | None = None,
    ) -> int:
        with self._tx() as s:
            row = self._event(
                s, now, actor, entity, entity_id or 0, from_state, to_state, reason, **(details or {})
            )
            s.flush()
            if entity_id is None:
                row.entity_id = row.id  # an entity of its own (a notification): named by its event
            return row.id


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
