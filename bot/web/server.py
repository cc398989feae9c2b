"""Serve the review page with uvicorn (the only importer of uvicorn)."""

from __future__ import annotations

import logging
import socket
from typing import Any

import uvicorn

from bot.config import Settings
from bot.domain.errors import BotError
from bot.web.app import create_app

log = logging.getLogger(__name__)


def proxy_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's proxy settings for ``[web] trusted_proxies``: off unless proxies are listed
    (uvicorn would otherwise trust loopback, or ``$FORWARDED_ALLOW_IPS``)."""
    trusted = [str(p) for p in settings.web.trusted_proxies]
    if not trusted:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": trusted}


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    """Run ``bot web`` until SIGINT/SIGTERM. ``X-Forwarded-For`` / ``-Proto`` are believed
    from ``[web] trusted_proxies`` only (none by default: the address is the connection's)."""
    app = create_app(settings)
    host = host or settings.web.host
    port = port or settings.web.port
    if not settings.web.reviewers:
        log.warning("no [[web.reviewers]] in the config: nobody can log in")
    uvicorn.run(
        app,
        host=host,
        port=port,
        **proxy_options(settings),
        server_header=False,
        log_level="info",
        access_log=False,
        log_config=log_config(),
    )


def log_config() -> dict[str, Any]:
    """uvicorn's logging set-up with :class:`~bot.adapters.redaction.RedactingFilter` on each of
    its handlers. Its loggers (``uvicorn``, ``uvicorn.error``, ``uvicorn.access``) do not
    propagate to the root logger, whose handlers carry the filter: without this, a secret in
    one of their records (a traceback of the application) would be printed as it is."""
    import copy

    config: dict[str, Any] = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["filters"] = {"redact": {"()": "bot.adapters.redaction.RedactingFilter"}}
    for handler in config["handlers"].values():
        handler["filters"] = [*handler.get("filters", ()), "redact"]
    return config


def check_listen(host: str, port: int) -> None:
    """Bind ``host:port`` as uvicorn will, and let it go: a port in use or an address not of
    this machine is one line naming it (uvicorn would log an error and exit 3).

    Raises:
        BotError: the address cannot be listened on.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise BotError(
                f"bot web cannot listen on {host}:{port}: {exc.strerror or exc} "
                "(another server on that port? an address of this machine? see --host, --port)"
            ) from None
