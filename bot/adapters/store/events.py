"""The append-only event log: every state change, who made it, when and why."""

from __future__ import annotations

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
