"""Daemons' heartbeats (``bot status``) and the queue sizes shown beside them."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from bot.adapters.store.session import StoreBase, changed
from bot.adapters.store.tables import DaemonRow, DraftRow, EventRow, ModerationRow, PublicationRow, SlotRow
from bot.domain import DaemonInfo
from bot.domain.notify import NOTIFICATION, StoreMetrics


class DaemonsSql(StoreBase):
    """:class:`~bot.domain.ports.DaemonStore` on SQLAlchemy."""

    def register_daemon(
        self, worker: str, host: str, pid: int, now: datetime, details: dict[str, Any]
    ) -> None:
        """Record a starting daemon (state ``starting``)."""
        with self._tx() as s:
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
        with self._tx() as s:
            return bool(changed(s, update(DaemonRow).where(DaemonRow.worker_id == worker).values(**values)))

    def list_daemons(self) -> list[DaemonInfo]:
        """Every daemon that ever registered, most recent heartbeat first."""
        with self._tx() as s:
            rows = s.scalars(select(DaemonRow).order_by(DaemonRow.heartbeat_at.desc()))
            return [
                DaemonInfo(r.worker_id, r.host, r.pid, r.started_at, r.heartbeat_at, r.state, r.details)
                for r in rows
            ]

    def forget_daemons(self, before: datetime, workers: Collection[str] | None = None) -> int:
        """Delete the rows of daemons (of ``workers`` only, if given) whose last heartbeat is
        older than ``before``, whatever their state (stopped, or crashed: ``lost``)."""
        query = select(DaemonRow).where(DaemonRow.heartbeat_at < before)
        if workers is not None:
            query = query.where(DaemonRow.worker_id.in_(list(workers)))
        with self._tx() as s:
            rows = s.scalars(query).all()
            for row in rows:
                s.delete(row)
            return len(rows)

    def queue_sizes(self) -> dict[str, dict[str, int]]:
        """Drafts, publications and slots counted by state."""
        tables = {"drafts": DraftRow.state, "publications": PublicationRow.state, "slots": SlotRow.state}
        with self._tx() as s:
            return {
                name: {row[0]: row[1] for row in s.execute(select(column, func.count()).group_by(column))}
                for name, column in tables.items()
            }

    def store_metrics(self, *, slots: int = 1000) -> StoreMetrics:
        """The counts ``/metrics`` shows, read in one transaction."""
        first_draft = func.min(DraftRow.created_at)
        timing = (
            select(SlotRow.created_at, first_draft)
            .join(DraftRow, DraftRow.slot_id == SlotRow.id)
            .group_by(SlotRow.id, SlotRow.created_at)
            .order_by(SlotRow.id.desc())
            .limit(slots)
        )
        failed = select(EventRow.details).where(
            EventRow.entity == NOTIFICATION, EventRow.to_state == "failed"
        )
        with self._tx() as s:
            drafts = dict(s.execute(select(DraftRow.state, func.count()).group_by(DraftRow.state)).all())
            pubs = s.execute(
                select(PublicationRow.state, PublicationRow.platform, func.count()).group_by(
                    PublicationRow.state, PublicationRow.platform
                )
            )
            moderation = s.execute(
                select(ModerationRow.decision, func.count()).group_by(ModerationRow.decision)
            )
            daemons = s.execute(select(DaemonRow.worker_id, DaemonRow.state, DaemonRow.heartbeat_at))
            failures: dict[str, int] = {}
            for details in s.scalars(failed):
                channel = str((details or {}).get("channel", "unknown"))
                failures[channel] = failures.get(channel, 0) + 1
            return StoreMetrics(
                drafts=drafts,
                publications={(state, platform): n for state, platform, n in pubs},
                moderation=dict(moderation.all()),
                daemons={worker: (state, at) for worker, state, at in daemons},
                notification_failures=failures,
                slot_seconds=[
                    max((drafted - created).total_seconds(), 0.0)
                    for created, drafted in s.execute(timing)
                    if drafted is not None
                ],
            )
