"""The daemon: fires due slots, drafts them, expires old drafts and publishes approved posts.

Lifecycle (:class:`Daemon`): ``start`` -> ``loop`` -> ``stop``.

- ``start``: on SQLite, take the single-daemon lock (a second daemon is refused with a clear
  message; CLI processes keep working); register in the ``daemons`` table; sync the config's
  campaigns into the store; start the APScheduler clock (:class:`bot.schedule.Alarm`) with one
  wake-up per campaign at its next fire time; tell systemd ``READY=1``.
- ``loop``: a pass (:func:`run_pass`) whenever a campaign's alarm rings and at least every
  ``[bot] poll_interval`` (how often due publications are looked for), then a heartbeat.
  ``WATCHDOG=1`` goes out at half of ``$WATCHDOG_USEC``, also between sends and slots of a
  long pass. SIGHUP reloads the config; a bad new config keeps the old one running, with an
  error in the log.
- ``stop`` (SIGTERM/SIGINT): the send in flight finishes, the claims not yet sent are
  released, ``STOPPING=1`` goes to systemd and the heartbeat row says ``stopped``.

``bot run --once`` runs one pass of the same work and returns.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import select
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import IO, Any

from sqlalchemy.engine import make_url

from bot.adapters.store.engine import redact_url
from bot.config import load_settings
from bot.daemon import sdnotify
from bot.domain import Slot
from bot.domain.errors import BotError, ConfigError
from bot.schedule import Alarm, next_fire_time
from bot.services.catchup import Scheduling, active_campaigns, make_due_slots, take_stale_slots
from bot.services.publishing import PublishReport
from bot.wiring import Wiring

log = logging.getLogger(__name__)

_TICK = timedelta(microseconds=1)


@dataclass
class PassReport:
    """What one pass of the daemon did."""

    slots: list[int] = field(default_factory=list)
    drafts: list[int] = field(default_factory=list)
    expired: list[int] = field(default_factory=list)
    failed_slots: list[str] = field(default_factory=list)
    publishing: PublishReport = field(default_factory=PublishReport)


def scheduling(app: Wiring) -> Scheduling:
    """What the catch-up functions need, taken from the wiring."""
    return Scheduling(app.settings, app.store, app.worker)


def due_slots(app: Wiring, now: datetime) -> list[Slot]:
    """Create the slots due now or missed within the grace window (one winner per slot)."""
    ctx = scheduling(app)
    return make_due_slots(ctx, now) + take_stale_slots(ctx, now)


def run_pass(
    app: Wiring,
    *,
    stopping: Callable[[], bool] = lambda: False,
    keepalive: Callable[[], None] = lambda: None,
) -> PassReport:
    """One pass: expire, fire due slots and draft them, then publish what is due."""
    report = PassReport()
    now = app.clock.now()
    report.expired = app.store.expire_drafts(now, app.worker)
    for slot in due_slots(app, now):
        keepalive()
        report.slots.append(slot.id)
        if stopping():
            # Not drafted: the slot stays pending and another daemon takes it over later.
            continue
        try:
            report.drafts.extend(app.drafting.draft_slot(slot))
        except BotError as exc:
            log.error("slot %d of %s failed: %s", slot.id, slot.campaign_name, exc)
            report.failed_slots.append(f"{slot.campaign_name}: {exc}")
    if not stopping():
        report.publishing = app.publishing.run_once(stopping=stopping)
    return report


class SingleDaemonLock:
    """An exclusive ``flock`` on ``<database>.daemon.lock``: one daemon per SQLite file."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self.path = database.with_name(database.name + ".daemon.lock")
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock or raise BotError naming the daemon that holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise BotError(
                f"another bot daemon ({holder}) is already running on the SQLite database "
                f"{self.database}; SQLite supports one daemon at a time (use Postgres to run "
                f"several). CLI commands keep working alongside it."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} on {socket.gethostname()}\n")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        """Drop the lock (the kernel also drops it if the process dies)."""
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL, None for other databases or in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(str(parsed.database)).resolve()


class Wakeup:
    """A self-pipe: safe to poke from signal handlers and other threads, waited on with select.

    (A ``threading.Event`` is not: setting it from a signal handler that interrupted the same
    thread inside ``Event.wait`` deadlocks on the event's non-reentrant lock.)
    """

    def __init__(self) -> None:
        self._read, self._write = os.pipe()
        os.set_blocking(self._read, False)
        os.set_blocking(self._write, False)

    def set(self) -> None:
        """Wake the waiter (never blocks)."""
        # A full pipe (or a closed one at shutdown) means the waiter is awake anyway.
        with contextlib.suppress(OSError):
            os.write(self._write, b"!")

    def wait(self, timeout: float) -> None:
        """Sleep until poked or ``timeout`` seconds passed, then forget the pokes."""
        with contextlib.suppress(InterruptedError):
            select.select([self._read], [], [], timeout)
        try:
            while os.read(self._read, 4096):
                pass
        except BlockingIOError:
            pass

    def close(self) -> None:
        """Close both ends of the pipe."""
        os.close(self._read)
        os.close(self._write)


class _Flag:
    """A boolean a signal handler may set (plain attribute, no lock)."""

    def __init__(self) -> None:
        self.value = False

    def set(self) -> None:
        self.value = True

    def clear(self) -> None:
        self.value = False

    def is_set(self) -> bool:
        return self.value


class Daemon:
    """``bot run``: passes on alarms and every ``poll_interval`` until told to stop."""

    def __init__(self, app: Wiring) -> None:
        self.app = app
        self._stop = _Flag()
        self._wake = Wakeup()
        self._reload = _Flag()
        self._lock: SingleDaemonLock | None = None
        self._alarm = Alarm(self._on_alarm)
        self._next: dict[str, datetime | None] = {}
        self._watchdog = sdnotify.watchdog_period()
        self._last_ping = 0.0
        self._started = False

    # -- signals and alarms -----------------------------------------------------------------

    def request_stop(self, signum: int, _frame: FrameType | None = None) -> None:
        """SIGTERM/SIGINT: finish the send in flight, then stop."""
        log.info("received %s: finishing the send in flight, then stopping", signal.Signals(signum).name)
        self._stop.set()
        self._wake.set()

    def request_reload(self, _signum: int, _frame: FrameType | None = None) -> None:
        """SIGHUP: reload the config at the next opportunity."""
        self._reload.set()
        self._wake.set()

    def _on_alarm(self, campaign: str) -> None:
        log.debug("alarm for campaign %s", campaign)
        self._wake.set()

    @staticmethod
    def _sync(app: Wiring) -> None:
        """Sync the config's campaigns; a brief the gate flags is logged, not fatal."""
        for warning in app.sync.sync(app.worker).warnings:
            log.warning("%s", warning.message())
        from bot.services.templates import template_problems

        for problem in template_problems(app.settings, app.clock.now()):
            log.error("template does not render (its slots will fail): %s", problem)

    def _stopping(self) -> bool:
        """Asked between slots and sends: pings the watchdog, then says whether to stop."""
        self.keepalive()
        return self._stop.is_set()

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        """Take the locks, register, sync campaigns, start the clock, and tell systemd READY."""
        path = sqlite_path(self.app.settings.database_url)
        if path is not None:
            self._lock = SingleDaemonLock(path)
            self._lock.acquire()
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)
        signal.signal(signal.SIGHUP, self.request_reload)
        store = self.app.store
        store.register_daemon(
            self.app.worker, socket.gethostname(), os.getpid(), self.app.clock.now(), self._details()
        )
        self._started = True
        forgotten = store.forget_daemons(self.app.clock.now() - timedelta(days=7))
        if forgotten:
            log.info("forgot %d daemon(s) stopped more than a week ago", forgotten)
        self._sync(self.app)
        self._alarm.start()
        log.info(
            "daemon %s started on %s with %d campaign(s)",
            self.app.worker,
            redact_url(self.app.settings.database_url),
            len(self.app.settings.campaigns),
        )
        sdnotify.notify("READY=1", f"STATUS=running as {self.app.worker}", f"MAINPID={os.getpid()}")

    def loop(self) -> None:
        """Passes until a stop is requested."""
        while not self._stop.is_set():
            if self._reload.is_set():
                self._reload.clear()
                self.reload()
            self._one_pass()
            if self._stop.is_set():
                break
            self._reschedule()
            self._heartbeat("running")
            self._wake.wait(self._wait_seconds())

    def stop(self) -> None:
        """Release unsent claims, say ``stopped``, stop the clock and drop the lock."""
        sdnotify.notify("STOPPING=1")
        self._alarm.stop()
        try:
            if self._started:
                released = self.app.store.release_claims(self.app.worker, self.app.clock.now())
                self._heartbeat("stopped")
                log.info("daemon %s stopped; released %d claims", self.app.worker, released)
        finally:
            self._wake.close()
            if self._lock is not None:
                self._lock.release()

    def run(self) -> None:
        """start, loop, stop."""
        try:
            self.start()
            self.loop()
        finally:
            self.stop()

    # -- the work -----------------------------------------------------------------------------

    def _one_pass(self) -> None:
        try:
            report = run_pass(self.app, stopping=self._stopping, keepalive=self.keepalive)
        except BotError as exc:
            log.error("pass failed: %s", exc)
            return
        except Exception:
            log.exception("pass failed unexpectedly; trying again at the next pass")
            return
        if report.slots or report.expired or report.publishing.published:
            log.info(
                "pass: %d slot(s), %d draft(s), %d expired, %d published",
                len(report.slots),
                len(report.drafts),
                len(report.expired),
                len(report.publishing.published),
            )

    def keepalive(self) -> None:
        """``WATCHDOG=1`` if half the watchdog period has passed since the last one."""
        if self._watchdog is None:
            return
        now = time.monotonic()
        if now - self._last_ping >= self._watchdog:
            self._last_ping = now
            sdnotify.notify("WATCHDOG=1")

    def _wait_seconds(self) -> float:
        wait = self.app.settings.bot.poll_interval.total_seconds()
        if self._watchdog is not None:
            wait = min(wait, self._watchdog)
        return max(wait, 0.01)

    def _reschedule(self) -> None:
        """One APScheduler wake-up per campaign, at its next fire time after now."""
        now = self.app.clock.now()
        wanted = {}
        for item in active_campaigns(scheduling(self.app)):
            name = item.record.name
            known = self._next.get(name)
            if name not in self._next or (known is not None and known <= now):
                known = next_fire_time(item.settings.when, item.zone, now + _TICK)
                self._alarm.set(name, known)
            wanted[name] = known
        for name in set(self._next) - set(wanted):
            self._alarm.set(name, None)
        self._next = wanted

    def next_slots(self, limit: int = 10) -> list[tuple[str, datetime]]:
        """The next fire time of each campaign, soonest first."""
        upcoming = [(at, name) for name, at in self._next.items() if at is not None]
        return [(name, at) for at, name in sorted(upcoming)[:limit]]

    def _details(self) -> dict[str, Any]:
        settings = self.app.settings
        return {
            "config": str(settings.source) if settings.source else None,
            "poll_interval_s": settings.bot.poll_interval.total_seconds(),
            "campaigns": len(settings.campaigns),
            "next_slots": [{"campaign": n, "at": at.isoformat()} for n, at in self.next_slots()],
        }

    def _heartbeat(self, state: str) -> None:
        try:
            self.app.store.heartbeat(self.app.worker, self.app.clock.now(), state, self._details())
        except BotError as exc:
            log.error("heartbeat failed: %s", exc)
        self.keepalive()

    # -- reload -------------------------------------------------------------------------------

    def reload(self) -> bool:
        """Re-read the config; on any error keep the running one and log why."""
        source = self.app.settings.source
        if source is None:
            log.error("reload ignored: the running config was not read from a file")
            return False
        sdnotify.notify("RELOADING=1")
        try:
            fresh = load_settings(source)
            if fresh.database_url != self.app.settings.database_url:
                raise ConfigError("database_url cannot change on reload: restart the daemon instead")
            app = self.app.reconfigured(fresh)
            self._sync(app)
        except BotError as exc:
            log.error("reload of %s failed; still running the previous config: %s", source, exc)
            sdnotify.notify("READY=1", "STATUS=reload failed; running the previous config")
            return False
        except Exception:
            log.exception("reload of %s failed; still running the previous config", source)
            sdnotify.notify("READY=1", "STATUS=reload failed; running the previous config")
            return False
        self.app = app
        self._alarm.clear()
        self._next = {}
        log.info("reloaded %s: %d campaign(s)", source, len(fresh.campaigns))
        sdnotify.notify("READY=1", f"STATUS=running as {app.worker} (reloaded)")
        return True
