"""The clock adapter: the system clock by default, a test clock from BOT_FAKE_NOW or BOT_CLOCK_FILE."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.clock import FileClock, clock_from_env, set_clock_file
from bot.domain.errors import ConfigError
from bot.domain.ports import SystemClock
from tests.conftest import run_cli
from tests.fixtures.clock import ClockFile


def test_system_clock_by_default() -> None:
    assert isinstance(clock_from_env({}), SystemClock)


def test_fake_now_stands_still_and_reads_naive_as_utc() -> None:
    clock = clock_from_env({"BOT_FAKE_NOW": "2026-05-01T09:30:00"})
    assert clock.now() == clock.now() == datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
    shifted = clock_from_env({"BOT_FAKE_NOW": "2026-05-01T17:30:00+08:00"})
    assert shifted.now() == datetime(2026, 5, 1, 9, 30, tzinfo=UTC)


def test_clock_file_moves_when_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "clock"
    set_clock_file(path, datetime(2026, 5, 1, tzinfo=UTC))
    clock = clock_from_env({"BOT_CLOCK_FILE": str(path)})
    assert isinstance(clock, FileClock) and clock.now() == datetime(2026, 5, 1, tzinfo=UTC)
    set_clock_file(path, datetime(2026, 5, 2, tzinfo=UTC))
    assert clock.now() == datetime(2026, 5, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"BOT_FAKE_NOW": "tomorrow"}, "BOT_FAKE_NOW: expected an ISO 8601 instant"),
        ({"BOT_CLOCK_FILE": "/nonexistent/clock"}, "cannot read the clock file"),
    ],
)
def test_bad_test_clock_is_a_config_error(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        clock_from_env(env)


def test_cli_reads_the_clock_the_test_moves(write_config: Any, clock_file: ClockFile) -> None:
    config = write_config()
    assert run_cli("db", "upgrade", config=config).returncode == 0
    start = clock_file.now
    first = json.loads(run_cli("status", "--json", config=config).stdout)
    assert datetime.fromisoformat(first["now"]) == start
    clock_file.advance(days=3)
    later = json.loads(run_cli("calendar", "--days", "1", "--json", config=config).stdout)
    assert datetime.fromisoformat(later["from"]) == start + timedelta(days=3)
    bad = run_cli("status", config=config, env={"BOT_CLOCK_FILE": "", "BOT_FAKE_NOW": "soon"})
    assert bad.returncode == 1 and "BOT_FAKE_NOW" in bad.stderr and "Traceback" not in bad.stderr
