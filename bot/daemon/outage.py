"""A database outage as the daemon lives through it: when it began, how long to wait before
the next try, and what to say about it (once per outage in the log, in sd_notify's STATUS, in
the daemon's status file and, once the database answers again, in its heartbeat).
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger(__name__)

#: The first retry comes after about this many seconds; each later one waits twice as long...
BACKOFF_BASE_S = 0.5
#: ...but never longer than ``poll_interval`` clamped to these bounds.
BACKOFF_CAP_MIN_S = 5.0
BACKOFF_CAP_MAX_S = 60.0


def backoff_cap(poll_interval_s: float) -> float:
    """The longest wait between two tries: the poll interval, within sane bounds."""
    return min(BACKOFF_CAP_MAX_S, max(BACKOFF_CAP_MIN_S, poll_interval_s))


@dataclass
class Outage:
    """Tracks one outage at a time; :meth:`failed` and :meth:`recovered` say what changed."""

    cap_s: float = BACKOFF_CAP_MIN_S
    rng: random.Random = field(default_factory=random.Random)
    since: datetime | None = None
    retries: int = 0
    error: str = ""
    #: The last outage that ended (kept for the heartbeat and ``bot status``).
    last: dict[str, Any] | None = None
    _started: float = 0.0

    @property
    def active(self) -> bool:
        return self.since is not None

    def failed(self, error: str, now: datetime) -> float:
        """Record a failed try; return how many seconds to wait before the next one.

        Logs only when the outage begins: a retry that fails again says nothing more.
        """
        error = error.removeprefix("database unavailable: ")
        if self.since is None:
            self.since, self.retries, self._started = now, 0, time.monotonic()
            log.warning(
                "database unavailable: %s; the daemon keeps running and retries (every %.0f s at most)",
                error,
                self.cap_s,
            )
        else:
            self.retries += 1
        self.error = error
        ceiling = min(self.cap_s, BACKOFF_BASE_S * 2 ** min(self.retries, 30))
        # "Equal jitter": never a thundering herd of daemons, never a zero wait.
        return self.rng.uniform(ceiling / 2, ceiling)

    def recovered(self, now: datetime) -> dict[str, Any] | None:
        """The database answered: end the outage (if any) and return what it was."""
        if self.since is None:
            return None
        seconds = round(time.monotonic() - self._started, 1)
        self.last = {
            "since": self.since.isoformat(),
            "until": now.isoformat(),
            "seconds": seconds,
            "retries": self.retries,
            "error": self.error,
        }
        log.warning("database available again after %.1f s (%d retries); resuming", seconds, self.retries)
        self.since, self.retries, self.error = None, 0, ""
        return self.last

    def status(self) -> str:
        """The line for sd_notify's STATUS (and ``bot status``) while the outage lasts."""
        if self.since is None:
            return ""
        since = self.since.astimezone(UTC)
        return f"database unavailable since {since:%H:%M} UTC ({self.retries} retries): {self.error}"

    def report(self) -> dict[str, Any]:
        """The outage for the status file and the heartbeat's details."""
        return {
            "database_unavailable_since": self.since.isoformat() if self.since else None,
            "database_error": self.error or None,
            "retries": self.retries,
            "last_outage": self.last,
        }
