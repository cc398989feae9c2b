"""A daemon that outlives its database: Postgres stopped for 30 s and started again, and the
SQLite file locked by another process for 30 s, while the daemon publishes. The daemon stays
alive, publishes the rest, 0 duplicates and 0 lost; SIGTERM during an outage stops it within
10 s. And an outcome learned from the platform while the database was away is recorded when it
comes back, never sent again.

Every wait is on a condition with a generous deadline; only the outage itself lasts a fixed
30 s, because that is what is being tested.
"""

from __future__ import annotations

import json
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest

from bot.adapters.store.sql import SqlStore
from bot.config import load_settings
from bot.daemon import statusfile
from bot.daemon.outage import Outage, backoff_cap
from bot.daemon.outcomes import KeepingStore
from bot.daemon.runner import Daemon
from bot.domain import OutgoingPost, PublicationState, PublishResult
from bot.domain.errors import StoreUnavailable
from bot.domain.finding import FindAnswer, PostSearch
from bot.domain.ports import Store
from bot.wiring import Wiring
from tests.conftest import run_cli
from tests.daemon.outage_helpers import (
    PrivatePostgres,
    SqliteLocker,
    postgres_bin,
    seed_publications,
    write_config,
)
from tests.scheduling_helpers import NotifyListener, short_socket_dir, start_daemon, stop, wait_until

OUTAGE_S = 30.0
#: The least time the outage is ridden out after the checks made during it.
RIDE_OUT_S = 10.0
#: Slots to draft; each gives a publication when its canned draft passes the checks (most do).
COUNT = 20
#: The daemon logs this once per outage (not per retry).
ONCE_PER_OUTAGE = "the daemon keeps running and retries"
RECOVERED = "database available again after"


@pytest.fixture
def sockdir() -> Iterator[Path]:
    path = short_socket_dir()
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def private_pg() -> Iterator[PrivatePostgres]:
    bindir = postgres_bin()
    if bindir is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) installed")
    pg = PrivatePostgres(bindir)
    try:
        pg.start()
        pg.create_database()
        yield pg
    finally:
        pg.destroy()


class Drained:
    """Reads the notify socket all the time (a unix datagram queue holds only a few messages)."""

    def __init__(self, listener: NotifyListener) -> None:
        self.listener = listener
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        while not self._done.is_set():
            self.listener.collect(0.5)

    def close(self) -> None:
        self._done.set()
        self._thread.join(10)
        self.listener.close()


def _outbox(tmp_path: Path) -> list[dict[str, Any]]:
    path = tmp_path / "data" / "outbox.jsonl"
    try:
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    except FileNotFoundError:
        return []


def _statuses(listener: NotifyListener) -> list[str]:
    return [line for m in listener.messages for line in m.splitlines() if line.startswith("STATUS=")]


def _ride_out(proc: Any, listener: NotifyListener, down: float, fed: int) -> tuple[int, float]:
    """Keep the outage that began at ``down`` (monotonic; ``fed`` watchdog pings then) for
    OUTAGE_S, and at least RIDE_OUT_S more from now: the checks made since ``down`` (a CLI run,
    slow on a loaded machine) must not eat the time the pings are counted in. The daemon must
    stay alive. Returns the pings since ``down`` and the seconds they were counted over."""
    deadline = max(down + OUTAGE_S, time.monotonic() + RIDE_OUT_S)
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the daemon exited during the outage"
        time.sleep(min(0.5, max(deadline - time.monotonic(), 0.0)))
    return listener.count("WATCHDOG=1") - fed, time.monotonic() - down


def _published(url: str) -> int:
    """How many publications the store has as published."""
    store = SqlStore.open(url)
    try:
        return sum(p.state is PublicationState.PUBLISHED for p in store.list_publications())
    finally:
        store.close()


def _check_published(url: str, tmp_path: Path, expected: list[int]) -> dict[str, int]:
    """0 duplicates, 0 lost: each publication published once, recorded with its post."""
    posts = _outbox(tmp_path)
    keys = [p["idempotency_key"] for p in posts]
    duplicates = len(keys) - len(set(keys))
    store = SqlStore.open(url)
    try:
        pubs = store.list_publications()
    finally:
        store.close()
    published = [p for p in pubs if p.state is PublicationState.PUBLISHED]
    assert duplicates == 0, keys
    assert sorted(p.id for p in pubs) == sorted(expected)
    assert len(published) == len(expected), [(p.id, p.state.value) for p in pubs]
    assert sorted(p["publication_id"] for p in posts) == sorted(expected)
    assert {p.remote_id for p in published} == set(keys)
    return {"publications": len(expected), "posts": len(posts), "duplicates": duplicates, "lost": 0}


