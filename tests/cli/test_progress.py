"""`bot drafts preview`, `bot campaigns fire` and `bot queue regenerate` show on a terminal's
stderr how drafting goes (the hostile pass's finding 14: 40-100 s with nothing on the screen),
and nothing on stdout, with --json, or when stderr is not a terminal. The real CLI in a
subprocess whose stderr is a pseudo-terminal."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import run_cli, subprocess_env

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _on_a_terminal(config: Path, *args: str) -> tuple[int, str, str]:
    """Run ``bot ARGS`` with stderr on a pseudo-terminal: (rc, stdout, what the terminal showed)."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(config), *args],
        stdout=subprocess.PIPE,
        stderr=follower,
        stdin=subprocess.DEVNULL,
        env=subprocess_env(TERM="xterm", COLUMNS="120"),
        cwd=config.parent,
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the follower closed: the process is done with its terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    out, _ = proc.communicate(timeout=300)
    return proc.returncode, out.decode(), _ANSI.sub("", shown.decode(errors="replace"))


def test_preview_and_fire_show_their_stages_on_a_terminal(write_config: Any) -> None:
    config = write_config()
    for args in (("db", "upgrade"), ("campaigns", "sync")):
        assert run_cli(*args, config=config).returncode == 0

    rc, out, shown = _on_a_terminal(config, "drafts", "preview", "promo")
    assert rc == 0, shown
    assert "promo: writing 4 candidates with canned" in shown, shown
    assert "promo: checking 4 candidates" in shown and "promo: moderating" in shown, shown
    assert out.startswith("Candidates for promo at ") and "writing" not in out

    rc, out, shown = _on_a_terminal(config, "campaigns", "fire", "promo")
    assert rc == 0, shown
    assert "promo: writing 4 candidates with canned" in shown and "promo: moderating" in shown, shown
    assert out.startswith("slot 1 at ") and "writing" not in out

    rc, out, shown = _on_a_terminal(config, "campaigns", "fire", "promo", "--json")
    assert rc == 0 and "writing" not in shown and "checking" not in shown, shown
    fired = json.loads(out)
    assert fired["slot"] == 2

    first, second = fired["drafts"][:2]
    rc, out, shown = _on_a_terminal(config, "queue", "regenerate", str(first), "--as", "ann")
    assert rc == 0, shown
    assert "promo: writing 4 candidates with canned" in shown and "promo: moderating" in shown, shown
    assert out.startswith(f"draft {first} rejected; new drafts: ") and "writing" not in out

    rc, out, shown = _on_a_terminal(config, "queue", "regenerate", str(second), "--as", "ann", "--json")
    assert rc == 0 and "writing" not in shown and "checking" not in shown, shown
    assert json.loads(out)["rejected"] == second


def test_no_progress_when_stderr_is_not_a_terminal(write_config: Any) -> None:
    config = write_config()
    for args in (("db", "upgrade"), ("campaigns", "sync")):
        assert run_cli(*args, config=config).returncode == 0
    fired = run_cli("campaigns", "fire", "promo", "--json", config=config)
    assert fired.returncode == 0 and fired.stderr == "", fired.stderr
    draft = json.loads(fired.stdout)["drafts"][0]
    regenerated = run_cli("queue", "regenerate", str(draft), "--as", "ann", config=config)
    assert regenerated.returncode == 0 and regenerated.stderr == "", regenerated.stderr
