"""``[web]``: the review page (``bot web``), who may log in to it, and where it is reached.

Passwords never live here: ``bot web passwd NAME`` writes an argon2 hash to the secrets file
or directory named here (or prints the line to set as ``BOT_WEB_PASSWORD_<NAME>``).
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import Field, IPvAnyAddress, IPvAnyNetwork, model_validator

from bot.config.types import PositiveDuration, Strict, WebUrl

_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"


class Role(StrEnum):
    """What a reviewer may do: a ``reviewer`` approves, edits, rejects, regenerates and handles
    publications; an ``admin`` may also override a flagged draft."""

    REVIEWER = "reviewer"
    ADMIN = "admin"


class ReviewerSettings(Strict):
    """``[[web.reviewers]]``: one person who may log in (their name is the actor in the log)."""

    name: str = Field(pattern=_NAME)
    role: Role = Role.REVIEWER


class WebSettings(Strict):
    """``[web]``: ``bot web`` serves the review page here (behind a reverse proxy)."""

    host: str = Field(default="127.0.0.1", min_length=1, max_length=255)
    port: int = Field(default=8080, ge=1, le=65535)
    #: The address people open (``https://bot.example.com``): links in notifications, and
    #: cookies are marked Secure when it is https.
    url: WebUrl | None = None
    #: Password hashes (``web_password_<name>``) and the session key (``web_session_secret``):
    #: a ``NAME=value`` file and/or a directory with one file per secret. Relative paths are
    #: relative to the config file. Without either, ``bot web passwd`` writes
    #: ``<data_dir>/web-secrets``.
    secrets_file: Path | None = None
    secrets_dir: Path | None = None
    #: How long a login lasts.
    session_lifetime: PositiveDuration = timedelta(hours=12)
    #: Wrong passwords allowed per name and per address within a minute; more are refused
    #: (429) until the minute has passed.
    login_attempts: int = Field(default=5, ge=1, le=1000)
    reviewers: tuple[ReviewerSettings, ...] = ()
    #: Who may read ``/metrics`` (no login): ``local`` loopback clients (a scraper on this
    #: host), ``public`` anyone who reaches the page, ``off`` nobody.
    metrics: Literal["local", "public", "off"] = "local"
    #: Addresses of reverse proxies whose ``X-Forwarded-For`` / ``-Proto`` headers are believed
    #: (the client's address for the login throttle, https). Empty (the default): the headers
    #: are ignored and the address is the connection's. Behind a proxy on this host:
    #: ``["127.0.0.1"]``.
    trusted_proxies: tuple[IPvAnyAddress | IPvAnyNetwork, ...] = ()

    @model_validator(mode="after")
    def _unique_reviewers(self) -> WebSettings:
        seen: set[str] = set()
        for i, reviewer in enumerate(self.reviewers):
            if reviewer.name.lower() in seen:
                raise ValueError(f"reviewers[{i}].name: duplicate reviewer {reviewer.name!r}")
            seen.add(reviewer.name.lower())
        return self

    def reviewer(self, name: str) -> ReviewerSettings | None:
        """The configured reviewer called ``name``, or None."""
        return next((r for r in self.reviewers if r.name == name), None)

    @property
    def secure_cookies(self) -> bool:
        return bool(self.url and self.url.lower().startswith("https://"))

    def exposed_without_https(self, host: str | None = None) -> bool:
        """Whether serving on ``host`` (default ``host`` of ``[web]``) reaches other machines
        while ``url`` is not https: passwords and session cookies would cross in clear text."""
        return not self.secure_cookies and not is_loopback(host or self.host)


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or ``localhost``; any other address or name may be reached from outside."""
    import ipaddress

    if host.strip().lower().rstrip(".") in {"localhost", "localhost.localdomain"}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