def _sigterm_during_outage(proc: Any, log: Path, outages: int) -> float:
    """The database is away again: SIGTERM must stop the daemon within 10 s."""
    assert wait_until(lambda: log.read_text().count(ONCE_PER_OUTAGE) >= outages, 120), log.read_text()
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(30)
    took = time.monotonic() - started
    assert code == 0, log.read_text()
    assert took < 10, f"SIGTERM took {took:.1f} s during an outage"
    assert "stopped during a database outage" in log.read_text()
    return took


@pytest.mark.slow
@pytest.mark.postgres
def test_daemon_outlives_a_postgres_restart(
    tmp_path: Path, private_pg: PrivatePostgres, sockdir: Path
) -> None:
    config = write_config(tmp_path, private_pg.url)
    expected = seed_publications(config, COUNT)
    listener = NotifyListener(sockdir)
    log = tmp_path / "daemon.log"
    proc = start_daemon(config, log, NOTIFY_SOCKET=str(listener.path), WATCHDOG_USEC="2000000")
    drained = Drained(listener)
    try:
        assert wait_until(lambda: listener.count("READY=1") > 0, 60), log.read_text()
        assert wait_until(lambda: len(_outbox(tmp_path)) >= 4, 120), log.read_text()
        private_pg.stop()
        down, fed = time.monotonic(), listener.count("WATCHDOG=1")
        sent_before = len(_outbox(tmp_path))
        assert wait_until(lambda: ONCE_PER_OUTAGE in log.read_text(), 60), log.read_text()
        # `bot status` cannot ask the database, but shows what the daemon reports.
        data_dir = load_settings(config).data_dir
        assert wait_until(lambda: bool(statusfile.read_live(data_dir)), 60)
        status = run_cli("status", "--json", config=config)
        assert status.returncode == 1 and "Traceback" not in status.stderr, status.stderr
        assert "database unavailable" in status.stderr
        report = json.loads(status.stdout)["reports"]
        assert [r["pid"] for r in report] == [proc.pid] and report[0]["database_unavailable_since"]
        pings, rode = _ride_out(proc, listener, down, fed)
        assert any(s.startswith("STATUS=database unavailable since ") for s in _statuses(listener))
        assert pings >= 5, f"the watchdog was fed {pings} times in {rode:.0f} s"
        assert len(_outbox(tmp_path)) <= sent_before + 1  # at most the send in flight
        private_pg.start()
        up = time.monotonic()
        assert wait_until(lambda: RECOVERED in log.read_text(), 120), log.read_text()
        recovery = time.monotonic() - up
        assert wait_until(lambda: len(_outbox(tmp_path)) >= len(expected), 180), log.read_text()
        # The post is in the outbox before the store records it published: wait for the store.
        assert wait_until(lambda: _published(private_pg.url) >= len(expected), 60), log.read_text()
        assert proc.poll() is None
        measured = _check_published(private_pg.url, tmp_path, expected)
        assert log.read_text().count(ONCE_PER_OUTAGE) == 1, log.read_text()
        # After the outage, `bot status` has it from the heartbeat.
        assert wait_until(lambda: _last_outage(config) is not None, 60)
        # And SIGTERM in the middle of another outage.
        private_pg.stop()
        took = _sigterm_during_outage(proc, log, 2)
    finally:
        stop(proc)
        drained.close()
    print(json.dumps({"test": "postgres", "outage_s": OUTAGE_S, "recovery_s": round(recovery, 1),
                      "sigterm_s": round(took, 1), **measured}))  # fmt: skip


def _last_outage(config: Path) -> dict[str, Any] | None:
    status = run_cli("status", "--json", config=config)
    if status.returncode != 0:
        return None
    daemons = json.loads(status.stdout)["daemons"]
    return daemons[0]["last_outage"] if daemons else None


