"""Notifications on a real store, sent through the real dispatcher to a local webhook: one
digest per period (also across a restart), quiet hours, alerts, failures logged and counted."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.store import engine as engines
from bot.config import load_settings
from bot.domain import (
    CampaignSpec,
    Candidate,
    Decision,
    DraftOrigin,
    DraftState,
    ModerationDecision,
    ModerationVerdict,
    PublicationState,
    Target,
    text_sha256,
)
from bot.domain.notify import NOTIFICATION
from bot.domain.ports import FixedClock
from bot.services.notifying import NotifyingService
from bot.wiring import Wiring
from tests.fixtures.notify import WebhookReceiver
from tests.scheduling_helpers import campaign, write_config

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
_P = PublicationState


def notify_toml(url: str, *, every: str = "1h", quiet: str | None = None, retries: int = 0) -> str:
    lines = ["[notify]", f'notify_every = "{every}"']
    if quiet:
        lines.append(f'quiet_hours = "{quiet}"')
    lines += [
        "[notify.webhook]",
        f'url = "{url}"',
        'timeout = "20s"',
        f"retries = {retries}",
        'backoff = "50ms"',
    ]
    return "\n".join(lines) + "\n"


def make_app(
    tmp_path: Path, notify: str, at: datetime = NOW, timezone: str = "UTC"
) -> tuple[Wiring, FixedClock]:
    path = write_config(tmp_path, campaign("promo", '{ cron = "0 10 * * FRI" }'), notify, timezone=timezone)
    settings = load_settings(path)
    engines.upgrade(settings.database_url)
    clock = FixedClock(at)
    app = Wiring(settings, clock=clock)
    app.store.sync_campaigns([CampaignSpec("promo", settings.campaigns[0].kind, {"name": "promo"})], at, "t")
    return app, clock


def add_draft(app: Wiring, text: str, state: DraftState = DraftState.PENDING_REVIEW) -> int:
    record = app.store.get_campaign("promo")
    verdict = ModerationVerdict(ModerationDecision.PASS, {}, {}, {})
    return app.store.add_draft(
        campaign_id=record.id, slot_id=None, candidate=Candidate(text, DraftOrigin.HUMAN, "m"),
        verdict=verdict, state=state, expires_at=None, now=app.clock.now(), actor="t",
    )  # fmt: skip


def publication(app: Wiring, text: str) -> int:
    """An approved draft's publication, claimed and stamped (as a send would)."""
    draft_id = add_draft(app, text)
    now = app.clock.now()
    app.store.approve_draft(
        draft_id, expected=[DraftState.PENDING_REVIEW], sha256=text_sha256(text), reviewer="r", note="",
        decision=Decision.APPROVED, targets=[Target("outbox", "dryrun")], not_before=now, now=now,
    )  # fmt: skip
    [pub] = app.store.claim_publications("w", now, timedelta(minutes=2), limit=1)
    app.store.mark_sending(pub.id, "w", now)
    return pub.id


def outcomes(app: Wiring, count: int, timeout: float = 60) -> list[Any]:
    """Tick until ``count`` outcome events (sent/failed/dropped) are recorded."""
    deadline = time.monotonic() + timeout
    while True:
        app.notifying.record(app.notifying.dispatcher.outcomes())
        done = [e for e in app.store.events(entity=NOTIFICATION, limit=500) if e.from_state == "queued"]
        if len(done) >= count or time.monotonic() > deadline:
            return done
        time.sleep(0.05)


@pytest.fixture
def apps() -> Iterator[list[Wiring]]:
    made: list[Wiring] = []
    yield made
    for app in made:
        app.close(notify_wait=1)


