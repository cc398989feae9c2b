"""``bot campaigns sync`` from another config file than the running daemon's: the daemon
reloads its own file at its next poll and undoes the sync (and a campaign missing from the
other file has its drafts expired meanwhile), so the sync is refused, naming both files;
``--force`` syncs anyway with a warning. Real SQLite, the real CLI in-process, a daemons row as
a running daemon writes it (this process's pid, so it is alive)."""

from __future__ import annotations

import json
import os
import socket
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.adapters.store import engine as engines
from bot.adapters.store.sql import SqlStore
from bot.cli.main import cli
from tests.conftest import BASE_CONFIG
from tests.scheduling_helpers import campaign


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, str]:
    """The daemon's config (``daemon/bot.toml``, campaigns promo and launch) and another one
    (``other/bot.toml``, promo only), on the same database."""
    for name in ("BOT_CONFIG", "BOT_DATABASE_URL", "BOT_FAKE_NOW", "BOT_CLOCK_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BOT_CRASH_LOG", str(tmp_path / "crash.log"))
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    engines.upgrade(url)
    base = BASE_CONFIG.format().replace('data_dir = "data"', f'data_dir = "data"\ndatabase_url = "{url}"')
    paths = []
    for name, extra in (("daemon", campaign("launch", '{ cron = "0 9 * * MON" }')), ("other", "")):
        folder = tmp_path / name
        folder.mkdir()
        path = folder / "bot.toml"
        path.write_text(base + "\n" + extra, encoding="utf-8")
        paths.append(path)
    return paths[0], paths[1], url


def sync(config: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--config", str(config), "campaigns", "sync", *extra])
    output = result.stdout + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in output, output
    return result.exit_code, output


def active(url: str) -> list[str]:
    with closing(SqlStore.open(url)) as store:
        return [c.name for c in store.list_campaigns(active_only=True)]


def test_a_sync_from_another_file_than_the_running_daemons_is_refused(files: tuple[Path, Path, str]) -> None:
    mine, other, url = files
    assert sync(mine)[0] == 0
    with closing(SqlStore.open(url)) as store:
        store.register_daemon(
            "d1", socket.gethostname(), os.getpid(), datetime.now(UTC), {"config": str(mine.resolve())}
        )
    code, output = sync(other)
    assert code == 1, output
    assert f"daemon d1 (pid {os.getpid()} on {socket.gethostname()}) runs with {mine.resolve()}" in output
    assert f"not {other.resolve()}" in output and "undoes this sync" in output and "--force" in output
    assert active(url) == ["launch", "promo"]  # nothing changed
    assert sync(mine)[0] == 0  # the daemon's own file: fine

    code, output = sync(other, "--force", "--json")
    assert code == 0, output
    assert "warning: daemon d1" in output
    data = json.loads(output[output.index("{") : output.rindex("}") + 1])
    assert data["deactivated"] == ["launch"] and len(data["other_configs"]) == 1
    assert active(url) == ["promo"]


def test_a_stopped_daemon_does_not_hold_a_sync(files: tuple[Path, Path, str]) -> None:
    mine, other, url = files
    with closing(SqlStore.open(url)) as store:
        now = datetime.now(UTC)
        store.register_daemon("d1", socket.gethostname(), os.getpid(), now, {"config": str(mine.resolve())})
        store.heartbeat("d1", now, "stopped")
    code, output = sync(other)
    assert code == 0 and "warning" not in output, output
