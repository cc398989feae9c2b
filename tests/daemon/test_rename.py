"""The rename guard of `bot campaigns sync` (tests/cli/test_campaign_rename.py) in the daemon's
own sync: a campaign renamed in the config while its drafts wait and its approved posts are
queued is not synced by a reload (the running config goes on, the log names both campaigns and
`--accept-removal`) nor by a start (`bot run` exits 1 saying so). Nothing is expired or
cancelled until the operator runs `bot campaigns sync --accept-removal`, which the running
daemon then follows. Real daemon processes, real SQLite and Postgres, the real CLI."""

from __future__ import annotations

import json
import signal
from pathlib import Path

from tests.conftest import run_cli
from tests.scheduling_helpers import campaign, start_daemon, stop, wait_until, write_config

WEEKLY = '{ cron = "0 10 * * FRI" }'


def _fired(tmp_path: Path, db_url: str) -> Path:
    """``weekly`` fired once: its first draft approved (a queued publication), the second waiting."""
    config = write_config(tmp_path, campaign("weekly", WEEKLY), database_url=db_url, poll="1s")
    for args in (("db", "upgrade"), ("campaigns", "sync"), ("campaigns", "fire", "weekly")):
        out = run_cli(*args, config=config)
        assert out.returncode == 0, out.stderr
    out = run_cli("queue", "approve", "1", "--as", "jo", config=config)
    assert out.returncode == 0, out.stderr
    return config


def _renamed(tmp_path: Path, db_url: str) -> None:
    write_config(tmp_path, campaign("weekly-fixed", WEEKLY), database_url=db_url, poll="1s")


def _untouched(config: Path, *sent: str) -> None:
    """The waiting draft still waits, the approved post is queued (or ``sent``), not cancelled."""
    drafts = json.loads(run_cli("queue", "list", "--json", config=config).stdout)
    assert [d["state"] for d in drafts] == ["pending_review"], drafts
    pubs = json.loads(run_cli("publications", "list", "--json", config=config).stdout)
    assert [p["state"] for p in pubs] in [["queued"], *([s] for s in sent)], pubs
    listed = json.loads(run_cli("campaigns", "list", "--json", config=config).stdout)
    assert [c["name"] for c in listed] == ["weekly"], listed


def test_a_reload_does_not_sync_a_rename_until_the_removal_is_accepted(tmp_path: Path, db_url: str) -> None:
    config = _fired(tmp_path, db_url)
    log = tmp_path / "daemon.log"
    proc = start_daemon(config, log)
    try:
        assert wait_until(lambda: "started on" in log.read_text(), 120), log.read_text()
        _renamed(tmp_path, db_url)
        proc.send_signal(signal.SIGHUP)
        assert wait_until(lambda: "still running the previous config" in log.read_text(), 60), log.read_text()
        text = log.read_text()
        assert "campaign 'weekly' is gone from the config and 'weekly-fixed' is new" in text, text
        assert "bot campaigns sync --accept-removal" in text and "Traceback" not in text, text
        assert proc.poll() is None
        _untouched(config, "published")  # the running config sent it, as it would have

        out = run_cli("campaigns", "sync", "--accept-removal", config=config)
        assert out.returncode == 0, out.stderr
        assert wait_until(lambda: "reloaded" in log.read_text(), 60), log.read_text()
        assert proc.poll() is None
    finally:
        assert stop(proc) == 0
    listed = json.loads(run_cli("campaigns", "list", "--json", config=config).stdout)
    assert [c["name"] for c in listed] == ["weekly-fixed"], listed


def test_a_start_with_a_rename_is_refused_and_loses_nothing(tmp_path: Path, db_url: str) -> None:
    config = _fired(tmp_path, db_url)
    _renamed(tmp_path, db_url)
    done = run_cli("run", config=config, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"the daemon did not start: {config}: campaigns not synced" in done.stderr, done.stderr
    assert "'weekly' is gone from the config and 'weekly-fixed' is new" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and "started on" not in done.stderr, done.stderr
    _untouched(config)


def test_the_daemon_logs_what_its_sync_did_to_held_posts_once(tmp_path: Path, db_url: str) -> None:
    """Said by the daemon (the sync service no longer logs it: `bot campaigns sync` printed
    each line twice on a terminal), once."""
    config = _fired(tmp_path, db_url)
    write_config(tmp_path, campaign("weekly", WEEKLY, enabled="false"), database_url=db_url, poll="1s")
    log = tmp_path / "daemon.log"
    proc = start_daemon(config, log)
    try:
        assert wait_until(lambda: "started on" in log.read_text(), 120), log.read_text()
    finally:
        assert stop(proc) == 0
    text = log.read_text()
    assert text.count("publication 1 (draft 1 to outbox) cancelled: weekly is disabled") == 1, text
