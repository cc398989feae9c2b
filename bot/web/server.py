"""Serve the review page with uvicorn (the only importer of uvicorn)."""

from __future__ import annotations

import logging
from typing import Any

import uvicorn

from bot.config import Settings
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
    )
