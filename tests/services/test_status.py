"""The status service: a daemon is alive while its heartbeat is young, ``lost`` after, and the
next slots come from the config's triggers, soonest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.adapters.store.sql import SqlStore
from bot.config import Settings
from bot.domain.ports import FixedClock
from bot.services.status import StatusService

NOW = datetime(2026, 9, 24, 1, 0, tzinfo=UTC)


def test_liveness_and_next_slots(store: SqlStore, settings: Settings) -> None:
    store.register_daemon("fresh", "h", 1, NOW, {"poll_interval_s": 10})
    store.register_daemon("old", "h", 2, NOW - timedelta(hours=1), {"poll_interval_s": 10})
    store.register_daemon("done", "h", 3, NOW - timedelta(hours=1), {})
    store.heartbeat("done", NOW - timedelta(hours=1), "stopped")
    reports = [{"worker": "fresh", "database_unavailable_since": None}]
    service = StatusService(
        lambda: settings, lambda: store, FixedClock(NOW + timedelta(seconds=5)), lambda: reports
    )

    data = service.status(5)

    states = {d["worker"]: (d["state"], d["alive"]) for d in data["daemons"]}
    assert states == {"fresh": ("starting", True), "old": ("lost", False), "done": ("stopped", False)}
    (slot,) = data["next_slots"]  # the base config: promo, every Friday 10:00 Asia/Shanghai
    assert slot["campaign"] == "promo" and slot["utc"] == datetime(2026, 9, 25, 2, 0, tzinfo=UTC)
    assert data["reports"] == reports and data["queues"]["drafts"] == {}


def test_a_daemon_whose_process_is_gone_on_this_host_is_lost_at_once(
    store: SqlStore, settings: Settings
) -> None:
    """SIGKILL: the heartbeat is still young, but the pid on this host is dead."""
    import os
    import socket
    import subprocess
    import sys

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait(timeout=60)
    host = socket.gethostname()
    store.register_daemon("killed", host, dead.pid, NOW, {"poll_interval_s": 10})
    store.register_daemon("me", host, os.getpid(), NOW, {"poll_interval_s": 10})
    service = StatusService(lambda: settings, lambda: store, FixedClock(NOW + timedelta(seconds=5)))
    daemons = {d["worker"]: d for d in service.status(1)["daemons"]}
    states = {name: (d["state"], d["alive"]) for name, d in daemons.items()}
    assert states == {"killed": ("lost", False), "me": ("starting", True)}
    assert daemons["killed"]["note"] == (
        f"not responding (last heartbeat 5 s ago; pid {dead.pid} is not alive on this host)"
    )
    assert daemons["me"]["note"] == ""


def test_notes_say_why_a_daemon_is_lost_and_how_long_a_pass_has_run(
    store: SqlStore, settings: Settings
) -> None:
    import os
    import socket

    host = socket.gethostname()
    store.register_daemon("elsewhere", "another-host", 7, NOW - timedelta(minutes=2), {"poll_interval_s": 10})
    store.register_daemon("stuck", host, os.getpid(), NOW - timedelta(minutes=2), {"poll_interval_s": 10})
    busy = {"poll_interval_s": 10, "busy_since": (NOW - timedelta(seconds=95)).isoformat()}
    store.register_daemon("busy", host, os.getpid(), NOW - timedelta(seconds=2), busy)
    service = StatusService(lambda: settings, lambda: store, FixedClock(NOW))
    notes = {d["worker"]: (d["state"], d["note"]) for d in service.status(1)["daemons"]}
    assert notes == {
        "elsewhere": ("lost", "not responding (last heartbeat 120 s ago; pid 7 on host another-host)"),
        "stuck": (
            "lost",
            f"not responding (last heartbeat 120 s ago; pid {os.getpid()} exists on this host: "
            "stuck, or its number reused)",
        ),
        "busy": ("starting", "in a pass for 95 s"),
    }
