"""The daemon: fires due slots, drafts them, expires old drafts and publishes approved posts.

Lifecycle (:class:`Daemon`): ``start`` -> ``loop`` -> ``stop``.

- ``start``: on SQLite, take the single-daemon lock (a second daemon is refused with a clear
  message; CLI processes keep working); register in the ``daemons`` table; sync the config's
  campaigns into the store; start the APScheduler clock (:class:`bot.schedule.Alarm`) with one
  wake-up per campaign at its next fire time; tell systemd ``READY=1``.
- ``loop``: a pass (:func:`run_pass`) whenever a campaign's alarm rings and at least every
  ``[bot] poll_interval`` (how often due publications are looked for), then a heartbeat.
  ``WATCHDOG=1`` goes out at half of ``$WATCHDOG_USEC``, also between sends and slots of a
  long pass. SIGHUP reloads the config; a bad new config (also one `bot campaigns sync`
  refuses: a template that does not render) keeps the old one running, with an error in the log.
  At start, such a config ends the daemon (exit 1) before anything is synced.
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
from typing import IO, Any, cast

from sqlalchemy.engine import make_url

from bot.adapters.store.engine import redact_url
from bot.config import Settings, load_settings
from bot.daemon import sdnotify, statusfile
from bot.daemon.outage import Outage, backoff_cap
from bot.daemon.outcomes import KeepingStore
from bot.daemon.pulse import Pulse
from bot.domain import Slot
from bot.domain.errors import BotError, ConfigError, StateConflict, StoreUnavailable
from bot.domain.ports import Store
from bot.domain.requests import DraftRequest
from bot.schedule import Alarm
from bot.services.catchup import Scheduling, active_campaigns, make_due_slots, take_stale_slots
from bot.services.publishing import PublishReport
from bot.services.sync import held_lines
from bot.wiring import Wiring

log = logging.getLogger(__name__)

#: The daemon's SQLite busy timeout: a statement waits at most this long for a lock held by
#: another process, then the daemon backs off (and still answers SIGTERM within seconds).
DAEMON_BUSY_TIMEOUT_MS = 2_000
#: How long a reload waits for the old notifier's message in hand.
RELOAD_NOTIFY_WAIT_S = 2.0


def pulse_every(settings: Settings) -> float:
    """Seconds between heartbeats during a pass: the poll interval, within 1-5 s (``bot status``
    calls a daemon lost after three poll intervals of at least 5 s)."""
    return min(max(settings.bot.poll_interval.total_seconds(), 1.0), 5.0)


def daemon_app(settings: Settings) -> Wiring:
    """The daemon's wiring: its store opens on first use, with a short SQLite busy timeout, and
    keeps the publication outcomes the database could not take (:mod:`bot.daemon.outcomes`)."""
    from bot.adapters.store.sql import SqlStore

    def open_store() -> Store:
        return SqlStore.open(settings.database_url, busy_timeout_ms=DAEMON_BUSY_TIMEOUT_MS)

    return Wiring(settings, store=cast(Store, KeepingStore(open_store)))


@dataclass
class PassReport:
    """What one pass of the daemon did."""

    slots: list[int] = field(default_factory=list)
    drafts: list[int] = field(default_factory=list)
    expired: list[int] = field(default_factory=list)
    failed_slots: list[str] = field(default_factory=list)
    #: Requests served (regenerations asked for on the web page).
    requests: list[int] = field(default_factory=list)
    publishing: PublishReport = field(default_factory=PublishReport)
    #: Notifications queued (the ids of their events); they are sent in the background.
    notified: list[int] = field(default_factory=list)


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
        started = time.monotonic()
        try:
            report.drafts.extend(app.drafting.draft_slot(slot))
            app.metrics.observe_slot(time.monotonic() - started)
        except StoreUnavailable:
            raise  # the whole pass waits for the database; the slot is drafted when it returns
        except BotError as exc:
            log.error("slot %d of %s failed: %s", slot.id, slot.campaign_name, exc)
            report.failed_slots.append(f"{slot.campaign_name}: {exc}")
    if not stopping():
        report.requests = [r.id for r in serve_requests(app, stopping)]
    if not stopping():
        report.publishing = app.publishing.run_once(stopping=stopping)
    if not stopping():
        report.notified = notify(app)
    return report


def sync_campaigns(app: Wiring) -> None:
    """Sync the config's campaigns; a brief the gate flags is logged, not fatal, and so is a
    one-off campaign that is past and will never fire (``bot campaigns sync`` refuses it).
    The templates and pictures were checked before (:meth:`Daemon._refuse_bad_templates`)."""
    for problem in app.sync.never_firing():
        log.error("campaign will never fire: %s", problem)
    outcome = app.sync.sync(app.worker)
    for warning in outcome.warnings:
        log.warning("%s", warning.message())
    for line in held_lines(outcome.report):
        log.warning("%s", line)


def prepare_one_pass(app: Wiring) -> None:
    """What a daemon does at its start, for ``bot run --once`` (cron): refuse a likely rename
    that would lose waiting drafts and approved posts (as `bot campaigns sync` does), then
    sync. Without it, one pass acted on a config the store had not seen: the approved posts of
    a renamed or disabled campaign were cancelled as "removed from the config", where the
    daemon refuses the rename or voids the approval. Templates are not checked first: a brief
    that does not render fails its own slot, and the pass goes on publishing the others."""
    try:
        Daemon._refuse_renames(app)
    except ConfigError as exc:
        raise ConfigError(f"the pass did not run: {exc}") from None
    sync_campaigns(app)


def notify(app: Wiring) -> list[int]:
    """Queue the notifications due (sent on the notifier's own thread: this never waits for a
    webhook or a mail server); a notifier error is logged, never the end of the pass."""
    try:
        return app.notifying.tick()
    except StoreUnavailable:
        raise
    except BotError as exc:
        log.error("notifications: %s", exc)
    except Exception:
        log.exception("notifications failed unexpectedly; trying again at the next pass")
    return []


def serve_requests(app: Wiring, stopping: Callable[[], bool] = lambda: False) -> list[DraftRequest]:
    """Serve what people asked for on the web page (regenerate a draft: loads the model)."""
    from bot.services.drafting.service import regenerate

    def regen(draft_id: int, requester: str) -> list[int]:
        return regenerate(app.drafting, draft_id, requester)

    return app.requests.serve(app.worker, regen, stopping=stopping)


class SingleDaemonLock:
    """An exclusive ``flock`` on ``<database>.daemon.lock``: one daemon per SQLite file."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self.path = database.with_name(database.name + ".daemon.lock")
        self._file: IO[str] | None = None

    def acquire(self, *, one_pass: bool = False) -> None:
        """Take the lock or raise BotError naming the daemon that holds it (``one_pass``: for
        ``bot run --once``, which the running daemon makes needless)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = self.path.open("a+", encoding="utf-8")
        except OSError as exc:
            raise BotError(
                f"cannot write the daemon's lock file {self.path}: {exc.strerror or exc}; "
                "check data_dir (or the SQLite database URL) in the config"
            ) from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            if one_pass:
                raise BotError(
                    f"a bot daemon ({holder}) is running on the SQLite database {self.database} "
                    f"and already does this work; stop it first to run a pass by hand"
                ) from None
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
    """``bot run``: passes on alarms and every ``poll_interval`` until told to stop.

    A database that goes away (:class:`StoreUnavailable`: refused, shutting down, serialization
    failure, SQLite busy) never ends it: whatever step failed (the pass, the rescheduling, the
    heartbeat, even the start) waits with a capped, jittered backoff and is tried again, the
    watchdog keeps being fed, and the outage is reported once in the log, in sd_notify's STATUS
    and in the status file (:mod:`bot.daemon.statusfile`) until the database answers.
    """

    def __init__(self, app: Wiring) -> None:
        self.app = app
        self._stop = _Flag()
        self._wake = Wakeup()
        self._reload = _Flag()
        self._lock: SingleDaemonLock | None = None
        self._alarm = Alarm(self._on_alarm, app.clock)
        self._next: dict[str, datetime | None] = {}
        self._watchdog = sdnotify.watchdog_period()
        self._last_ping = 0.0
        self._started = False
        self._ready = False
        self._reload_waiting = False
        #: The store's campaigns as this daemon last synced them: when `bot campaigns sync`
        #: changes them behind its back, the daemon reloads its config (as on SIGHUP).
        self._campaigns_seen: tuple[tuple[str, bool, str], ...] | None = None
        self.outage = Outage(cap_s=backoff_cap(app.settings.bot.poll_interval.total_seconds()))

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
        # Runs on APScheduler's thread: only pokes the loop, never touches the store.
        with contextlib.suppress(Exception):
            log.debug("alarm for campaign %s", campaign)
            self._wake.set()

    def _sync(self, app: Wiring) -> None:
        """:func:`sync_campaigns`, then remember the store's campaigns as synced."""
        sync_campaigns(app)
        self._campaigns_seen = self._campaign_state(app)

    @staticmethod
    def _refuse_bad_templates(app: Wiring, source: object) -> None:
        """What `bot config check` lists and `bot campaigns sync` refuses (a template that does
        not render or prints an empty variable, a picture that cannot be used) refuses a start
        or a reload before anything is synced: a ConfigError naming the file, the campaign and
        the problem. A reload keeps the running config; a start ends (``bot run`` exits 1)."""
        from bot.services.templates import refuse_sections, template_sections

        now = app.clock.now()

        def pictures() -> list[str]:
            from bot.services.media import media_problems

            return media_problems(app.settings, app.media.fitter, now, app.campaign_context)

        refuse_sections(source, template_sections(app.settings, now, pictures))

    @staticmethod
    def _refuse_renames(app: Wiring) -> None:
        """What `bot campaigns sync` refuses without ``--accept-removal``: a campaign gone from
        the config that looks renamed and has drafts waiting or approved posts queued. Syncing
        would expire them and cancel the posts, so the daemon does not: a ConfigError naming
        both campaigns, what would be lost and the two ways on. A reload keeps the running
        config (the old campaign goes on); a start ends (``bot run`` exits 1). Once someone
        runs `bot campaigns sync --accept-removal`, the daemon sees the store change and
        reloads."""
        if renames := app.sync.likely_renames():
            where = f"{app.settings.source}: " if app.settings.source is not None else ""
            raise ConfigError(f"{where}campaigns not synced: " + "; ".join(r.message() for r in renames))

    @staticmethod
    def _campaign_state(app: Wiring) -> tuple[tuple[str, bool, str], ...]:
        return tuple((c.name, c.active, str(c.updated_at)) for c in app.store.list_campaigns())

    def _synced_elsewhere(self) -> bool:
        """Whether someone synced other campaigns into the store since this daemon did (e.g.
        `bot campaigns sync` after editing the config): then the daemon reloads its config."""
        state = self._campaign_state(self.app)
        if self._campaigns_seen is None or state == self._campaigns_seen:
            self._campaigns_seen = state
            return False
        self._campaigns_seen = state
        log.info("the campaigns in the store changed (bot campaigns sync?): reloading the config")
        return True

    def _stopping(self) -> bool:
        """Asked between slots and sends: pings the watchdog, then says whether to stop."""
        self.keepalive()
        return self._stop.is_set()

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        """Take the locks, register, sync campaigns, start the clock, and tell systemd READY.

        A database that is unavailable now is waited for (SIGTERM still stops the wait); any
        other error (a bad config, a schema to upgrade, a bad password) ends the start. So
        does what `bot campaigns sync` refuses (a template that does not render, ...): checked
        first, before the lock, the store or the clock is touched.
        """
        source = self.app.settings.source
        try:
            self._refuse_bad_templates(self.app, source if source is not None else "the config")
        except ConfigError as exc:
            raise ConfigError(f"the daemon did not start: {exc}") from None
        path = sqlite_path(self.app.settings.database_url)
        if path is not None:
            self._lock = SingleDaemonLock(path)
            self._lock.acquire()
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)
        signal.signal(signal.SIGHUP, self.request_reload)
        statusfile.prune(self.app.settings.data_dir)
        while not self._stop.is_set():
            try:
                self._register()
            except StoreUnavailable as exc:
                self._unavailable(exc)
                continue
            except ConfigError as exc:
                raise ConfigError(f"the daemon did not start: {exc}") from None
            self._available()
            break
        if self._stop.is_set():
            return
        self._alarm.start()
        daemon = self.app.settings.daemon
        if daemon.metrics_port is not None:
            self.app.metrics.serve(daemon.metrics_host, daemon.metrics_port)
        log.info(
            "daemon %s started on %s with %d campaign(s)",
            self.app.worker,
            redact_url(self.app.settings.database_url),
            len(self.app.settings.campaigns),
        )
        self._ready = True
        sdnotify.notify("READY=1", f"STATUS=running as {self.app.worker}", f"MAINPID={os.getpid()}")

    def _register(self) -> None:
        store = self.app.store
        now = self.app.clock.now()
        self._refuse_renames(self.app)  # before the daemon is registered: a refusal ends the start
        if not self._started:
            # StateConflict: an earlier try did commit; only its answer was lost.
            with contextlib.suppress(StateConflict):
                host = socket.gethostname()
                store.register_daemon(self.app.worker, host, os.getpid(), now, self._details())
            self._started = True
            if isinstance(store, KeepingStore):
                store.adopt(statusfile.directory(self.app.settings.data_dir))
        forgotten = store.forget_daemons(now - timedelta(days=7))
        if forgotten:
            log.info("forgot %d daemon(s) stopped or lost more than a week ago", forgotten)
        self._sync(self.app)

    def loop(self) -> None:
        """Passes until a stop is requested; a database outage only pauses them."""
        while not self._stop.is_set():
            if self._reload.is_set():
                self._reload.clear()
                self.reload()
            try:
                if self._synced_elsewhere():
                    self.reload()
                self._work()
            except StoreUnavailable as exc:
                self._unavailable(exc)
                continue
            except Exception:
                # Not the database being away, and not the pass (it logs its own errors): the
                # rescheduling or the heartbeat failed. Never the end of the daemon.
                log.exception("the daemon's turn failed; trying again at the next poll")
            else:
                self._available()
            if self._stop.is_set():
                break
            self._wake.wait(self._wait_seconds())

    def _work(self) -> None:
        """What one turn of the loop does; raises StoreUnavailable from any of its steps."""
        self._record_kept()
        if self.outage.active:
            self._resume()
        self._one_pass()
        if self._stop.is_set():
            return
        self._reschedule()
        self._heartbeat("running")

    def stop(self) -> None:
        """Release unsent claims, say ``stopped``, stop the clock and drop the lock.

        During an outage nothing more is asked of the database (SIGTERM must not wait for it):
        the unsent claims go back to the queue when their lease runs out."""
        sdnotify.notify("STOPPING=1")
        self._alarm.stop()
        if not self.outage.active:
            self.app.stop_notifying(self.app.settings.notify.stop_wait)
        try:
            if self._started and not self.outage.active:
                try:
                    released = self.app.store.release_claims(self.app.worker, self.app.clock.now())
                    released += self.app.publishing.released_at_stop  # those the loop gave back
                    self._heartbeat("stopped")
                    log.info("daemon %s stopped; released %d claims", self.app.worker, released)
                except StoreUnavailable as exc:
                    log.warning("daemon %s stopped; could not release its claims: %s", self.app.worker, exc)
            elif self._started:
                log.warning(
                    "daemon %s stopped during a database outage; its unsent claims go back to the "
                    "queue when their lease runs out",
                    self.app.worker,
                )
        finally:
            store = self.app.store if self._started else None
            if isinstance(store, KeepingStore):
                store.save(self._kept_path())
            statusfile.remove(self.app.settings.data_dir, self.app.worker)
            if self.app.settings.daemon.metrics_port is not None:
                self.app.metrics.stop()
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

    # -- database outages ---------------------------------------------------------------------

    def _unavailable(self, exc: StoreUnavailable) -> None:
        """A step failed for want of a database: report it, then wait (feeding the watchdog)."""
        first = not self.outage.active
        delay = self.outage.failed(str(exc), self.app.clock.now())
        status = self.outage.status()
        lines = [f"STATUS={status}"]
        if not self._ready:
            # Waiting for the database is what the daemon is meant to do: systemd should not
            # count it as a failed start.
            self._ready = True
            lines.insert(0, "READY=1")
            lines.append(f"MAINPID={os.getpid()}")
        sdnotify.notify(*lines)
        self._write_status("database unavailable")
        if first:
            log.debug("first retry in %.1f s", delay)
        self._pause(delay)

    def _available(self) -> None:
        """The database answered a whole turn: end the outage, if there was one."""
        last = self.outage.recovered(self.app.clock.now())
        if last is None:
            return
        sdnotify.notify(f"STATUS=running as {self.app.worker} (database back after {last['seconds']} s)")
        self._write_status("running")
        # Tell the database too, so `bot status` shows the outage from anywhere.
        with contextlib.suppress(StoreUnavailable):
            self._heartbeat("running")

    def _record_kept(self) -> None:
        """Record the publication outcomes the database could not take (this daemon's, or those
        a daemon stopped during an outage saved for the next one)."""
        store = self.app.store
        if isinstance(store, KeepingStore) and store.kept:
            recorded = store.record_kept()
            log.info("recorded %d publication outcome(s) kept during the outage", recorded)

    def _resume(self) -> None:
        """First thing when the database answers again (after the kept outcomes): give back the
        claims the daemon holds but never sent (queued again now instead of after their lease)."""
        store = self.app.store
        released = store.release_claims(
            self.app.worker, self.app.clock.now(), reason="released after a database outage"
        )
        if released:
            log.info("gave back %d unsent claim(s) held during the outage", released)

    def _pause(self, seconds: float) -> None:
        """Sleep ``seconds`` (only a stop ends it early), pinging the watchdog."""
        deadline = time.monotonic() + seconds
        while not self._stop.is_set():
            self.keepalive()
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self._wake.wait(min(left, self._watchdog) if self._watchdog else left)

    def _kept_path(self) -> Path:
        return statusfile.directory(self.app.settings.data_dir) / f"{self.app.worker}.kept.json"

    def _write_status(self, state: str) -> None:
        store = self.app.store if self._started else None
        kept = len(store.kept) if isinstance(store, KeepingStore) else 0
        report = {"state": state, "updated_at": self.app.clock.now().isoformat(), "kept_outcomes": kept}
        statusfile.write(self.app.settings.data_dir, self.app.worker, {**report, **self.outage.report()})

    # -- the work -----------------------------------------------------------------------------

    def _one_pass(self) -> None:
        """One pass; StoreUnavailable goes up to the loop, any other error waits for the next.
        The heartbeat goes on while it runs (:class:`~bot.daemon.pulse.Pulse`)."""
        try:
            with Pulse(self._pulse(self.app.clock.now()), pulse_every(self.app.settings)):
                report = run_pass(self.app, stopping=self._stopping, keepalive=self.keepalive)
        except StoreUnavailable:
            raise
        except BotError as exc:
            log.error("pass failed: %s", exc)
            return
        except Exception:
            log.exception("pass failed unexpectedly; trying again at the next pass")
            return
        if report.slots or report.expired or report.requests or report.publishing.published:
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
                known = item.settings.when.next_after(now, item.zone)
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
            "last_outage": self.outage.last,
        }

    def _pulse(self, since: datetime) -> Callable[[], object]:
        """The heartbeat of a pass that began at ``since`` (from the pulse's thread)."""
        app, details = self.app, {**self._details(), "busy_since": since.isoformat()}
        return lambda: app.store.heartbeat(app.worker, app.clock.now(), "running", details)

    def _heartbeat(self, state: str) -> None:
        """Stamp the heartbeat; StoreUnavailable goes up (the loop waits), other errors are logged."""
        self.keepalive()
        try:
            store, now = self.app.store, self.app.clock.now()
            if not store.heartbeat(self.app.worker, now, state, self._details()) and state != "stopped":
                # its row was forgotten (`bot status --forget-lost` while it was stuck): back in status
                with contextlib.suppress(StateConflict):
                    store.register_daemon(
                        self.app.worker, socket.gethostname(), os.getpid(), now, self._details()
                    )
        except StoreUnavailable:
            raise
        except BotError as exc:
            log.error("heartbeat failed: %s", exc)
        self.keepalive()

    # -- reload -------------------------------------------------------------------------------

    def reload(self) -> bool:
        """Re-read the config; on any error keep the running one and log why.

        With the database away, the reload waits for it (it is tried again at each retry)."""
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
            try:
                self._refuse_bad_templates(app, source)
                self._refuse_renames(app)
                self._sync(app)
            except BaseException:
                app.abandon(self.app)
                raise
        except StoreUnavailable as exc:
            # Said once: the retries of a reload are the outage's retries.
            if not self._reload_waiting:
                log.warning("reload of %s waits for the database: %s", source, exc)
            self._reload_waiting = True
            self._reload.set()
            sdnotify.notify("READY=1", f"STATUS={self.outage.status() or 'reload waits for the database'}")
            return False
        except BotError as exc:
            log.error("reload of %s failed; still running the previous config: %s", source, exc)
            sdnotify.notify("READY=1", "STATUS=reload failed; running the previous config")
            return False
        except Exception:
            log.exception("reload of %s failed; still running the previous config", source)
            sdnotify.notify("READY=1", "STATUS=reload failed; running the previous config")
            return False
        self._reload_waiting = False
        self.app, old = app, self.app
        # The old notifier's messages in hand are sent (or, if it takes too long, sent again
        # by the new one: they were never delivered).
        old.close(notify_wait=RELOAD_NOTIFY_WAIT_S)
        self._alarm.clear()
        self._next = {}
        log.info("reloaded %s: %d campaign(s)", source, len(fresh.campaigns))
        for line in fresh.moderation.warnings():
            log.warning("%s", line)
        sdnotify.notify("READY=1", f"STATUS=running as {app.worker} (reloaded)")
        return True
