"""Notifications never hold up publishing: a real daemon (``python -m bot run``) publishes to
the dry-run outbox while the webhook hangs, stops promptly on SIGTERM, and a restarted daemon
does not send the same digest again; a pass against a webhook that answers 500 publishes,
and the failure is logged and counted."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.daemon.runner import run_pass
from bot.domain import (
    Candidate,
    DraftOrigin,
    DraftState,
    ModerationDecision,
    ModerationVerdict,
    PublicationState,
)
from bot.domain.notify import NOTIFICATION
from tests.conftest import run_cli
from tests.daemon.test_bad_templates import one_off
from tests.fixtures.notify import WebhookReceiver
from tests.scheduling_helpers import fixed_app, start_daemon, stop, wait_until, write_config

GOOD = "Write a greeting for {{ brand }}."


def notify_section(url: str, timeout: str, retries: int = 0) -> str:
    return (
        f'[notify]\nnotify_every = "1h"\n[notify.webhook]\nurl = "{url}"\ntimeout = "{timeout}"\n'
        f'retries = {retries}\nbackoff = "50ms"\n'
    )


def configured(tmp_path: Path, sqlite_url: str, now: datetime, notify: str) -> Path:
    """A campaign due ten minutes ago (approved automatically), synced an hour ago."""
    config = write_config(
        tmp_path,
        one_off("tea", GOOD, now - timedelta(minutes=10)),
        notify,
        database_url=sqlite_url,
        poll="1s",
    )
    app, _ = fixed_app(config, now - timedelta(hours=1))
    app.sync.sync("test")
    app.close()
    return config


def outbox(tmp_path: Path) -> list[dict[str, Any]]:
    path = tmp_path / "data" / "outbox.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return [json.loads(line) for line in lines]


def test_the_daemon_keeps_publishing_while_the_webhook_hangs(
    tmp_path: Path, sqlite_url: str, webhook: Any
) -> None:
    receiver: WebhookReceiver = webhook("hang")
    now = datetime.now(UTC).replace(microsecond=0)
    config = configured(tmp_path, sqlite_url, now, notify_section(receiver.url, "60s"))
    log = tmp_path / "daemon.log"
    app, _ = fixed_app(config, now)

    def text() -> str:
        return log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""

    proc = start_daemon(config, log)
    try:
        # The slot is drafted, its best draft approved and published; the other draft waits,
        # so a digest goes out, and the webhook holds it.
        assert wait_until(lambda: len(outbox(tmp_path)) == 1, 120), text()
        assert wait_until(lambda: receiver.hits == 1, 60), text()
        [waiting] = app.store.list_drafts(states=[DraftState.PENDING_REVIEW])
        # A slot posts once per account, so the second post is a person's draft of no slot.
        second = app.store.add_draft(
            campaign_id=waiting.campaign_id, slot_id=None,
            verdict=ModerationVerdict(ModerationDecision.PASS, {}, {}, {}),
            candidate=Candidate(text=waiting.text, origin=DraftOrigin.HUMAN, model_id="test"),
            state=DraftState.PENDING_REVIEW, expires_at=None, now=now, actor="test",
        )  # fmt: skip
        approved = run_cli("queue", "approve", str(second), "--as", "ann", config=config)
        assert approved.returncode == 0, approved.stderr
        # Published at the next pass, while the webhook still hangs.
        assert wait_until(lambda: len(outbox(tmp_path)) == 2, 60), text()
        assert receiver.hits == 1 and receiver.bodies == []
        assert proc.poll() is None
        stopping = time.monotonic()
        assert stop(proc, timeout=60) == 0
        stopped_in = time.monotonic() - stopping
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    # The stop waited a bounded time for the message in hand (one try of 60 s is cut at 10 s).
    assert stopped_in < 30, stopped_in
    assert "a notification was still being sent at shutdown" in text()
    states = [p.state for p in app.store.list_publications()]
    assert states == [PublicationState.PUBLISHED, PublicationState.PUBLISHED]
    [queued] = [e for e in app.store.events(entity=NOTIFICATION) if e.to_state == "queued"]
    assert queued.details["kind"] == "digest"

    # A restarted daemon, the webhook answering now: the digest is not sent again.
    receiver.mode = "ok"
    receiver.release()
    proc = start_daemon(config, log)
    try:
        assert wait_until(lambda: text().count("started on") == 2, 120), text()
        time.sleep(3)  # a few passes (poll 1 s)
        assert proc.poll() is None
    finally:
        assert stop(proc, timeout=60) == 0
    assert receiver.bodies == []
    assert len([e for e in app.store.events(entity=NOTIFICATION) if e.to_state == "queued"]) == 1
    app.close()


def test_a_pass_publishes_while_the_webhook_answers_500(
    tmp_path: Path, sqlite_url: str, webhook: Any, caplog: pytest.LogCaptureFixture
) -> None:
    receiver: WebhookReceiver = webhook("500")
    now = datetime.now(UTC).replace(microsecond=0)
    config = configured(tmp_path, sqlite_url, now, notify_section(receiver.url, "20s", retries=2))
    app, _ = fixed_app(config, now)
    with caplog.at_level(logging.WARNING):
        report = run_pass(app)
        assert len(report.publishing.published) == 1 and len(report.notified) == 1
        assert len(outbox(tmp_path)) == 1
        app.stop_notifying(60, drain=True)
    assert receiver.hits == 3
    assert f"notification {report.notified[0]} via webhook failed after 3 tries" in caplog.text
    assert app.store.store_metrics().notification_failures == {"webhook": 1}
    again = run_pass(app)
    assert again.notified == [] and receiver.hits == 3
    app.close()


def test_the_daemon_serves_metrics_on_its_port(tmp_path: Path, sqlite_url: str) -> None:
    import urllib.request

    from prometheus_client.parser import text_string_to_metric_families

    from tests.fixtures.notify import free_port

    now = datetime.now(UTC).replace(microsecond=0)
    port = free_port()
    config = configured(tmp_path, sqlite_url, now, f"[daemon]\nmetrics_port = {port}\n")
    log = tmp_path / "daemon.log"
    proc = start_daemon(config, log)

    def scrape() -> dict[str, float]:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as answer:
            text = answer.read().decode()
        return {
            s.name + str(sorted(s.labels.items())): s.value
            for f in text_string_to_metric_families(text)
            for s in f.samples
        }

    try:
        published = "bot_publications" + str([("platform", "dryrun"), ("state", "published")])
        assert wait_until(lambda: len(outbox(tmp_path)) == 1, 120), log.read_text()
        # the outbox line is written before the store records the publication as published
        assert wait_until(lambda: scrape().get(published) == 1, 60), log.read_text()
        got = scrape()
        assert got["bot_daemon_slot_generation_seconds_count[]"] == 1
        assert got["bot_slot_drafting_seconds_count[]"] == 1
        assert any(k.startswith("bot_daemon_heartbeat_age_seconds") for k in got)
    finally:
        assert stop(proc, timeout=60) == 0


def test_one_line_per_notification_event(
    tmp_path: Path, sqlite_url: str, webhook: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A digest sent once logs one line when queued and one when sent (not two for one send)."""
    receiver: WebhookReceiver = webhook("ok")
    now = datetime.now(UTC).replace(microsecond=0)
    config = configured(tmp_path, sqlite_url, now, notify_section(receiver.url, "20s"))
    app, _ = fixed_app(config, now)
    with caplog.at_level(logging.INFO):
        report = run_pass(app)
        app.stop_notifying(60, drain=True)
    app.close()
    [message_id] = report.notified
    assert receiver.hits == 1
    lines = [r.getMessage() for r in caplog.records if f"notification {message_id}" in r.getMessage()]
    assert len(lines) == 2, lines
    assert lines[0].startswith(f"notification {message_id}: queued by "), lines
    assert lines[1].startswith(f"notification {message_id}: queued -> sent by "), lines
    assert "webhook: delivered (try 1)" in lines[1], lines
