"""The daemon as systemd runs it: sd_notify, SIGHUP reload, SIGTERM, the SQLite single-daemon rule."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import socket
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.store.sql import SqlStore
from bot.daemon.runner import Daemon
from bot.domain import OutgoingPost, PublishResult
from bot.domain.errors import BotError
from bot.domain.finding import FindAnswer, PostSearch
from tests.conftest import run_cli
from tests.fixtures.clock import ClockFile
from tests.scheduling_helpers import (
    NotifyListener,
    campaign,
    fixed_app,
    short_socket_dir,
    start_daemon,
    stop,
    wait_until,
    write_config,
)


@pytest.fixture
def sockdir() -> Any:
    path = short_socket_dir()
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_sd_notify_ready_watchdog_stopping(tmp_path: Path, sqlite_url: str, sockdir: Path) -> None:
    config = write_config(tmp_path, campaign("weekly", '{ cron = "0 10 * * FRI" }'), database_url=sqlite_url)
    assert run_cli("db", "upgrade", config=config).returncode == 0
    listener = NotifyListener(sockdir)
    log = tmp_path / "daemon.log"
    proc = start_daemon(config, log, NOTIFY_SOCKET=str(listener.path), WATCHDOG_USEC="400000")
    try:
        assert listener.wait_for("READY=1"), log.read_text()
        # WATCHDOG_USEC = 0.4 s: a ping every 0.2 s.
        listener.collect(2.0)
        assert listener.count("WATCHDOG=1") >= 4, listener.messages
        assert proc.poll() is None
    finally:
        assert stop(proc) == 0
    assert listener.wait_for("STOPPING=1", 5)
    ready = next(m for m in listener.messages if "READY=1" in m.splitlines())
    assert f"MAINPID={proc.pid}" in ready
    listener.close()
    status = json.loads(run_cli("status", "--json", config=config).stdout)
    assert status["daemons"][0]["state"] == "stopped" and status["daemons"][0]["pid"] == proc.pid


def test_sighup_reload_keeps_old_config_on_error(tmp_path: Path, sqlite_url: str, sockdir: Path) -> None:
    good = campaign("weekly", '{ cron = "0 10 * * FRI" }')
    config = write_config(tmp_path, good, database_url=sqlite_url, poll="1s")
    assert run_cli("db", "upgrade", config=config).returncode == 0
    listener = NotifyListener(sockdir)
    log = tmp_path / "daemon.log"
    proc = start_daemon(config, log, NOTIFY_SOCKET=str(listener.path))
    try:
        assert listener.wait_for("READY=1"), log.read_text()
        # A bad config: unknown holiday. The daemon logs it and keeps running the old one.
        bad = campaign("moon", '{ holiday = "Mid Autum", country = "CN" }')
        write_config(tmp_path, good, bad, database_url=sqlite_url, poll="1s")
        proc.send_signal(signal.SIGHUP)
        assert wait_until(lambda: "still running the previous config" in log.read_text(), 30), log.read_text()
        assert "unknown holiday 'Mid Autum'" in log.read_text()
        assert proc.poll() is None
        # A good new config is picked up: the new campaign is synced into the store.
        fixed = campaign("moon", '{ holiday = "Mid-Autumn Festival", country = "CN", offset = "-1d" }')
        write_config(tmp_path, good, fixed, database_url=sqlite_url, poll="1s")
        proc.send_signal(signal.SIGHUP)
        assert wait_until(lambda: "reloaded" in log.read_text(), 30), log.read_text()
        listed = json.loads(run_cli("campaigns", "list", "--json", config=config).stdout)
        assert {c["name"] for c in listed} == {"weekly", "moon"}
        assert proc.poll() is None
    finally:
        assert stop(proc) == 0
    listener.close()


@pytest.mark.parametrize(
    ("fact", "says"),
    [
        ("{{ promo_cod }}", "uses an unknown variable"),
        ("{% for x in range(100000000) %}x{% endfor %}", "templates that do not render"),
    ],
)
def test_sighup_refuses_a_template_that_campaigns_sync_refuses(
    tmp_path: Path, sqlite_url: str, fact: str, says: str
) -> None:
    """A reload runs the checks `bot campaigns sync` runs: a template that does not render
    keeps the running config, and nothing of the new one is synced (the hostile pass's
    finding 4: it used to be synced, with "its slots will fail" logged)."""
    good, config, log, proc = _weekly_daemon(tmp_path, sqlite_url)
    try:
        bad = campaign("weekly", '{ cron = "0 10 * * FRI" }', facts=json.dumps([fact]))
        write_config(tmp_path, bad, database_url=sqlite_url, poll="1s")
        refused = run_cli("campaigns", "sync", config=config)
        assert refused.returncode == 1 and says in refused.stderr, refused.stderr
        proc.send_signal(signal.SIGHUP)
        assert wait_until(lambda: "still running the previous config" in log.read_text(), 60), log.read_text()
        text = log.read_text()
        assert says in text and "updated ['weekly']" not in text, text
        assert "its slots will fail" not in text and "reloaded" not in text, text
        assert proc.poll() is None
        write_config(tmp_path, good, database_url=sqlite_url, poll="1s")  # fixed: taken in
        proc.send_signal(signal.SIGHUP)
        assert wait_until(lambda: "reloaded" in log.read_text(), 60), log.read_text()
    finally:
        assert stop(proc) == 0


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ({"facts": '["{{ promo_cod }}"]'}, "templates that do not render"),
        ({"facts": '["Order at {{ link }}"]'}, "templates that would print an empty variable"),
        ({"media": '[{ path = "pictures/none.jpg", alt = "A lantern" }]'}, "pictures that cannot be used"),
    ],
)
def test_the_daemon_refuses_to_start_on_what_campaigns_sync_refuses(
    tmp_path: Path, db_url: str, extra: dict[str, str], says: str
) -> None:
    """Contract 6 at start: what `bot campaigns sync` (and a reload) refuses ends `bot run`
    with exit 1 and one message naming the file, the campaign and the problem; nothing is
    synced, no daemon registered, no traceback. Fixed, the daemon starts."""
    good = campaign("weekly", '{ cron = "0 10 * * FRI" }')
    config = write_config(
        tmp_path, good, campaign("promo", '{ cron = "0 9 * * MON" }', **extra), database_url=db_url
    )
    assert run_cli("db", "upgrade", config=config).returncode == 0
    refused = run_cli("campaigns", "sync", config=config)
    assert refused.returncode == 1 and says in refused.stderr, refused.stderr
    done = run_cli("run", config=config, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "the daemon did not start" in done.stderr and str(config) in done.stderr, done.stderr
    assert says in done.stderr and "campaign 'promo'" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and "started on" not in done.stderr, done.stderr
    store = SqlStore.open(db_url)
    try:
        assert store.list_campaigns() == [] and store.list_daemons() == []
    finally:
        store.close()
    write_config(tmp_path, good, database_url=db_url, poll="1s")
    log = tmp_path / "daemon.log"
    proc = start_daemon(config, log)
    try:
        assert wait_until(lambda: "started on" in log.read_text() or proc.poll() is not None, 120), (
            log.read_text()
        )
        assert proc.poll() is None, log.read_text()
    finally:
        assert stop(proc) == 0


def _weekly_daemon(tmp_path: Path, sqlite_url: str) -> tuple[str, Path, Path, Any]:
    """(the campaign, the config, the log, the process) of a daemon started with one weekly
    campaign, once it has started."""
    weekly = campaign("weekly", '{ cron = "0 10 * * FRI" }')
    config = write_config(tmp_path, weekly, database_url=sqlite_url, poll="1s")
    assert run_cli("db", "upgrade", config=config).returncode == 0
    log = tmp_path / "daemon.log"
    proc = start_daemon(config, log)
    if not wait_until(lambda: "started" in log.read_text(), 60):
        stop(proc)
        raise AssertionError(log.read_text())
    return weekly, config, log, proc


def test_a_sync_from_the_cli_makes_the_running_daemon_reload(tmp_path: Path, sqlite_url: str) -> None:
    _, config, log, proc = _weekly_daemon(tmp_path, sqlite_url)
    try:
        monthly = campaign("monthly", '{ cron = "0 10 1 * *" }')
        write_config(tmp_path, monthly, database_url=sqlite_url, poll="1s")
        out = run_cli("campaigns", "sync", config=config)
        assert out.returncode == 0, out.stderr
        assert wait_until(lambda: "reloaded" in log.read_text(), 60), log.read_text()
        text = log.read_text()
        assert "the campaigns in the store changed" in text and "1 campaign(s)" in text.split("reloaded")[-1]
        assert proc.poll() is None
    finally:
        assert stop(proc) == 0
    assert log.read_text().count("reloaded") == 1


def test_second_sqlite_daemon_is_refused(tmp_path: Path, sqlite_url: str, sockdir: Path) -> None:
    config = write_config(tmp_path, campaign("weekly", '{ cron = "0 10 * * FRI" }'), database_url=sqlite_url)
    assert run_cli("db", "upgrade", config=config).returncode == 0
    listener = NotifyListener(sockdir)
    first = start_daemon(config, tmp_path / "first.log", NOTIFY_SOCKET=str(listener.path))
    try:
        assert listener.wait_for("READY=1"), (tmp_path / "first.log").read_text()
        second = run_cli("run", config=config, timeout=60)
        assert second.returncode == 1
        assert "another bot daemon" in second.stderr and f"pid {first.pid}" in second.stderr
        assert "SQLite supports one daemon" in second.stderr and "Traceback" not in second.stderr
        # CLI processes keep working beside the daemon.
        assert run_cli("queue", "list", "--json", config=config).returncode == 0
        status = json.loads(run_cli("status", "--json", config=config).stdout)
        alive = [d for d in status["daemons"] if d["alive"]]
        assert [d["pid"] for d in alive] == [first.pid]
    finally:
        assert stop(first) == 0
    listener.close()
    # Once the first daemon is gone, a new one may start.
    third = start_daemon(config, tmp_path / "third.log")
    assert wait_until(lambda: "started on" in (tmp_path / "third.log").read_text(), 60)
    assert stop(third) == 0


def run_in_process(app: Any) -> None:
    """Run a daemon in this process until a signal stops it; the signal handlers are restored."""
    old = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGHUP)
    try:
        Daemon(app).run()
    finally:
        signal.signal(signal.SIGTERM, old[0])
        signal.signal(signal.SIGINT, old[1])
        signal.signal(signal.SIGHUP, old[2])


class SignallingPublisher:
    """A fake adapter: the first send delivers SIGTERM to this process mid-batch."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    @property
    def account(self) -> str:
        return "outbox"

    def publish(self, post: OutgoingPost) -> PublishResult:
        if not self.sent:
            os.kill(os.getpid(), signal.SIGTERM)
        self.sent.append(post.idempotency_key)
        return PublishResult(remote_id=post.idempotency_key, url=None)

    def find(self, post: OutgoingPost, search: PostSearch) -> FindAnswer:
        return FindAnswer.absent("not sent")

    def check_credentials(self) -> dict[str, Any]:
        return {}