@pytest.mark.slow
def test_daemon_outlives_a_locked_sqlite_file(tmp_path: Path, sockdir: Path) -> None:
    database = tmp_path / "bot.db"
    url = f"sqlite:///{database}"
    config = write_config(tmp_path, url)
    expected = seed_publications(config, COUNT)
    listener = NotifyListener(sockdir)
    log = tmp_path / "daemon.log"
    proc = start_daemon(config, log, NOTIFY_SOCKET=str(listener.path), WATCHDOG_USEC="2000000")
    drained = Drained(listener)
    data_dir = load_settings(config).data_dir
    locker: SqliteLocker | None = None
    try:
        assert wait_until(lambda: listener.count("READY=1") > 0, 60), log.read_text()
        assert wait_until(lambda: len(_outbox(tmp_path)) >= 4, 120), log.read_text()
        locker = SqliteLocker(database)
        down, fed = time.monotonic(), listener.count("WATCHDOG=1")
        sent_before = len(_outbox(tmp_path))
        assert wait_until(lambda: ONCE_PER_OUTAGE in log.read_text(), 60), log.read_text()
        assert wait_until(lambda: bool(statusfile.read_live(data_dir)), 60)
        reports = statusfile.read_live(data_dir)
        assert [r["pid"] for r in reports] == [proc.pid] and reports[0]["database_unavailable_since"]
        assert "database is locked" in reports[0]["database_error"]
        proc.send_signal(signal.SIGHUP)  # a reload during the outage waits for the database
        pings, rode = _ride_out(proc, listener, down, fed)
        assert any(s.startswith("STATUS=database unavailable since ") for s in _statuses(listener))
        assert pings >= 5, f"the watchdog was fed {pings} times in {rode:.0f} s"
        assert len(_outbox(tmp_path)) <= sent_before + 1
        locker.release()
        locker = None
        up = time.monotonic()
        assert wait_until(lambda: RECOVERED in log.read_text(), 120), log.read_text()
        recovery = time.monotonic() - up
        assert wait_until(lambda: len(_outbox(tmp_path)) >= len(expected), 180), log.read_text()
        # The post is in the outbox before the store records it published: wait for the store.
        assert wait_until(lambda: _published(url) >= len(expected), 60), log.read_text()
        assert proc.poll() is None
        measured = _check_published(url, tmp_path, expected)
        assert log.read_text().count(ONCE_PER_OUTAGE) == 1, log.read_text()
        assert wait_until(lambda: "reloaded" in log.read_text(), 60), log.read_text()
        assert log.read_text().count("waits for the database") <= 1, log.read_text()
        locker = SqliteLocker(database)
        took = _sigterm_during_outage(proc, log, 2)
    finally:
        if locker is not None:
            locker.release()
        stop(proc)
        drained.close()
    assert statusfile.read_live(data_dir) == []
    print(json.dumps({"test": "sqlite", "outage_s": OUTAGE_S, "recovery_s": round(recovery, 1),
                      "sigterm_s": round(took, 1), **measured}))  # fmt: skip


class LockingPublisher:
    """Publishes to memory; right after its first send another process locks the database, so
    the outcome cannot be recorded (the store went away right after the send)."""

    def __init__(self, database: Path, hold_s: float) -> None:
        self.sent: list[str] = []
        self._database = database
        self._hold_s = hold_s
        self.locker: SqliteLocker | None = None

    @property
    def account(self) -> str:
        return "outbox"

    def publish(self, post: OutgoingPost) -> PublishResult:
        self.sent.append(post.idempotency_key)
        if len(self.sent) == 1:
            self.locker = SqliteLocker(self._database)
            timer = threading.Timer(self._hold_s, self.locker.release)
            timer.daemon = True
            timer.start()
        return PublishResult(remote_id=post.idempotency_key, url=None)

    def find(self, post: OutgoingPost, search: PostSearch) -> FindAnswer:
        key = post.idempotency_key
        if key in self.sent:
            return FindAnswer.found(PublishResult(remote_id=key, url=None))
        return FindAnswer.absent("not sent")

    def check_credentials(self) -> dict[str, Any]:
        return {}


def _keeping_app(config: Path, **overrides: Any) -> tuple[Wiring, KeepingStore]:
    settings = load_settings(config)
    keeper = KeepingStore(lambda: SqlStore.open(settings.database_url, busy_timeout_ms=200))
    return Wiring(settings, store=cast(Store, keeper), **overrides), keeper


