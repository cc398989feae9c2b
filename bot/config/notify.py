"""``[notify]``: telling people when work waits (a webhook, email), and ``[daemon]``: the
daemon's own options (its Prometheus endpoint).

Secrets never live here: a webhook URL that carries a token is named by ``url_secret`` and the
SMTP password by ``password_secret``; both are read from ``$BOT_NOTIFY_<NAME>``, the
``secrets_file`` (``NAME=value`` lines) or the ``secrets_dir`` (one file per secret).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator, model_validator

from bot.config.types import PositiveDuration, SecretName, Strict, Timeout, TimeZoneName, WebUrl
from bot.domain.notify import QuietHours

#: Keys that would put a credential in the TOML: refused, naming the key, never the value.
_CREDENTIALS = ("password", "token", "secret", "api_key")


def _no_credentials(data: Any) -> Any:
    if isinstance(data, dict):
        for key in _CREDENTIALS:
            if key in data:
                raise ValueError(
                    f"{key}: credentials do not belong in the config; name the secret "
                    f"with {'password_secret' if key == 'password' else 'url_secret'} and put it "
                    "in the environment or secrets_file / secrets_dir (see README, Notifications)"
                )
    return data


class Retrying(Strict):
    """How hard a channel tries: each try bounded by ``timeout``, tries spaced by ``backoff``
    (doubled each time)."""

    timeout: Timeout = timedelta(seconds=10)
    retries: int = Field(default=2, ge=0, le=10)
    backoff: PositiveDuration = timedelta(seconds=2)

    @field_validator("backoff")
    @classmethod
    def _short_backoff(cls, value: timedelta) -> timedelta:
        if value > timedelta(minutes=5):
            raise ValueError("must be at most 5m")
        return value


class WebhookSettings(Retrying):
    """``[notify.webhook]``: a JSON POST with ``text`` (Slack, Mattermost) and ``content``
    (Discord). Give ``url``, or ``url_secret`` when the URL holds a token (most do)."""

    url: WebUrl | None = None
    url_secret: SecretName | None = None

    @model_validator(mode="before")
    @classmethod
    def _credentials(cls, data: Any) -> Any:
        return _no_credentials(data)

    @model_validator(mode="after")
    def _one_url(self) -> WebhookSettings:
        if (self.url is None) == (self.url_secret is None):
            raise ValueError(
                "give exactly one of url and url_secret (the name of the secret holding the URL)"
            )
        return self


class EmailSettings(Retrying):
    """``[notify.email]``: mail over SMTP, STARTTLS by default."""

    host: str = Field(min_length=1, max_length=255)
    port: int = Field(default=587, ge=1, le=65535)
    starttls: bool = True
    #: Certificates to trust for STARTTLS instead of the system's (a private relay's CA).
    ca_file: Path | None = None
    sender: str = Field(alias="from", min_length=3, max_length=320)
    to: tuple[str, ...] = Field(min_length=1)
    #: Log in with this name (and the ``password_secret``); no login without it.
    username: str | None = None
    password_secret: SecretName = "smtp_password"

    @model_validator(mode="before")
    @classmethod
    def _credentials(cls, data: Any) -> Any:
        return _no_credentials(data)

    @field_validator("sender")
    @classmethod
    def _sender(cls, value: str) -> str:
        return _address(value)

    @field_validator("to")
    @classmethod
    def _recipients(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_address(v) for v in value)


def _address(value: str) -> str:
    if "@" not in value or any(c.isspace() or c in "<>,;" for c in value):
        raise ValueError(f"{value!r} is not an email address (name@example.com)")
    return value


class NotifySettings(Strict):
    """``[notify]``: what the daemon tells people, when, and through which channels."""

    #: At most one digest of drafts waiting for review this often.
    notify_every: PositiveDuration = timedelta(hours=1)
    #: Local time (``timezone``, else ``[bot] timezone``) in which nothing is sent; what comes
    #: up meanwhile goes out when they end. ``"22:00-07:00"``.
    quiet_hours: str | None = None
    timezone: TimeZoneName | None = None
    #: Where ``url_secret`` and ``password_secret`` are read (after ``$BOT_NOTIFY_<NAME>``).
    #: Relative paths are relative to the config file.
    secrets_file: Path | None = None
    secrets_dir: Path | None = None
    webhook: WebhookSettings | None = None
    email: EmailSettings | None = None

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, value: str | None) -> str | None:
        if value is not None:
            QuietHours.parse(value)
        return value

    @property
    def quiet(self) -> QuietHours | None:
        return QuietHours.parse(self.quiet_hours) if self.quiet_hours else None

    @property
    def enabled(self) -> bool:
        return self.webhook is not None or self.email is not None

    @property
    def longest_send(self) -> float:
        """Seconds the slowest channel may take over one message, every retry included."""
        spans = [
            c.timeout.total_seconds() * (c.retries + 1) + c.backoff.total_seconds() * (2**c.retries - 1)
            for c in (self.webhook, self.email)
            if c is not None
        ]
        return max(spans, default=0.0)

    @property
    def stop_wait(self) -> float:
        """How long a stopping daemon waits for the message in hand: one try of the slowest
        channel, at most 10 s (retries stop at once; systemd's stop timeout is not at risk)."""
        tries = [c.timeout.total_seconds() for c in (self.webhook, self.email) if c is not None]
        return min(max(tries, default=0.0) + 1.0, 10.0)


class DaemonSettings(Strict):
    """``[daemon]``: the daemon's Prometheus endpoint (off unless ``metrics_port`` is set)."""

    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    #: Loopback by default: put a proxy or a firewall rule in front before widening it.
    metrics_host: str = Field(default="127.0.0.1", min_length=1, max_length=255)
