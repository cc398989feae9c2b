"""The channels against local receivers: a webhook on loopback (answering, failing with 500,
hanging) and an SMTP server with STARTTLS and a login; the secrets they read."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.notify import build_channels
from bot.adapters.notify.dispatch import BackgroundDispatcher, Channel, deliver
from bot.adapters.notify.secrets import NotifySecrets
from bot.adapters.notify.smtp import EmailChannel
from bot.adapters.notify.webhook import WebhookChannel
from bot.config.notify import EmailSettings, NotifySettings, Retrying
from bot.domain.errors import ConfigError
from bot.domain.notify import Message, NotificationFailed
from tests.fixtures.notify import SmtpServer, WebhookReceiver

MESSAGE = Message(
    "test", "2 drafts wait for review", "- draft 1: hello @everyone\n  https://bot.example/drafts/1"
)
QUICK = Retrying(timeout=timedelta(seconds=1), retries=2, backoff=timedelta(milliseconds=50))


def test_webhook_posts_text_and_content(webhook: Any) -> None:
    receiver: WebhookReceiver = webhook("ok")
    WebhookChannel(receiver.url, 10).send(MESSAGE)
    assert receiver.wait_for(1)
    body = receiver.bodies[0]
    assert body["text"] == body["content"]
    assert body["text"].startswith("*2 drafts wait for review*\n- draft 1")
    assert body["allowed_mentions"] == {"parse": []}
    assert receiver.paths == ["/hooks/T0KEN-s3cret"]


def test_webhook_500_and_hang_are_named_without_the_url(webhook: Any) -> None:
    failing: WebhookReceiver = webhook("500")
    with pytest.raises(NotificationFailed, match="answered HTTP 500") as caught:
        WebhookChannel(failing.url, 10).send(MESSAGE)
    assert "T0KEN" not in str(caught.value)
    hanging: WebhookReceiver = webhook("hang")
    started = time.monotonic()
    with pytest.raises(NotificationFailed, match=r"did not answer within 0.5 s") as caught:
        WebhookChannel(hanging.url, 0.5).send(MESSAGE)
    assert time.monotonic() - started < 20
    assert "T0KEN" not in str(caught.value)


def test_deliver_retries_with_backoff_then_gives_up(webhook: Any) -> None:
    failing: WebhookReceiver = webhook("500")
    result = deliver(Channel(WebhookChannel(failing.url, 5), QUICK), MESSAGE)
    assert not result.ok and result.attempts == 3 and failing.hits == 3
    assert result.error.endswith("answered HTTP 500")
    ok: WebhookReceiver = webhook("ok")
    assert deliver(Channel(WebhookChannel(ok.url, 5), QUICK), MESSAGE).ok


def test_dispatcher_never_blocks_and_drops_what_it_never_tried(webhook: Any) -> None:
    hanging: WebhookReceiver = webhook("hang")
    slow = Retrying(timeout=timedelta(seconds=30), retries=0, backoff=timedelta(seconds=1))
    dispatcher = BackgroundDispatcher([Channel(WebhookChannel(hanging.url, 30), slow)])
    started = time.monotonic()
    dispatcher.submit(1, MESSAGE)
    dispatcher.submit(2, MESSAGE)
    assert time.monotonic() - started < 1.0  # queued, not sent
    deadline = time.monotonic() + 30
    while hanging.hits < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    outcomes = dispatcher.close(wait=0.2)
    # message 1 is in hand (its outcome unknown: not reported), message 2 was never tried
    assert [(o.message_id, o.dropped) for o in outcomes] == [(2, True)]


def email_settings(server: SmtpServer, **extra: Any) -> EmailSettings:
    data: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": server.port,
        "from": "bot@example.com",
        "to": ["team@example.com", "boss@example.com"],
        "username": server.USER,
        "ca_file": str(server.cert),
        "timeout": "20s",
        **extra,
    }
    return EmailSettings.model_validate(data)


def test_email_over_starttls_with_login(smtp_server: SmtpServer) -> None:
    EmailChannel(email_settings(smtp_server), smtp_server.PASSWORD).send(MESSAGE)
    assert smtp_server.wait_for(1)
    mail = smtp_server.mails[0]
    assert mail["Subject"] == "2 drafts wait for review"
    assert "https://bot.example/drafts/1" in mail.get_payload()
    assert smtp_server.envelopes[0] == ("bot@example.com", ["team@example.com", "boss@example.com"])


def test_email_wrong_password_and_untrusted_certificate(smtp_server: SmtpServer, tmp_path: Path) -> None:
    with pytest.raises(NotificationFailed, match="refused the login") as caught:
        EmailChannel(email_settings(smtp_server), "wrong-pa55").send(MESSAGE)
    assert "wrong-pa55" not in str(caught.value)
    untrusted = email_settings(smtp_server, ca_file=None)
    with pytest.raises(NotificationFailed, match="TLS failed"):
        EmailChannel(untrusted, smtp_server.PASSWORD).send(MESSAGE)
    assert smtp_server.mails == []


def test_secrets_from_env_file_and_dir(tmp_path: Path) -> None:
    (tmp_path / "notify.env").write_text("hook_url=https://hooks.example/T0KEN\n", encoding="utf-8")
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "smtp_password").write_text("pa55\n", encoding="utf-8")
    settings = NotifySettings.model_validate({"secrets_file": "notify.env", "secrets_dir": "dir"})
    secrets = NotifySecrets(settings, tmp_path, environ={"BOT_NOTIFY_OTHER": "from-env"})
    assert secrets.get("hook_url", "k") == "https://hooks.example/T0KEN"
    assert secrets.get("smtp_password", "k") == "pa55"
    assert secrets.get("other", "k") == "from-env"
    with pytest.raises(ConfigError) as caught:
        secrets.get("missing", "notify.webhook.url_secret")
    text = str(caught.value)
    assert "notify.webhook.url_secret = 'missing'" in text and "$BOT_NOTIFY_MISSING" in text
    assert str(tmp_path / "notify.env") in text


def test_build_channels_reads_the_webhook_url_from_a_secret(tmp_path: Path, monkeypatch: Any) -> None:
    settings = NotifySettings.model_validate({"webhook": {"url_secret": "hook"}})
    with pytest.raises(ConfigError, match=r"\$BOT_NOTIFY_HOOK"):
        build_channels(settings, tmp_path)
    monkeypatch.setenv("BOT_NOTIFY_HOOK", "http://127.0.0.1:9/hooks/x")
    [channel] = build_channels(settings, tmp_path)
    assert channel.channel.name == "webhook"


def test_a_secret_that_is_not_a_url_is_named_without_its_value(tmp_path: Path, monkeypatch: Any) -> None:
    settings = NotifySettings.model_validate({"webhook": {"url_secret": "hook"}})
    monkeypatch.setenv("BOT_NOTIFY_HOOK", "hooks.example/T0KEN")
    with pytest.raises(ConfigError, match="url_secret = 'hook': the secret is not a web URL") as caught:
        build_channels(settings, tmp_path)
    assert "T0KEN" not in str(caught.value)


@pytest.mark.parametrize(("value", "kind"), [("pa55\r", "carriage return"), ("pa55  ", "space")])
def test_a_secret_with_trailing_whitespace_is_refused_by_name(tmp_path: Path, value: str, kind: str) -> None:
    settings = NotifySettings.model_validate({})
    secrets = NotifySecrets(settings, tmp_path, environ={"BOT_NOTIFY_SMTP_PASSWORD": value})
    with pytest.raises(ConfigError) as caught:
        secrets.get("smtp_password", "notify.email.password_secret")
    text = str(caught.value)
    assert "smtp_password" in text and "$BOT_NOTIFY_SMTP_PASSWORD" in text
    assert f"trailing whitespace (a {kind}" in text and "pa55" not in text


def test_build_channels_refuses_a_webhook_secret_with_a_carriage_return(
    tmp_path: Path, monkeypatch: Any
) -> None:
    settings = NotifySettings.model_validate({"webhook": {"url_secret": "hook"}})
    monkeypatch.setenv("BOT_NOTIFY_HOOK", "http://127.0.0.1:9/hooks/x\r")
    with pytest.raises(ConfigError, match=r"credential hook in \$BOT_NOTIFY_HOOK has trailing whitespace"):
        build_channels(settings, tmp_path)