def test_one_digest_per_period_also_across_a_restart(
    tmp_path: Path, webhook: Any, apps: list[Wiring]
) -> None:
    receiver: WebhookReceiver = webhook("ok")
    app, clock = make_app(tmp_path, notify_toml(receiver.url))
    apps.append(app)
    first, second = add_draft(app, "Tea for two"), add_draft(app, "Moon @channel", DraftState.FLAGGED)
    [message_id] = app.notifying.tick()
    assert receiver.wait_for(1)
    text = receiver.bodies[0]["text"]
    assert text.startswith("*2 drafts wait for review (1 flagged)*")
    assert f"draft {second} (new), promo [flagged]: Moon @\u200bchannel" in text
    assert f"draft {first} (new)" in text and "Review them with `bot queue`." in text
    clock.advance(minutes=10)
    assert app.notifying.tick() == []  # same period
    [sent] = outcomes(app, 1)
    assert (sent.entity_id, sent.to_state, sent.details["channel"]) == (message_id, "sent", "webhook")

    # A new daemon on the same database remembers the digest.
    app.close(notify_wait=1)
    later = FixedClock(NOW + timedelta(minutes=20))
    restarted = Wiring(app.settings, clock=later)
    apps.append(restarted)
    third = add_draft(restarted, "Fresh tea")
    assert restarted.notifying.tick() == []
    later.advance(minutes=41)  # the hour since the first digest is over
    [_] = restarted.notifying.tick()
    assert receiver.wait_for(2)
    text = receiver.bodies[1]["text"]
    assert text.startswith("*3 drafts wait for review (1 flagged)*")
    assert text.index(f"draft {third} (new)") < text.index(f"draft {second},")
    later.advance(hours=2)
    assert restarted.notifying.tick() == []  # nothing new waits
    time.sleep(0.3)
    assert len(receiver.bodies) == 2


def test_quiet_hours_hold_the_digest_until_they_end(tmp_path: Path, webhook: Any, apps: list[Wiring]) -> None:
    receiver: WebhookReceiver = webhook("ok")
    # 23:30 in Shanghai (UTC+8)
    night = datetime(2026, 11, 2, 15, 30, tzinfo=UTC)
    app, clock = make_app(tmp_path, notify_toml(receiver.url, quiet="22:00-07:00"), night, "Asia/Shanghai")
    apps.append(app)
    add_draft(app, "Tea at midnight")
    assert app.notifying.tick() == []
    clock.advance(hours=7, minutes=29)  # 06:59 local
    assert app.notifying.tick() == []
    clock.advance(minutes=1)  # 07:00 local
    assert len(app.notifying.tick()) == 1
    assert receiver.wait_for(1)
    assert receiver.hits == 1


def test_alerts_for_needs_check_failed_and_paused(tmp_path: Path, webhook: Any, apps: list[Wiring]) -> None:
    receiver: WebhookReceiver = webhook("ok")
    app, clock = make_app(tmp_path, notify_toml(receiver.url))
    apps.append(app)
    service = NotifyingService(
        app.settings, app.store, app._dispatcher, clock.now, app.worker, "https://bot.example.com/"
    )
    checking, failing = publication(app, "one"), publication(app, "two")
    app.store.finish_publication(checking, "w", _P.NEEDS_CHECK, now=clock.now(), reason="timeout after send")
    app.store.finish_publication(failing, "w", _P.FAILED, now=clock.now(), reason="rejected: too long")
    app.store.pause_account("outbox", "401 bad token", clock.now(), "w")
    [_] = service.tick()  # the alert (no digest: the drafts are approved, none waits)
    assert receiver.wait_for(1)
    alert = receiver.bodies[0]["text"]
    pub = app.store.get_publication(checking)
    assert "*3 things need attention*" in alert
    assert (
        f"- publication {checking} (draft {pub.draft_id} to outbox on dryrun) needs a check: timeout" in alert
    )
    assert f"  https://bot.example.com/drafts/{pub.draft_id}" in alert
    assert f"- publication {failing} " in alert and "failed: rejected: too long" in alert
    assert "- account outbox is paused: 401 bad token\n  https://bot.example.com/accounts" in alert
    clock.advance(minutes=5)
    assert service.tick() == []  # each alert once
    app.store.resume_account("outbox", clock.now(), "w")
    other = publication(app, "three")
    app.store.finish_publication(other, "w", _P.FAILED, now=clock.now(), reason="gone")
    [_] = service.tick()
    assert receiver.wait_for(2)
    last = receiver.bodies[-1]["text"]
    assert last.startswith("*1 thing needs attention*") and f"publication {other} " in last
    assert f"publication {failing} " not in last
    service.close(1)


