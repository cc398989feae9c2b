"""Helpers for the scheduling tests: configs on disk, apps on a fixed clock, daemons in subprocesses."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.adapters.store import engine as engines
from bot.config import Settings, load_settings
from bot.domain.ports import FixedClock
from bot.wiring import Wiring
from tests.conftest import subprocess_env

HEADER = """
[bot]
timezone = "{timezone}"
data_dir = "data"
catch_up_grace = "{grace}"
draft_expiry = "{expiry}"
poll_interval = "{poll}"
{database}

[brand]
name = "Lotus Leaf Tea House"
products = ["mooncake gift box"]

[model]
backend = "canned"
candidates = 2
keep = 2

[moderation]
scorers = ["profanity"]

[[accounts]]
name = "outbox"
platform = "dryrun"
"""


def campaign(name: str, when: str, **extra: str) -> str:
    """One ``[[campaigns]]`` table; ``extra`` values are TOML literals."""
    lines = [
        "[[campaigns]]",
        f'name = "{name}"',
        'kind = "greeting"',
        f"when = {when}",
        'accounts = ["outbox"]',
        'brief = "Write a greeting for {{ brand }}."',
        *(f"{key} = {value}" for key, value in extra.items()),
    ]
    return "\n".join(lines) + "\n"


def write_config(
    directory: Path,
    *campaigns: str,
    timezone: str = "UTC",
    grace: str = "6h",
    expiry: str = "48h",
    poll: str = "10s",
    database_url: str | None = None,
) -> Path:
    """Write ``bot.toml`` in ``directory`` and return its path."""
    database = f'database_url = "{database_url}"' if database_url else ""
    text = textwrap.dedent(HEADER).format(
        timezone=timezone, grace=grace, expiry=expiry, poll=poll, database=database
    )
    path = directory / "bot.toml"
    path.write_text(text + "\n" + "\n".join(campaigns), encoding="utf-8")
    return path


def fixed_app(path: Path, at: datetime, **overrides: Any) -> tuple[Wiring, FixedClock]:
    """A wiring on a controllable clock (plus any of its overrides), its database migrated."""
    settings: Settings = load_settings(path)
    engines.upgrade(settings.database_url)
    clock = FixedClock(at)
    return Wiring(settings, clock=clock, **overrides), clock


def short_socket_dir() -> Path:
    """A short directory for unix sockets (their paths must stay under 108 bytes)."""
    return Path(tempfile.mkdtemp(prefix="bn", dir="/tmp"))


class NotifyListener:
    """The systemd side of sd_notify: a unix datagram socket collecting messages."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "notify.sock"
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(self.path))
        self.sock.settimeout(0.2)
        self.messages: list[str] = []

    def wait_for(self, line: str, timeout: float = 60) -> bool:
        """Collect datagrams until one has ``line`` among its lines."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(line in m.splitlines() for m in self.messages):
                return True
            try:
                self.messages.append(self.sock.recv(4096).decode())
            except TimeoutError:
                continue
        return any(line in m.splitlines() for m in self.messages)

    def collect(self, seconds: float) -> None:
        """Read every datagram that arrives within ``seconds``."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                self.messages.append(self.sock.recv(4096).decode())
            except TimeoutError:
                continue

    def count(self, line: str) -> int:
        return sum(line in m.splitlines() for m in self.messages)

    def close(self) -> None:
        self.sock.close()


def start_daemon(config: Path, log: Path, **env: str) -> subprocess.Popen[bytes]:
    """``python -m bot run`` in the background, its output in ``log``."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "--config", str(config), "run"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=subprocess_env(**env),
            cwd=config.parent,
        )


def wait_until(check: Callable[[], bool], timeout: float = 60, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return check()


def stop(proc: subprocess.Popen[bytes], timeout: float = 30) -> int:
    """SIGTERM and wait; kill if it does not stop in time."""
    if proc.poll() is None:
        proc.terminate()
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
