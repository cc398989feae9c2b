"""Databases that go away on purpose: a private Postgres (initdb/pg_ctl on its own port, in a
temporary directory) that can be stopped and started, and a SQLite file locked by another
process; plus a config and a backlog of approved publications for the daemon to publish."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.adapters.store import engine as engines
from bot.config import load_settings
from bot.wiring import Wiring


def postgres_bin() -> Path | None:
    """The directory of the newest installed PostgreSQL server binaries, if any."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrivatePostgres:
    """A throw-away cluster owned by the ``postgres`` user when the tests run as root."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="botpg", dir="/tmp"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/bot"

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bindir / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{tool} failed: {result.stdout}\n{result.stderr}\n{self._log_tail()}")

    def _log_tail(self) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-20:])
        except OSError:
            return ""

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "120", "start"
        )

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "120", "stop")

    def create_database(self) -> None:
        import psycopg

        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True) as c:
            c.execute("CREATE DATABASE bot")

    def destroy(self) -> None:
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


class SqliteLocker:
    """Another process that holds ``BEGIN EXCLUSIVE`` on a SQLite file until told to let go."""

    SCRIPT = textwrap.dedent(
        """
        import sqlite3, sys
        conn = sqlite3.connect(sys.argv[1], timeout=60, isolation_level=None)
        conn.execute("BEGIN EXCLUSIVE")
        print("locked", flush=True)
        sys.stdin.readline()
        conn.execute("ROLLBACK")
        conn.close()
        """
    )

    def __init__(self, database: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", self.SCRIPT, str(database)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line.strip() == "locked", line

    def release(self) -> None:
        assert self.proc.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self.proc.stdin.write("\n")
            self.proc.stdin.flush()
        self.proc.wait(60)
        self.proc.stdin.close()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


CONFIG = """
[bot]
timezone = "UTC"
data_dir = "data"
poll_interval = "1s"
database_url = "{url}"

[brand]
name = "Lotus Leaf Tea House"
products = ["mooncake gift box"]

[model]
backend = "canned"
candidates = 2
keep = 1

[moderation]
scorers = ["profanity"]

[publishing]
lease = "{lease}"

[[accounts]]
name = "outbox"
platform = "dryrun"
min_interval = "{interval}"
timeout = "1s"

[[campaigns]]
name = "tea"
kind = "greeting"
when = {{ cron = "0 10 1 1 *" }}
accounts = ["outbox"]
approval = "auto"
brief = "Write a greeting for {{{{ brand }}}}."
"""


def write_config(directory: Path, url: str, interval: str = "1s", lease: str = "2m") -> Path:
    path = directory / "bot.toml"
    text = textwrap.dedent(CONFIG).format(url=url, interval=interval, lease=lease)
    path.write_text(text, encoding="utf-8")
    return path


def seed_publications(config: Path, count: int) -> list[int]:
    """Migrate the database and queue ``count`` approved publications due now."""
    settings = load_settings(config)
    engines.upgrade(settings.database_url)
    app = Wiring(settings)
    try:
        app.sync.sync("test")
        record = app.store.get_campaign("tea")
        now = datetime.now(UTC)
        for minute in range(count):
            slot = app.store.create_slot(record.id, now - timedelta(minutes=minute + 1), now, "test")
            assert slot is not None
            app.drafting.draft_slot(slot)
        return [p.id for p in app.store.list_publications()]
    finally:
        app.close()
