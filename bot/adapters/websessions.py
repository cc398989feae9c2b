"""Ended web sessions: the ids of sessions logged out before their cookie expired.

Session cookies are signed, not stored, so a copy of one would work until its lifetime ends;
logging out records the session's id here, and every ``bot web`` process (several uvicorn
workers, a restart) refuses a cookie whose id is listed. One file under the data directory,
``web-revoked-sessions``, a line ``<session id> <unix time it may be forgotten>`` per session;
writers take an exclusive ``flock``, readers a shared one, and lines past their time (the
session would have expired anyway) are dropped when the next one is added.
"""

from __future__ import annotations

import fcntl
import os
from datetime import datetime, timedelta
from pathlib import Path

from bot.domain.errors import ConfigError

FILE_NAME = "web-revoked-sessions"


class RevokedSessions:
    """The revoked session ids of one data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / FILE_NAME

    def revoke(self, session_id: str, now: datetime, lifetime: timedelta) -> None:
        """Refuse ``session_id`` from ``now`` on (forgotten once ``lifetime`` has passed: no
        session lives longer)."""
        if not session_id or any(c.isspace() for c in session_id):
            return
        until = now + lifetime
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            with os.fdopen(fd, "r+", encoding="utf-8") as file:
                fcntl.flock(file, fcntl.LOCK_EX)
                kept = [line for line in file.read().splitlines() if _alive(line, now.timestamp())]
                kept.append(f"{session_id} {int(until.timestamp()) + 1}")
                file.seek(0)
                file.truncate()
                file.write("".join(f"{line}\n" for line in kept))
                file.flush()
                os.fsync(file.fileno())
        except OSError as exc:
            raise ConfigError(f"cannot record the logout in {self.path}: {exc.strerror}") from None

    def is_revoked(self, session_id: str) -> bool:
        """True when ``session_id`` was logged out (the file is read on every call: it is
        small, and another process may have written it a moment ago)."""
        try:
            with self.path.open(encoding="utf-8") as file:
                fcntl.flock(file, fcntl.LOCK_SH)
                lines = file.read().splitlines()
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise ConfigError(f"cannot read {self.path}: {exc.strerror}") from None
        return any(line.split(" ", 1)[0] == session_id for line in lines)


def _alive(line: str, now: float) -> bool:
    """A line still needed (well formed, its session not yet expired)."""
    parts = line.split(" ")
    return len(parts) == 2 and parts[1].isdigit() and int(parts[1]) > now