def test_outcome_learned_during_an_outage_is_recorded_not_resent(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signal handlers need the main thread")
    database = tmp_path / "bot.db"
    config = write_config(tmp_path, f"sqlite:///{database}", interval="0s")
    expected = seed_publications(config, 5)
    publisher = LockingPublisher(database, hold_s=2.0)
    app, keeper = _keeping_app(config, publishers={"outbox": publisher})
    daemon = Daemon(app)
    watcher = SqlStore.open(app.settings.database_url)

    def stop_when_done() -> None:
        def done() -> bool:
            try:
                pubs = watcher.list_publications()
            except StoreUnavailable:
                return False
            return all(p.state is PublicationState.PUBLISHED for p in pubs)

        wait_until(done, 120)
        daemon.request_stop(signal.SIGTERM)

    old = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGHUP)
    thread = threading.Thread(target=stop_when_done, daemon=True)
    thread.start()
    try:
        with caplog.at_level("INFO"):
            daemon.run()
    finally:
        signal.signal(signal.SIGTERM, old[0])
        signal.signal(signal.SIGINT, old[1])
        signal.signal(signal.SIGHUP, old[2])
        thread.join(30)
    pubs = watcher.list_publications()
    watcher.close()
    assert len(publisher.sent) == len(set(publisher.sent)) == len(expected), publisher.sent
    assert all(p.state is PublicationState.PUBLISHED for p in pubs)
    assert daemon.outage.last is not None and daemon.outage.last["seconds"] > 0
    assert keeper.kept == []
    assert "kept in memory until the database answers" in caplog.text
    assert "recorded after the outage" in caplog.text
    keeper.close()
    app.close()


def test_kept_outcome_settles_a_claim_recovered_meanwhile(tmp_path: Path) -> None:
    """The lease ran out during the outage and a recovery made it needs_check: the post is known
    to be out, so the kept outcome marks it published (a check would have found it)."""
    database = tmp_path / "bot.db"
    config = write_config(tmp_path, f"sqlite:///{database}", interval="0s")
    [pub_id, *_] = seed_publications(config, 1)
    app, keeper = _keeping_app(config)
    now = datetime.now(UTC)
    [pub] = keeper.claim_publications("w1", now, timedelta(seconds=30), 1)
    keeper.mark_sending(pub.id, "w1", now)
    locker = SqliteLocker(database)
    try:
        with pytest.raises(StoreUnavailable):
            keeper.finish_publication(pub.id, "w1", PublicationState.PUBLISHED, now=now, remote_id="r-1")
        assert [k.pub_id for k in keeper.kept] == [pub_id]
        with pytest.raises(StoreUnavailable):
            keeper.record_kept()
        assert len(keeper.kept) == 1
    finally:
        locker.release()
    _, to_check = keeper.recover_expired_claims(now + timedelta(minutes=5), "w2")
    assert to_check == [pub_id]
    assert keeper.record_kept() == 1
    settled = keeper.get_publication(pub_id)
    assert settled.state is PublicationState.PUBLISHED and settled.remote_id == "r-1"
    keeper.close()
    app.close()


def test_backoff_is_capped_jittered_and_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    outage = Outage(cap_s=5.0, rng=random.Random(7))
    now = datetime(2026, 5, 1, 9, 41, 30, tzinfo=UTC)
    with caplog.at_level("DEBUG", logger="bot.daemon.outage"):
        delays = [outage.failed("database unavailable: connection refused", now) for _ in range(30)]
        assert outage.status() == "database unavailable since 09:41 UTC (29 retries): connection refused"
        assert outage.report()["database_unavailable_since"] == now.isoformat()
        last = outage.recovered(now + timedelta(seconds=90))
        assert outage.recovered(now + timedelta(seconds=91)) is None
    assert 0.25 <= delays[0] <= 0.5
    assert all(0 < d <= 5.0 for d in delays) and max(delays) > 2.5
    assert len(set(delays[-10:])) == 10, "jittered, not a fixed beat"
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 2 and "database unavailable: connection refused" in warnings[0]
    assert "available again" in warnings[1]
    assert last is not None and last["retries"] == 29 and not outage.active
    assert backoff_cap(1) == 5.0 and backoff_cap(30) == 30.0 and backoff_cap(3600) == 60.0


