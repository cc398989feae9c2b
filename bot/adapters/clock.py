"""The clock the CLI and the daemon read: the system clock, or one the tests control.

Production reads the system clock. Two environment variables, meant for tests only, replace it
(the wiring picks the clock with :func:`clock_from_env`):

- ``BOT_FAKE_NOW=2026-05-01T09:30:00+00:00``: the clock stands still at that instant, for the
  whole process (one CLI command).
- ``BOT_CLOCK_FILE=/path/to/clock``: the file holds an ISO 8601 instant and is read at every
  call, so a test moves a running daemon's clock by rewriting it (:func:`set_clock_file`).
  Between writes the clock stands still.

A value without a UTC offset is read as UTC. A value that is not an instant is a
:class:`~bot.domain.errors.ConfigError` naming the variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from bot.domain.errors import ConfigError
from bot.domain.ports import Clock, FixedClock, SystemClock

FAKE_NOW = "BOT_FAKE_NOW"
CLOCK_FILE = "BOT_CLOCK_FILE"


def parse_instant(text: str, source: str) -> datetime:
    """An aware UTC instant from ISO 8601 text; ConfigError naming ``source`` otherwise."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(
            f"{source}: expected an ISO 8601 instant such as 2026-05-01T09:30:00+00:00, got {text.strip()!r}"
        ) from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class FileClock:
    """A clock that reads its instant from a file at every call (tests move it by writing)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.now()  # a missing or unreadable file is an error at start, not at the first slot

    def now(self) -> datetime:
        """The instant the file holds."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{CLOCK_FILE}={self.path}: cannot read the clock file ({exc})") from None
        return parse_instant(text, f"{CLOCK_FILE}={self.path}")


def set_clock_file(path: Path, at: datetime) -> None:
    """Move a :class:`FileClock` to ``at`` (written atomically: a reader never sees half)."""
    staged = path.with_name(path.name + ".new")
    staged.write_text(at.astimezone(UTC).isoformat(), encoding="utf-8")
    staged.replace(path)


def clock_from_env(environ: Mapping[str, str] | None = None) -> Clock:
    """The clock the environment asks for: a test clock, or the system clock by default."""
    env = os.environ if environ is None else environ
    if env.get(CLOCK_FILE):
        return FileClock(Path(env[CLOCK_FILE]))
    if env.get(FAKE_NOW):
        return FixedClock(parse_instant(env[FAKE_NOW], FAKE_NOW))
    return SystemClock()
