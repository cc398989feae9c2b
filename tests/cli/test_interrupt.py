"""Ctrl-C in the CLI: exit 130 with one word, never click's "Aborted!" (exit 1) or a traceback.

The real ``bot`` runs in a pseudo-terminal, as a person runs it; SIGINT is sent only once its
prompt is on the screen (no sleeps: a loaded machine only makes the wait longer).
"""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import run_cli, subprocess_env

#: Generous: a loaded 2-core machine takes seconds to start Python and import click.
WAIT = 60.0


def _read_until(fd: int, wanted: bytes, deadline: float) -> bytes:
    """What the terminal shows until ``wanted`` appears (or the deadline, or the end)."""
    seen = b""
    while wanted not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the other end closed: the process is gone
                break
            if not chunk:
                break
            seen += chunk
    return seen


def test_ctrl_c_at_a_prompt_exits_130_with_one_word(tmp_path: Path) -> None:
    assert run_cli("init", cwd=tmp_path).returncode == 0
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "web", "passwd", "mei"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=tmp_path,
        env=subprocess_env(),
    )
    os.close(slave)
    try:
        shown = _read_until(master, b"Password:", time.monotonic() + WAIT)
        assert b"Password:" in shown, shown
        process.send_signal(signal.SIGINT)
        status = process.wait(timeout=WAIT)
        shown += _read_until(master, b"\x00", time.monotonic() + 2)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    text = shown.decode("utf-8", "replace")
    assert status == 130, text
    assert "interrupted" in text
    assert "Aborted" not in text and "Traceback" not in text
    assert not (tmp_path / "data" / "web-secrets").exists()  # no password was set