def test_sigterm_finishes_send_in_flight_and_releases_claims(
    tmp_path: Path, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signal handlers need the main thread")
    caplog.set_level(logging.INFO, logger="bot.daemon")
    config = write_config(
        tmp_path, campaign("hourly", '{ cron = "0 * * * *" }', approval='"auto"'), database_url=db_url
    )
    start = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
    publisher = SignallingPublisher()
    app, clock = fixed_app(config, start, publishers={"outbox": publisher})
    app.sync.sync("test")
    record = app.store.get_campaign("hourly")
    for hour in range(3):
        slot = app.store.create_slot(record.id, start - timedelta(hours=hour + 1), clock.now(), "test")
        assert slot is not None
        app.drafting.draft_slot(slot)
    run_in_process(app)
    pubs = app.store.list_publications()
    states = sorted(p.state.value for p in pubs)
    assert len(publisher.sent) == 1
    assert states.count("published") == 1 and states.count("queued") == len(pubs) - 1
    assert all(p.claimed_by is None for p in pubs if p.state.value == "queued")
    released = [
        e for e in app.store.events(entity="publication", limit=500) if e.reason == "released at shutdown"
    ]
    assert released, "the batch's unsent claims were released"
    stopped = [r.getMessage() for r in caplog.records if " stopped; released " in r.getMessage()]
    assert stopped and stopped[-1].endswith(f"released {len(released)} claims"), stopped
    app.close()


class SlowPublisher(SignallingPublisher):
    """A fake platform that answers only after the daemon's heartbeat has moved on during the
    send (a slow pass), then stops the daemon. ``seen``: the heartbeat details it saw."""

    def __init__(self, store: Any) -> None:
        super().__init__()
        self.store = store
        self.seen: dict[str, Any] = {}

    def publish(self, post: OutgoingPost) -> PublishResult:
        def beaten() -> bool:
            (row,) = self.store.list_daemons()
            self.seen = dict(row.details)
            return "busy_since" in self.seen

        if not self.sent:
            wait_until(beaten, 60)
            os.kill(os.getpid(), signal.SIGTERM)
        self.sent.append(post.idempotency_key)
        return PublishResult(remote_id=post.idempotency_key, url=None)


def test_the_heartbeat_goes_on_during_a_long_pass(tmp_path: Path, sqlite_url: str) -> None:
    """A pass that takes long (here a slow send) still stamps the heartbeat, with busy_since,
    so ``bot status`` does not take a slow daemon for a dead one; the stop clears it."""
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signal handlers need the main thread")
    config = write_config(
        tmp_path,
        campaign("hourly", '{ cron = "0 * * * *" }', approval='"auto"'),
        database_url=sqlite_url,
        poll="1s",
    )
    start = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
    publisher = SlowPublisher(None)
    app, clock = fixed_app(config, start, publishers={"outbox": publisher})
    watcher = publisher.store = SqlStore.open(sqlite_url)  # another connection, as `bot status`
    app.sync.sync("test")
    slot = app.store.create_slot(app.store.get_campaign("hourly").id, start, clock.now(), "test")
    assert slot is not None
    app.drafting.draft_slot(slot)
    run_in_process(app)
    watcher.close()
    assert publisher.sent and publisher.seen["busy_since"] == start.isoformat()
    (row,) = app.store.list_daemons()
    assert row.state == "stopped" and "busy_since" not in row.details
    app.close()


def test_daemon_refuses_second_sqlite_in_process(tmp_path: Path, sqlite_url: str) -> None:
    config = write_config(tmp_path, campaign("weekly", '{ cron = "0 10 * * FRI" }'), database_url=sqlite_url)
    app, _ = fixed_app(config, datetime(2026, 5, 1, tzinfo=UTC))
    from bot.daemon.runner import SingleDaemonLock, sqlite_path

    path = sqlite_path(app.settings.database_url)
    assert path is not None
    lock = SingleDaemonLock(path)
    lock.acquire()
    try:
        with pytest.raises(BotError, match="already running"):
            SingleDaemonLock(path).acquire()
        # A pass by hand beside the daemon would be a second worker on one SQLite file.
        assert run_cli("db", "upgrade", config=config).returncode == 0
        once = run_cli("run", "--once", config=config)
        assert once.returncode == 1
        # (the config's scorers leave out "rules", for speed: a warning line comes first)
        errors = [line for line in once.stderr.splitlines() if not line.startswith("warning: ")]
        assert "\n".join(errors) == (
            f"Error: a bot daemon (pid {os.getpid()} on {socket.gethostname()}) is running on the "
            f"SQLite database {path} and already does this work; stop it first to run a pass by hand"
        )
    finally:
        lock.release()
    assert run_cli("run", "--once", config=config).returncode == 0
    again = SingleDaemonLock(path)
    again.acquire()
    again.release()
    app.close()


def test_calendar_and_status_cli(tmp_path: Path, sqlite_url: str, clock_file: ClockFile) -> None:
    # The CLI reads the test's clock: a week before New York springs forward (2026-03-08).
    clock_file.set(datetime(2026, 3, 1, 12, tzinfo=UTC))
    config = write_config(
        tmp_path,
        campaign("ny", '{ cron = "30 2 * * *" }', timezone='"America/New_York"'),
        campaign(
            "moon",
            '{ holiday = "Mid-Autumn Festival", country = "CN", offset = "-1d", at = "09:00" }',
            timezone='"Asia/Shanghai"',
        ),
        database_url=sqlite_url,
    )
    # Before `db upgrade` the calendar still shows the slots, without draft states.
    early = run_cli("calendar", "--days", "400", "--json", config=config)
    assert early.returncode == 0, early.stderr
    assert run_cli("db", "upgrade", config=config).returncode == 0
    assert run_cli("campaigns", "sync", config=config).returncode == 0
    fired = run_cli("campaigns", "fire", "ny", "--at", _next_ny(clock_file.now), "--json", config=config)
    assert fired.returncode == 0, fired.stderr
    data = json.loads(run_cli("calendar", "--days", "400", "--json", config=config).stdout)
    slots = data["slots"]
    assert slots == sorted(slots, key=lambda s: (s["utc"], s["campaign"]))
    moon = [s for s in slots if s["campaign"] == "moon"]
    assert moon and moon[0]["local"].endswith("09:00:00+08:00")
    assert {s["local"][:10] for s in moon} <= {"2027-09-14", "2026-09-24", "2028-10-02"}
    ny = [s for s in slots if s["campaign"] == "ny"]
    assert len(ny) == 400 and all(s["local"][11:16] in {"02:30", "03:00"} for s in ny)
    assert [s["local"][:16] for s in ny if s["local"][11:16] == "03:00"] == [
        "2026-03-08T03:00",
        "2027-03-14T03:00",
    ]
    drafted = [s for s in ny if s["slot_state"]]
    assert len(drafted) == 1 and drafted[0]["drafts"] == {"pending_review": 2}
    plain = run_cli("calendar", "--days", "3", config=config)
    assert plain.returncode == 0 and "America/New_York" in plain.stdout
    status = json.loads(run_cli("status", "--json", config=config).stdout)
    assert status["queues"]["drafts"] == {"pending_review": 2}
    assert status["next_slots"][0]["campaign"] == "ny"
    assert run_cli("status", config=config).returncode == 0


def _next_ny(now: datetime) -> str:
    from zoneinfo import ZoneInfo

    from bot.config.triggers import CronTrigger

    at = CronTrigger(cron="30 2 * * *").next_after(now, "America/New_York")
    assert at is not None
    assert at.astimezone(ZoneInfo("America/New_York")).hour in (2, 3)
    return at.strftime("%Y-%m-%d %H:%M:%S")


def test_daemon_refuses_to_start_on_bad_config_or_empty_database(tmp_path: Path, sqlite_url: str) -> None:
    config = write_config(tmp_path, campaign("weekly", '{ cron = "0 10 * * FRI" }'), database_url=sqlite_url)
    empty = run_cli("run", config=config, timeout=60)
    assert empty.returncode == 1 and "bot db upgrade" in empty.stderr and "Traceback" not in empty.stderr
    write_config(tmp_path, campaign("weekly", '{ cron = "0 25 * * FRI" }'), database_url=sqlite_url)
    bad = run_cli("run", config=config, timeout=60)
    assert (
        bad.returncode == 1 and "campaigns[0] (weekly).when" in bad.stderr and "Traceback" not in bad.stderr
    )


def _open_connections(before: frozenset[int] = frozenset()) -> int:
    """Connections the in-process fake servers still serve (one handler thread each), not
    counting the threads in ``before`` (another test's server in this worker may still hold
    its own client's connection)."""
    return sum("process_request_thread" in t.name and t.ident not in before for t in threading.enumerate())


def _handler_threads() -> frozenset[int]:
    return frozenset(t.ident for t in threading.enumerate() if "process_request_thread" in t.name and t.ident)


def test_bot_run_closes_the_reloaded_wiring_at_exit(
    world_factory: Any, fake: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """``bot run`` (in this process, so its connections outlive it if left open) reloads on
    SIGHUP, publishes with the reloaded wiring's Mastodon client, and at SIGTERM closes that
    client: the fake platform sees no connection left (it closed the first wiring only)."""
    from bot.cli.main import cli

    before = _handler_threads()  # other tests' servers in this worker, not this daemon's
    world = world_factory(["mastodon"], bot='poll_interval = "1s"')
    path = world.settings.source
    assert path is not None
    log_text = lambda: "\n".join(r.getMessage() for r in caplog.records)  # noqa: E731
    problems: list[str] = []

    def drive() -> None:
        try:
            if not wait_until(lambda: "started on" in log_text(), 60):
                problems.append("the daemon did not start")
                return
            os.kill(os.getpid(), signal.SIGHUP)
            if not wait_until(lambda: "reloaded" in log_text(), 60):
                problems.append("no reload")
                return
            [pub_id] = world.approve("sent by the reloaded wiring")
            published = lambda: world.store.get_publication(pub_id).state.value == "published"  # noqa: E731
            if not wait_until(published, 60):
                problems.append("not published")
        finally:
            os.kill(os.getpid(), signal.SIGTERM)

    old = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGHUP)
    driver = threading.Thread(target=drive)
    try:
        with caplog.at_level(logging.INFO):
            driver.start()
            cli.main(["--config", str(path), "run"], standalone_mode=False)
    finally:
        driver.join(120)
        signal.signal(signal.SIGTERM, old[0])
        signal.signal(signal.SIGINT, old[1])
        signal.signal(signal.SIGHUP, old[2])
    assert problems == [], log_text()
    assert [p["text"] for p in fake.posts("mastodon")] == ["sent by the reloaded wiring"]
    assert wait_until(lambda: _open_connections(before) == 0, 5), _open_connections(before)


def test_sighup_with_a_secret_under_an_unknown_key_logs_the_key_never_the_value(
    tmp_path: Path, sqlite_url: str
) -> None:
    """The hostile pass's finding 4: the reload's error line reached the journal with the value."""
    secret = "SEKRIT-RELOAD-555"
    _, config, log, proc = _weekly_daemon(tmp_path, sqlite_url)
    try:
        text = config.read_text()
        config.write_text(text + f'\n[notify]\nsmtp_password = "{secret}"\n', encoding="utf-8")
        proc.send_signal(signal.SIGHUP)
        assert wait_until(lambda: "still running the previous config" in log.read_text(), 60), log.read_text()
        assert "notify.smtp_password" in log.read_text() and "value not shown" in log.read_text()
        assert proc.poll() is None
    finally:
        assert stop(proc) == 0
    assert secret not in log.read_text()
