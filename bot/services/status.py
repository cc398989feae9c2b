"""``bot status`` as a use case: which daemons are alive, the next slots, the queue sizes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.domain import DaemonInfo
from bot.domain.ports import Clock, StoreReader

if TYPE_CHECKING:
    from bot.config import Settings

#: A daemon counts as alive while its heartbeat is younger than this many poll intervals.
ALIVE_FACTOR = 3


def daemon_json(info: DaemonInfo, now: datetime) -> dict[str, Any]:
    """A daemon's row with its liveness: ``lost`` when its heartbeat is too old."""
    poll = float(info.details.get("poll_interval_s") or 10.0)
    age = (now - info.heartbeat_at).total_seconds()
    alive = info.state != "stopped" and age <= ALIVE_FACTOR * max(poll, 5.0) + 5.0
    return {
        "worker": info.worker_id,
        "host": info.host,
        "pid": info.pid,
        "state": info.state if alive or info.state == "stopped" else "lost",
        "alive": alive,
        "started_at": info.started_at,
        "heartbeat_at": info.heartbeat_at,
        "heartbeat_age_s": round(age, 1),
        "config": info.details.get("config"),
    }


class StatusService:
    """Reads the store (daemons, queues, pauses) and the config (the next slots)."""

    def __init__(self, settings: Callable[[], Settings], reader: StoreReader, clock: Clock) -> None:
        self._settings = settings
        self._reader = reader
        self._clock = clock

    def status(self, n_slots: int) -> dict[str, Any]:
        """Everything ``bot status`` shows, with stable keys."""
        now = self._clock.now()
        return {
            "now": now,
            "daemons": [daemon_json(d, now) for d in self._reader.list_daemons()],
            "next_slots": self.next_slots(now, n_slots),
            "queues": self._reader.queue_sizes(),
            "paused_accounts": self._reader.paused_accounts(),
        }

    def next_slots(self, now: datetime, limit: int) -> list[dict[str, Any]]:
        """The next ``limit`` firings of the enabled campaigns after ``now``, soonest first."""
        from bot.schedule import next_fire_time

        settings = self._settings()
        upcoming: list[dict[str, Any]] = []
        for campaign in settings.campaigns:
            if not campaign.enabled:
                continue
            zone = settings.zone_of(campaign)
            at = next_fire_time(campaign.when, zone, now + timedelta(microseconds=1))
            if at is not None:
                upcoming.append({"campaign": campaign.name, "utc": at, "zone": zone})
        upcoming.sort(key=lambda item: item["utc"])
        return upcoming[:limit]
