"""``GET /metrics``: the Prometheus text of :mod:`bot.adapters.metrics` (through the wiring),
read from the store at scrape time. No session (a scraper does not log in); who may read it is
``[web] metrics``: ``local`` (the default) answers loopback clients only (a scraper on this
host, or one that reaches 127.0.0.1:8080 past the proxy), ``public`` everyone, ``off`` nobody
(404 for those it does not answer, as if there were no such page).

"Loopback" is the connection's own address (``X-Forwarded-For`` is believed only from
``[web] trusted_proxies``), and a request that carries a forwarding header came through a
proxy, so it is not local either: a proxy on this host does not make its clients local."""

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
    if mode == "off" or (mode == "local" and not _local(request)):
        raise HTTPException(404)
    wiring: Wiring = request.app.state.wiring
    body = await run_in_threadpool(wiring.metrics.text)
    return Response(body, media_type=wiring.metrics.content_type, headers={"Cache-Control": "no-store"})


def _local(request: Request) -> bool:
    """A client on this host that reached the port directly (not through a proxy)."""
    forwarded = any(h in request.headers for h in _FORWARDING)
    return not forwarded and _loopback(request.client.host if request.client else "")


_FORWARDING = ("x-forwarded-for", "forwarded", "x-real-ip")


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
