"""``GET /metrics``: the Prometheus text of :mod:`bot.adapters.metrics` (through the wiring),
read from the store at scrape time. No session (a scraper does not log in); who may read it is
``[web] metrics``: ``local`` (the default) answers loopback clients only (a scraper on this
host, or one that reaches 127.0.0.1:8080 past the proxy), ``public`` everyone, ``off`` nobody
(404 for those it does not answer, as if there were no such page)."""

from __future__ import annotations

import ipaddress

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from bot.wiring import Wiring

PATH = "/metrics"


async def metrics(request: Request) -> Response:
    mode = request.app.state.settings.web.metrics
    client = request.client.host if request.client else ""
    if mode == "off" or (mode == "local" and not _loopback(client)):
        raise HTTPException(404)
    wiring: Wiring = request.app.state.wiring
    body = await run_in_threadpool(wiring.metrics.text)
    return Response(body, media_type=wiring.metrics.content_type, headers={"Cache-Control": "no-store"})


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