def test_status_files_of_gone_daemons_are_ignored_and_pruned(tmp_path: Path) -> None:
    statusfile.write(tmp_path, "alive-1", {"state": "database unavailable"})
    script = "import os; print(os.getpid())"
    gone = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    dead = statusfile.path_for(tmp_path, "dead-2")
    dead.write_text(json.dumps({"worker": "dead-2", "pid": int(gone.stdout), "host": socket.gethostname()}))
    statusfile.path_for(tmp_path, "torn-3").write_text("{not json")
    assert [r["worker"] for r in statusfile.read_live(tmp_path)] == ["alive-1"]
    assert statusfile.prune(tmp_path) == 1 and not dead.exists()
    statusfile.remove(tmp_path, "alive-1")
    assert statusfile.read_live(tmp_path) == []


def test_daemon_waits_for_the_database_at_start(tmp_path: Path, sockdir: Path) -> None:
    """Unavailable at start is not a config error: READY with the outage in STATUS, then it starts."""
    database = tmp_path / "bot.db"
    config = write_config(tmp_path, f"sqlite:///{database}")
    seed_publications(config, 1)
    listener = NotifyListener(sockdir)
    drained = Drained(listener)
    log = tmp_path / "daemon.log"
    locker: SqliteLocker | None = SqliteLocker(database)
    proc = start_daemon(config, log, NOTIFY_SOCKET=str(listener.path))
    try:
        assert wait_until(lambda: listener.count("READY=1") > 0, 60), log.read_text()
        assert any(s.startswith("STATUS=database unavailable since ") for s in _statuses(listener))
        assert "started on" not in log.read_text() and proc.poll() is None
        assert locker is not None
        locker.release()
        locker = None
        assert wait_until(lambda: "started on" in log.read_text(), 60), log.read_text()
        assert wait_until(lambda: len(_outbox(tmp_path)) >= 1, 60), log.read_text()
    finally:
        if locker is not None:
            locker.release()
        assert stop(proc) == 0
        drained.close()


def _run_daemon(daemon: Daemon, until: Callable[[], bool]) -> None:
    """Run ``daemon`` in this (the main) thread until ``until`` holds, then stop it."""

    def watch() -> None:
        wait_until(until, 120)
        daemon.request_stop(signal.SIGTERM)

    old = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGHUP)
    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        daemon.run()
    finally:
        signal.signal(signal.SIGTERM, old[0])
        signal.signal(signal.SIGINT, old[1])
        signal.signal(signal.SIGHUP, old[2])
        thread.join(30)


def test_outcome_kept_at_a_stop_during_the_outage_is_recorded_by_the_next_daemon(tmp_path: Path) -> None:
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signal handlers need the main thread")
    database = tmp_path / "bot.db"
    # The unsent claims the first daemon could not give back return to the queue after the lease.
    config = write_config(tmp_path, f"sqlite:///{database}", interval="0s", lease="3s")
    expected = seed_publications(config, 3)
    publisher = LockingPublisher(database, hold_s=3600.0)  # released by hand below
    app, keeper = _keeping_app(config, publishers={"outbox": publisher})
    first = Daemon(app)
    _run_daemon(first, lambda: first.outage.active and bool(keeper.kept))
    saved = list(statusfile.directory(app.settings.data_dir).glob("*.kept.json"))
    assert len(saved) == 1 and keeper.kept == []
    assert publisher.locker is not None
    publisher.locker.release()
    keeper.close()
    app.close()

    again, keeper2 = _keeping_app(config, publishers={"outbox": publisher})
    second = Daemon(again)
    watcher = SqlStore.open(again.settings.database_url)
    try:
        states = lambda: {p.state for p in watcher.list_publications()}  # noqa: E731
        _run_daemon(second, lambda: states() == {PublicationState.PUBLISHED})
        pubs = watcher.list_publications()
    finally:
        watcher.close()
    assert len(publisher.sent) == len(set(publisher.sent)) == len(expected), publisher.sent
    assert all(p.state is PublicationState.PUBLISHED for p in pubs)
    assert not saved[0].exists() and keeper2.kept == []
    keeper2.close()
    again.close()
