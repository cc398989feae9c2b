"""Serve the review page with uvicorn (the only importer of uvicorn)."""

from __future__ import annotations

import logging

import uvicorn

from bot.config import Settings
from bot.web.app import create_app

log = logging.getLogger(__name__)


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    """Run ``bot web`` until SIGINT/SIGTERM. Behind a reverse proxy on this host, the
    ``X-Forwarded-For`` / ``-Proto`` headers it sets are trusted (client address, https)."""
    app = create_app(settings)
    host = host or settings.web.host
    port = port or settings.web.port
    if not settings.web.reviewers:
        log.warning("no [[web.reviewers]] in the config: nobody can log in")
    uvicorn.run(
        app,
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        server_header=False,
        log_level="info",
        access_log=False,
    )
