"""Notification channels (one module per external system: ``webhook``, ``smtp``), the secrets
they read, and the background dispatcher that sends without holding up the daemon."""

from __future__ import annotations

from pathlib import Path

from bot.adapters.notify.dispatch import Channel
from bot.adapters.notify.secrets import NotifySecrets
from bot.config.notify import NotifySettings
from bot.config.types import check_web_url
from bot.domain.errors import ConfigError


def build_channels(settings: NotifySettings, base: Path | None = None) -> list[Channel]:
    """The configured channels, their secrets read now (ConfigError naming a missing one);
    relative secret paths are resolved against ``base`` (the config file's directory)."""
    secrets = NotifySecrets(settings, base)
    channels: list[Channel] = []
    if settings.webhook is not None:
        from bot.adapters.notify.webhook import WebhookChannel

        hook = settings.webhook
        url = hook.url or _secret_url(secrets, hook.url_secret or "")
        channels.append(Channel(WebhookChannel(url, hook.timeout.total_seconds()), hook))
    if settings.email is not None:
        from bot.adapters.notify.smtp import EmailChannel

        mail = settings.email
        password = (
            secrets.get(mail.password_secret, "notify.email.password_secret") if mail.username else None
        )
        channels.append(Channel(EmailChannel(mail, password, base), mail))
    return channels


def _secret_url(secrets: NotifySecrets, name: str) -> str:
    """The webhook URL held by secret ``name``, checked like a URL in the config (the error
    says what is wrong with it, never the URL: it holds a token)."""
    key = "notify.webhook.url_secret"
    url = secrets.get(name, key)
    try:
        return check_web_url(url)
    except ValueError as exc:
        raise ConfigError(f"{key} = {name!r}: the secret is not a web URL: {exc}") from None
