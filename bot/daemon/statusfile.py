"""Each daemon's status file, ``<data_dir>/daemons/<worker>.json``: what ``bot status`` shows
of a daemon when the database cannot tell (it is down), and what the daemon said about its
last outage.

The daemon writes it when the database goes away (and at each retry) and when it comes back,
and removes it when it stops cleanly. A file whose process is gone is stale: ignored, and
removed by the next daemon that starts (a SIGKILLed daemon leaves one behind). Only the
daemons of this host that share this ``data_dir`` are seen; daemons elsewhere report through
the database's heartbeats.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
from pathlib import Path
from typing import Any


def directory(data_dir: Path) -> Path:
    return data_dir / "daemons"


def path_for(data_dir: Path, worker: str) -> Path:
    return directory(data_dir) / f"{worker}.json"


def write(data_dir: Path, worker: str, report: dict[str, Any]) -> None:
    """Replace the worker's status file atomically; a failure is not the daemon's problem."""
    target = path_for(data_dir, worker)
    body = {"worker": worker, "pid": os.getpid(), "host": socket.gethostname(), **report}
    with contextlib.suppress(OSError):
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(".tmp")
        temporary.write_text(json.dumps(body, default=str, sort_keys=True), encoding="utf-8")
        temporary.replace(target)


def remove(data_dir: Path, worker: str) -> None:
    """Drop the worker's status file (clean stop)."""
    with contextlib.suppress(OSError):
        path_for(data_dir, worker).unlink()


def read_live(data_dir: Path) -> list[dict[str, Any]]:
    """The status files of the daemons of this host that are still running."""
    return [report for _, report in _this_host(data_dir) if _alive(report["pid"])]


def prune(data_dir: Path) -> int:
    """Remove the status files of this host's daemons that are gone; return how many."""
    removed = 0
    for path, report in _this_host(data_dir):
        if not _alive(report["pid"]):
            with contextlib.suppress(OSError):
                path.unlink()
                removed += 1
    return removed


def _this_host(data_dir: Path) -> list[tuple[Path, dict[str, Any]]]:
    """The readable status files written by daemons of this host, with their paths."""
    found = []
    host = socket.gethostname()
    try:
        paths = sorted(directory(data_dir).glob("*.json"))
    except OSError:
        return []
    for path in paths:
        try:
            report = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(report, dict) and report.get("host") == host and isinstance(report.get("pid"), int):
            found.append((path, report))
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
