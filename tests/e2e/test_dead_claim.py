"""``bot publications check/retry`` on a publication still ``claimed`` by a worker that died
(kill -9): taken over at once when the owner is provably dead (it ran on this host, its pid is
gone and, for a daemon, its heartbeat stopped), as recovery would when the lease ends; else
refused saying until when the lease holds, why, and that a daemon or `bot run --once` takes it
over then. Never from a live worker, nor from one on another host (two hosts may share
Postgres). The real CLI in a subprocess, on SQLite and on Postgres."""

from __future__ import annotations

import json
import os
import socket
import subprocess
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.adapters.store.sql import SqlStore
from bot.domain import PublicationState
from tests.conftest import run_cli


def _ok(*args: str, config: Path) -> str:
    result = run_cli(*args, config=config)
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result.stdout


def _approved(config: Path) -> int:
    _ok("db", "upgrade", config=config)
    _ok("campaigns", "sync", config=config)
    fired = json.loads(_ok("campaigns", "fire", "promo", "--json", config=config))  # due now
    _ok("queue", "approve", str(fired["drafts"][0]), config=config)
    (pub,) = json.loads(_ok("publications", "list", "--json", config=config))
    return int(pub["id"])


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def _claim(url: str, worker: str, *, stamped: bool, daemon_heartbeat: datetime | None = None) -> None:
    now = datetime.now(UTC)
    with closing(SqlStore.open(url)) as store:
        if daemon_heartbeat is not None:
            host, pid_text, _ = worker.rsplit("-", 2)
            pid = int(pid_text)
            store.register_daemon(worker, host, pid, daemon_heartbeat, {"poll_interval_s": 10.0})
        (pub,) = store.claim_publications(worker, now, timedelta(minutes=10))
        if stamped:
            store.mark_sending(pub.id, worker, now)


def _state(url: str, pub_id: int) -> PublicationState:
    with closing(SqlStore.open(url)) as store:
        return store.get_publication(pub_id).state


def test_a_dead_daemons_sent_claim_waits_for_its_heartbeat_then_is_checked(
    write_config: Any, db_url: str
) -> None:
    config = write_config(database_url=db_url)
    pub = _approved(config)
    worker = f"{socket.gethostname()}-{_dead_pid()}-dead01"
    _claim(db_url, worker, stamped=True, daemon_heartbeat=datetime.now(UTC))  # killed just now

    refused = run_cli("publications", "check", str(pub), config=config)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert f"claimed by {worker} until" in refused.stderr, refused.stderr
    assert "heartbeat is only" in refused.stderr and "`bot run --once`" in refused.stderr
    assert _state(db_url, pub) is PublicationState.CLAIMED

    with closing(SqlStore.open(db_url)) as store:  # its heartbeat stopped a while ago
        store.heartbeat(worker, datetime.now(UTC) - timedelta(minutes=5), "running")
    checked = run_cli("publications", "check", str(pub), config=config)
    assert checked.returncode == 0, checked.stderr
    assert "not found on outbox yet" in checked.stdout, checked.stdout  # looked, before settle
    assert _state(db_url, pub) is PublicationState.NEEDS_CHECK  # never re-sent on a guess
    shown = json.loads(_ok("publications", "show", str(pub), "--json", config=config))
    assert any(f"taken over from {worker}" in (e["reason"] or "") for e in shown["events"])


def test_a_dead_workers_unsent_claim_is_queued_again_by_retry(write_config: Any, db_url: str) -> None:
    config = write_config(database_url=db_url)
    pub = _approved(config)
    worker = f"{socket.gethostname()}-{_dead_pid()}-dead02"  # a `run --once`: no daemon row
    _claim(db_url, worker, stamped=False)
    retried = run_cli("publications", "retry", str(pub), config=config)
    assert retried.returncode == 0, retried.stderr
    assert _state(db_url, pub) is PublicationState.QUEUED


def test_a_sent_claim_of_a_dead_worker_that_is_no_daemon_waits_for_its_lease(
    write_config: Any, db_url: str
) -> None:
    config = write_config(database_url=db_url)
    pub = _approved(config)
    worker = f"{socket.gethostname()}-{_dead_pid()}-dead03"
    _claim(db_url, worker, stamped=True)
    refused = run_cli("publications", "retry", str(pub), "--force", config=config)
    assert refused.returncode == 1
    assert "it is no daemon" in refused.stderr and "takes it over" in refused.stderr, refused.stderr
    assert _state(db_url, pub) is PublicationState.CLAIMED


def test_a_live_or_remote_owner_is_never_taken_over(write_config: Any, db_url: str) -> None:
    config = write_config(database_url=db_url)
    pub = _approved(config)
    live = f"{socket.gethostname()}-{os.getpid()}-live01"  # this test process: alive
    _claim(db_url, live, stamped=False)
    refused = run_cli("publications", "check", str(pub), config=config)
    assert refused.returncode == 1 and f"pid {os.getpid()} is alive on this host" in refused.stderr
    with closing(SqlStore.open(db_url)) as store:
        store.release_claims(live, datetime.now(UTC))
    remote = f"other.example-{_dead_pid()}-far001"
    _claim(db_url, remote, stamped=False)
    refused = run_cli("publications", "retry", str(pub), config=config)
    assert refused.returncode == 1 and "runs on host other.example" in refused.stderr, refused.stderr
    assert _state(db_url, pub) is PublicationState.CLAIMED


def test_a_slot_of_a_dead_maker_is_taken_over_at_once_never_a_live_ones(tmp_path: Path, db_url: str) -> None:
    """A slot left pending by a worker killed mid-draft: taken over at the next pass when the
    maker is provably dead, not after STALE_AFTER; a live maker's (or a daemon's whose
    heartbeat is fresh) is left alone."""
    from tests.scheduling_helpers import campaign, fixed_app
    from tests.scheduling_helpers import write_config as write_scheduling_config

    path = write_scheduling_config(tmp_path, campaign("hello", '{ cron = "0 9 * * *" }'), database_url=db_url)
    now = datetime.now(UTC).replace(microsecond=0)
    app, _ = fixed_app(path, now)
    with closing(app):  # its Postgres connections must not outlive the test
        _take_over(app, now)


def _take_over(app: Any, now: datetime) -> None:
    from bot.services.catchup import Scheduling, take_stale_slots

    app.sync.sync("test")
    record = app.store.get_campaign("hello")
    host = socket.gethostname()
    dead, live, fresh = (
        f"{host}-{_dead_pid()}-gone01",
        f"{host}-{os.getpid()}-live02",
        f"{host}-{_dead_pid()}-beat03",
    )
    app.store.register_daemon(fresh, host, int(fresh.rsplit("-", 2)[1]), now, {"poll_interval_s": 10.0})
    slots = {}
    for hours, maker in enumerate((dead, live, fresh)):
        slot = app.store.create_slot(record.id, now - timedelta(hours=hours + 1), now, maker)
        assert slot is not None
        slots[maker] = slot.id
    todo = take_stale_slots(Scheduling(app.settings, app.store, "w-next"), now)
    assert [s.id for s in todo] == [slots[dead]]