def test_failures_are_logged_counted_and_not_retried_per_period(
    tmp_path: Path, webhook: Any, apps: list[Wiring], caplog: pytest.LogCaptureFixture
) -> None:
    receiver: WebhookReceiver = webhook("500")
    app, clock = make_app(tmp_path, notify_toml(receiver.url, retries=2))
    apps.append(app)
    add_draft(app, "Tea")
    with caplog.at_level(logging.WARNING):
        [message_id] = app.notifying.tick()
        [failed] = outcomes(app, 1)
    assert receiver.hits == 3  # one try and two retries
    assert failed.to_state == "failed" and failed.entity_id == message_id
    assert failed.reason.startswith("webhook: webhook at 127.0.0.1 answered HTTP 500")
    assert "T0KEN" not in caplog.text and "T0KEN" not in failed.reason
    assert f"notification {message_id} via webhook failed after 3 tries" in caplog.text
    assert app.store.store_metrics().notification_failures == {"webhook": 1}
    clock.advance(minutes=30)
    add_draft(app, "More tea")
    assert app.notifying.tick() == []  # a failed digest still used its period
    assert receiver.hits == 3


def test_disabled_without_channels(tmp_path: Path, apps: list[Wiring]) -> None:
    app, _ = make_app(tmp_path, "")
    apps.append(app)
    add_draft(app, "Tea")
    assert app.notifying.tick() == []
    assert app.store.events(entity=NOTIFICATION) == []


def test_the_digest_by_email_over_starttls(
    tmp_path: Path, smtp_server: Any, apps: list[Wiring], monkeypatch: Any
) -> None:
    monkeypatch.setenv("BOT_NOTIFY_SMTP_PASSWORD", smtp_server.PASSWORD)
    email = (
        "[notify]\n[notify.email]\n"
        f'host = "127.0.0.1"\nport = {smtp_server.port}\nfrom = "bot@example.com"\n'
        f'to = ["team@example.com"]\nusername = "{smtp_server.USER}"\nca_file = "{smtp_server.cert}"\n'
        'timeout = "20s"\n'
    )
    app, _ = make_app(tmp_path, email)
    apps.append(app)
    draft_id = add_draft(app, "Oolong at noon")
    [message_id] = app.notifying.tick()
    assert smtp_server.wait_for(1)
    mail = smtp_server.mails[0]
    assert mail["Subject"] == "1 draft waits for review"
    assert f"draft {draft_id} (new), promo: Oolong at noon" in mail.get_payload()
    [sent] = outcomes(app, 1)
    assert (sent.entity_id, sent.to_state, sent.details["channel"]) == (message_id, "sent", "email")


def test_only_the_first_started_live_daemon_notifies(
    tmp_path: Path, webhook: Any, apps: list[Wiring]
) -> None:
    receiver: WebhookReceiver = webhook("ok")
    app, clock = make_app(tmp_path, notify_toml(receiver.url))
    apps.append(app)
    other = Wiring(app.settings, clock=clock, worker="other-daemon")
    apps.append(other)
    now = clock.now()
    other.store.register_daemon("other-daemon", "h", 2, now - timedelta(minutes=5), {})
    other.store.heartbeat("other-daemon", now, "running")
    app.store.register_daemon(app.worker, "h", 1, now, {})
    app.store.heartbeat(app.worker, now, "running")
    add_draft(app, "Tea")
    assert app.notifying.tick() == []  # the other one started first
    assert len(other.notifying.tick()) == 1
    # The other one stops (or its heartbeat ages out): this one takes over.
    other.store.heartbeat("other-daemon", now, "stopped")
    clock.advance(hours=1, minutes=1)
    app.store.heartbeat(app.worker, clock.now(), "running")
    add_draft(app, "More tea")
    assert len(app.notifying.tick()) == 1
    assert receiver.wait_for(2)


def test_events_after_and_own_numbered_events(tmp_path: Path, db_url: str) -> None:
    engines.upgrade(db_url)
    from bot.adapters.store.sql import SqlStore

    store = SqlStore.open(db_url)
    try:
        first = store.append_event(NOW, "w", NOTIFICATION, None, None, "queued", "one", {"kind": "digest"})
        store.append_event(
            NOW, "w", NOTIFICATION, first, "queued", "sent", "webhook: ok", {"channel": "webhook"}
        )
        store.append_event(NOW, "w", "account", 0, "active", "paused", "x: 401")
        [own, sent, paused] = store.events_after(0, entities=(NOTIFICATION, "account"))
        assert (
            own.id == own.entity_id == first and sent.entity_id == first and own.details == {"kind": "digest"}
        )
        assert store.events_after(first, entities=("account",), to_states=("paused",)) == [paused]
        assert store.events_after(paused.id, entities=("account",)) == []
        assert [e.id for e in store.events_after(0, entities=(NOTIFICATION,), limit=1)] == [first]
    finally:
        store.close()
