"""``bot status`` as a use case: which daemons are alive, the next slots, the queue sizes,
and the daemons' own reports (their status files, readable while the database is down)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.domain import DaemonInfo
from bot.domain.ports import Clock, DaemonStore, StoreReader

if TYPE_CHECKING:
    from bot.config import Settings

#: A daemon counts as alive while its heartbeat is younger than this many poll intervals.
ALIVE_FACTOR = 3


def process_gone(host: str, pid: int) -> bool:
    """True when the daemon's process is known to be dead: it ran on this host and no process
    has its pid (SIGKILL, a crash). False whenever that cannot be told (another host, EPERM)."""
    import os
    import socket

    if pid <= 0 or host != socket.gethostname():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # it exists, under another user
    return False


def dead_owner(
    owner: str, daemons: Sequence[DaemonInfo], now: datetime, *, stamped: bool
) -> tuple[bool, str]:
    """Whether the worker ``owner`` (``host-pid-random``) is provably dead, and why (or why
    that cannot be told). Provably: it ran on this host, no process has its pid, and, if it is
    a daemon, its heartbeat is old too (another machine may carry the same host name: a live
    daemon there keeps its heartbeat fresh). A worker that is no daemon (``bot run --once``)
    leaves no heartbeat, so only its pid tells; its claim is taken over early only when the
    caller never stamped it (a stamped one may be mid-send on a same-named machine)."""
    host = owner.rpartition("-")[0]
    host, _, pid_text = host.rpartition("-")
    if not host or not pid_text.isdigit():
        return False, "its worker id names no host and pid"
    pid = int(pid_text)
    if host != _host():
        return False, f"it runs on host {host}; whether it is alive cannot be told from here"
    if not process_gone(host, pid):
        return False, f"pid {pid} is alive on this host"
    info = next((d for d in daemons if d.worker_id == owner), None)
    if info is None and stamped:
        return False, (
            f"pid {pid} is not alive on this host, but it is no daemon (no heartbeat to confirm it) "
            "and it had started sending"
        )
    if info is None:
        return True, f"pid {pid} is not alive on this host and it never started sending"
    poll = float(info.details.get("poll_interval_s") or 10.0)
    fresh = timedelta(seconds=ALIVE_FACTOR * max(poll, 5.0) + 5.0)
    if info.state != "stopped" and now - info.heartbeat_at <= fresh:
        stale_at = info.heartbeat_at + fresh
        return False, (
            f"pid {pid} is not alive on this host, but its heartbeat is only "
            f"{(now - info.heartbeat_at).total_seconds():.0f} s old (a machine with the same host "
            f"name may run it); after {stale_at:%H:%M:%S} UTC without a heartbeat it is taken over"
        )
    return True, f"pid {pid} is not alive on this host and its heartbeat stopped"


def daemon_json(info: DaemonInfo, now: datetime) -> dict[str, Any]:
    """A daemon's row with its liveness: ``lost`` when its heartbeat is too old, or at once
    when it ran on this host and its process is gone; ``note`` says which, or how long the
    pass in progress has run."""
    poll = float(info.details.get("poll_interval_s") or 10.0)
    age = (now - info.heartbeat_at).total_seconds()
    alive = info.state != "stopped" and age <= ALIVE_FACTOR * max(poll, 5.0) + 5.0
    gone = info.state != "stopped" and process_gone(info.host, info.pid)
    alive = alive and not gone
    return {
        "note": _note(info, now, alive, gone, age),
        "worker": info.worker_id,
        "host": info.host,
        "pid": info.pid,
        "state": info.state if alive or info.state == "stopped" else "lost",
        "alive": alive,
        "started_at": info.started_at,
        "heartbeat_at": info.heartbeat_at,
        "heartbeat_age_s": round(age, 1),
        "config": info.details.get("config"),
        "last_outage": info.details.get("last_outage"),
    }


def forget_lost(store: DaemonStore, now: datetime) -> list[str]:
    """Forget the daemons that are ``lost`` now (crashed, killed, or stuck); their workers. One
    that was only stuck registers again at its next heartbeat."""
    lost = [d.worker_id for d in store.list_daemons() if daemon_json(d, now)["state"] == "lost"]
    if lost:
        store.forget_daemons(now, lost)
    return lost


def _note(info: DaemonInfo, now: datetime, alive: bool, gone: bool, age: float) -> str:
    """Why a daemon is lost, or what a live one is doing ("" when there is nothing to add)."""
    if info.state == "stopped":
        return ""
    last = f"last heartbeat {age:.0f} s ago"
    if gone:
        return f"not responding ({last}; pid {info.pid} is not alive on this host)"
    if not alive and info.host != _host():
        return f"not responding ({last}; pid {info.pid} on host {info.host})"
    if not alive:
        return f"not responding ({last}; pid {info.pid} exists on this host: stuck, or its number reused)"
    since = info.details.get("busy_since")
    if isinstance(since, str):
        try:
            started = datetime.fromisoformat(since)
        except ValueError:
            return ""
        return f"in a pass for {(now - started).total_seconds():.0f} s"
    return ""


def _host() -> str:
    import socket

    return socket.gethostname()


class StatusService:
    """Reads the store (daemons, queues, pauses), the config (the next slots) and the daemons'
    reports. Each part is opened on first use (``settings``, ``reader`` and ``reports`` are
    callables), so a database that is down is a StoreUnavailable from :meth:`status` alone."""

    def __init__(
        self,
        settings: Callable[[], Settings],
        reader: Callable[[], StoreReader],
        clock: Clock,
        reports: Callable[[], list[dict[str, Any]]] = list,
    ) -> None:
        self._settings = settings
        self._reader = reader
        self._clock = clock
        self.reports = reports

    def status(self, n_slots: int) -> dict[str, Any]:
        """Everything ``bot status`` shows, with stable keys."""
        now = self._clock.now()
        reports = self.reports()
        reader = self._reader()
        return {
            "now": now,
            "daemons": [daemon_json(d, now) for d in reader.list_daemons()],
            "next_slots": self.next_slots(now, n_slots),
            "queues": reader.queue_sizes(),
            "paused_accounts": reader.paused_accounts(),
            "reports": reports,
        }

    def next_slots(self, now: datetime, limit: int) -> list[dict[str, Any]]:
        """The next ``limit`` firings of the enabled campaigns after ``now``, soonest first."""
        settings = self._settings()
        upcoming: list[dict[str, Any]] = []
        for campaign in settings.campaigns:
            if not campaign.enabled:
                continue
            zone = settings.zone_of(campaign)
            at = campaign.when.next_after(now, zone)
            if at is not None:
                upcoming.append({"campaign": campaign.name, "utc": at, "zone": zone})
        upcoming.sort(key=lambda item: item["utc"])
        return upcoming[:limit]
