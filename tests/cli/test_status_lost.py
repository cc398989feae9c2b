"""Hostile pass finding 15: `bot status` listed every crashed (`lost`) daemon forever. Now a
daemon lost for a week is forgotten as a stopped one is, the listing keeps every running daemon
and the last few down ones with a count of the rest, and `--forget-lost` clears them. Real
SQLite and Postgres, the real CLI."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner

from bot.adapters.store import engine as engines
from bot.adapters.store.sql import SqlStore
from bot.cli.main import cli


def dead_pid() -> int:
    """The pid of a process that has exited (no process has it now)."""
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    return int(done.stdout)


def status(config: Any, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--config", str(config), "status", *args])
    return result.exit_code, result.output


@pytest.fixture
def crashed(write_config: Any, db_url: str) -> Any:
    """A config on ``db_url`` whose database holds one running daemon (this process), 24 lost
    ones (killed: their pids are gone) and 2 stopped ones."""
    config = write_config(database_url=db_url)
    engines.upgrade(db_url)
    store = SqlStore.open(db_url)
    now, host, pid = datetime.now(UTC), socket.gethostname(), dead_pid()
    try:
        for i in range(24):
            store.register_daemon(f"{host}-{pid}-{i:02d}", host, pid, now - timedelta(minutes=30 - i), {})
        for i in range(2):
            store.register_daemon(f"done-{i}", host, pid, now - timedelta(hours=2), {})
            store.heartbeat(f"done-{i}", now - timedelta(hours=2), "stopped")
        store.register_daemon("alive", host, os.getpid(), now, {"poll_interval_s": 3600})
    finally:
        store.close()
    return config


def test_status_lists_the_last_few_lost_daemons_and_counts_the_rest(crashed: Any) -> None:
    code, output = status(crashed)
    assert code == 0, output
    rows = [line.split() for line in output.splitlines()]
    assert [r[1] for r in rows if len(r) > 1 and r[1] == "lost"] == ["lost"] * 5, output
    assert any(r and r[0] == "alive" for r in rows), output  # the running daemon is always listed
    assert (
        "... and 21 older daemon(s) not listed (19 lost, 2 stopped): `bot status --all` lists them, "
        "`bot status --forget-lost` forgets the lost ones"
    ) in output, output
    code, output = status(crashed, "--all", "--json")
    assert len(json.loads(output)["daemons"]) == 27
    code, output = status(crashed, "--json")
    assert [d["state"] for d in json.loads(output)["daemons"]].count("lost") == 5


def test_forget_lost_clears_them_and_keeps_the_running_and_stopped_ones(crashed: Any) -> None:
    code, output = status(crashed, "--forget-lost")
    assert code == 0, output
    assert output.startswith("forgot 24 lost daemon(s)\n"), output
    code, output = status(crashed, "--all", "--json")
    daemons = json.loads(output)["daemons"]
    assert sorted(d["worker"] for d in daemons) == ["alive", "done-0", "done-1"]


def test_a_daemon_lost_for_a_week_is_forgotten(db_url: str) -> None:
    engines.upgrade(db_url)
    store = SqlStore.open(db_url)
    now = datetime.now(UTC)
    try:
        store.register_daemon("crashed-long-ago", "h", 1, now - timedelta(days=8), {})
        store.register_daemon("crashed-yesterday", "h", 2, now - timedelta(days=1), {})
        store.register_daemon("stopped-long-ago", "h", 3, now - timedelta(days=8), {})
        store.heartbeat("stopped-long-ago", now - timedelta(days=8), "stopped")
        assert store.forget_daemons(now - timedelta(days=7)) == 2
        assert [d.worker_id for d in store.list_daemons()] == ["crashed-yesterday"]
    finally:
        store.close()
