"""A fake of the four platforms, speaking the endpoints tweepy, praw, Mastodon.py and atproto use.

One stdlib ``ThreadingHTTPServer`` serves all four. It checks each client's credentials against
the users registered on it and records every post it accepts. Admin endpoints:

- ``POST /_admin/faults`` queues one fault or a list: ``{"op", "status", "headers", "body"}``
  answers with that; ``"delay": S`` waits first; ``"drop": "before"`` closes the connection
  without recording, ``"drop": "after"`` records the post then closes; ``"slow": S`` records
  the post and answers S seconds later (the client times out on a post that went through);
  ``"after": N`` lets N matching requests through first (to break a thread in the middle).
  ``"stored": true`` with a status records the post first, then answers with the status.
- ``POST /_admin/hostile {"lag", "skew", "honour_idempotency", "noise", "seed", "chaos":
  {op: [[probability, fault], ...]}}`` makes the fake behave like a real platform at its worst
  (see :mod:`tests.fakeplatform.state`); ``GET /_admin/injected`` counts the random faults.
- ``POST /_admin/history {"platform", "name", "count", "oldest", "newest"}`` adds older posts.
- ``POST /_admin/clear-faults`` drops the faults not yet used.
- ``POST /_admin/latency {"seconds": S}`` slows every platform request.
- ``POST /_admin/users {"platform", "name", "creds"}`` adds a user.
- ``GET /_admin/posts`` and ``GET /_admin/requests``: what was accepted, and asked.
- ``GET /_admin/media``: every upload (hash, size, alt text, the post it went to); a post's
  ``media`` lists its uploads in order (:mod:`tests.fakeplatform.media`).
- ``POST /_admin/hostile`` also takes ``media_polls``, ``blob_ttl`` and ``add_chaos`` (more
  ops' random faults, keeping those already set).

Operations a fault can target: ``x.tweet``, ``x.me``, ``x.timeline``, ``reddit.token``,
``reddit.submit``, ``reddit.me``, ``reddit.submitted``, ``mastodon.status``, ``mastodon.me``,
``mastodon.statuses``, ``bluesky.session``, ``bluesky.post``, ``bluesky.records``; media:
``x.media``, ``x.media_alt``, ``reddit.lease``, ``reddit.s3``, ``reddit.gallery``,
``reddit.websocket``, ``mastodon.media``, ``mastodon.media_get``, ``bluesky.blob``.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakeplatform.media import ROUTES as MEDIA_ROUTES
from tests.fakeplatform.routes import ROUTES, PlatformRoutes
from tests.fakeplatform.state import FakeState, Fault, Reply, User, rate_limit_headers


class Handler(PlatformRoutes, BaseHTTPRequestHandler):
    """Routes a request to the platform's handler, applying a queued fault first."""

    server: FakeServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    # -- plumbing ---------------------------------------------------------------------------

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        self.route_path = url.path.rstrip("/") or "/"
        self.query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        self.raw = self.rfile.read(length) if length else b""
        if self.route_path.startswith("/_admin"):
            self._answer(*self._admin(method))
            return
        op, handler = self._route(method)
        state = self.server.state
        with state.lock:
            state.requests.append({"method": method, "path": self.route_path, "op": op, "at": time.time()})
        fault = state.take_fault(op) if op else None
        if state.latency:
            time.sleep(state.latency)
        if fault and fault.delay:
            time.sleep(fault.delay)
        if fault and fault.drop == "before":
            self._drop()
            return
        if fault and fault.status is not None and not fault.stored:
            headers = dict(fault.headers)
            if fault.status == 429 and fault.reset_in and op:
                headers |= rate_limit_headers(op, fault.reset_in)
            self._answer(fault.status, fault.body if fault.body is not None else {}, headers)
            return
        try:
            status, body, headers = handler()
        except Reply as reply:
            status, body, headers = reply.status, reply.body, reply.headers
        if fault and fault.status is not None:  # stored, then a failure answer
            self._answer(fault.status, fault.body if fault.body is not None else {}, fault.headers)
            return
        if fault and fault.drop == "after":
            self._drop()
            return
        if fault and fault.slow:
            time.sleep(fault.slow)
        if op == "reddit.websocket" and self.headers.get("Upgrade", "").lower() == "websocket":
            self._websocket(body)
            return
        self._answer(status, body, headers)

    def _websocket(self, message: Any) -> None:
        """Accept a websocket, send ``message`` as one text frame, close (Reddit's media post)."""
        magic = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
        accept = base64.b64encode(hashlib.sha1(self.headers["Sec-WebSocket-Key"].encode() + magic).digest())
        data = json.dumps(message).encode()
        header = bytes([0x81]) + (
            bytes([len(data)]) if len(data) < 126 else bytes([126]) + len(data).to_bytes(2, "big")
        )
        self.close_connection = True
        try:
            self.send_response_only(101)
            self.send_header("Upgrade", "websocket")
            self.send_header("Connection", "Upgrade")
            self.send_header("Sec-WebSocket-Accept", accept.decode())
            self.end_headers()
            self.wfile.write(header + data + bytes([0x88, 0x00]))
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _route(self, method: str) -> tuple[str | None, Any]:
        for pattern, route_method, op, name in ROUTES + MEDIA_ROUTES:
            match = re.fullmatch(pattern, self.route_path)
            if match and route_method == method:
                self.params = match.groupdict()
                return op, getattr(self, name)
        return None, lambda: (404, {"error": f"no route {method} {self.route_path}"}, {})

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = dict(headers or {})
        try:
            self.send_response_only(status)
            self.send_header("Content-Type", headers.pop("Content-Type", "application/json; charset=utf-8"))
            self.send_header("Content-Length", str(len(data)))
            for key, value in headers.items():
                self.send_header(key, value)
            if self.close_connection:  # the client asked (prawcore's token request does): say so
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _json(self) -> dict[str, Any]:
        body: dict[str, Any] = json.loads(self.raw or b"{}")
        return body

    def _form(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.raw.decode()).items()}

    def _bearer(self) -> str:
        value = self.headers.get("Authorization", "")
        return value.split(" ", 1)[1] if value.lower().startswith("bearer ") else ""

    # -- admin ----------------------------------------------------------------------------

    def _admin(self, method: str) -> tuple[int, Any, dict[str, str]]:
        state = self.server.state
        what = self.route_path.removeprefix("/_admin/")
        if method == "GET" and what == "posts":  # the bot's posts (?all=1: history and noise too)
            with state.lock:
                everything = self.query.get("all") == "1"
                return (
                    200,
                    [p for p in state.posts if everything or not (p.get("history") or p.get("noise"))],
                    {},
                )
        if method == "GET" and what == "media":
            with state.lock:
                return 200, [dict(m) for m in state.media.values()], {}
        if method == "GET" and what == "requests":
            with state.lock:
                return 200, list(state.requests), {}
        if method == "POST" and what == "faults":
            data = self._json()
            for item in data if isinstance(data, list) else [data]:
                state.faults.append(Fault(**item))
            return 200, {"queued": len(state.faults)}, {}
        if method == "POST" and what == "clear-faults":
            with state.lock:
                state.faults.clear()
            return 200, {"queued": 0}, {}
        if method == "POST" and what == "latency":
            state.latency = float(self._json()["seconds"])
            return 200, {"latency": state.latency}, {}
        if method == "POST" and what == "hostile":
            self._hostile(self._json())
            return 200, {"ok": True}, {}
        if method == "GET" and what == "injected":
            with state.lock:
                return 200, dict(state.injected), {}
        if method == "POST" and what == "history":
            data = self._json()
            found = [u for u in state.users if u.platform == data["platform"] and u.name == data["name"]]
            if not found:
                return 404, {"error": "no such user"}, {}
            count, oldest, newest = int(data["count"]), float(data["oldest"]), float(data["newest"])
            state.add_history(found[0], count, oldest, newest, str(data.get("text", "")))
            return 200, {"posts": len(state.posts)}, {}
        if method == "POST" and what == "users":
            data = self._json()
            user = state.add_user(data["platform"], data["name"], **data["creds"])
            return 200, {"uid": user.uid}, {}
        return 404, {"error": "unknown admin call"}, {}

    def _hostile(self, data: dict[str, Any]) -> None:
        state = self.server.state
        with state.lock:
            state.lag = float(data.get("lag", state.lag))
            state.skew = float(data.get("skew", state.skew))
            state.honour_idempotency = bool(data.get("honour_idempotency", state.honour_idempotency))
            state.noise = float(data.get("noise", state.noise))
            state.media_polls = int(data.get("media_polls", state.media_polls))
            state.blob_ttl = float(data.get("blob_ttl", state.blob_ttl))
            if "seed" in data:
                state.rng.seed(data["seed"])
            for key in ("chaos", "add_chaos"):  # add_chaos: more ops, keeping the others'
                if key in data:
                    more = {
                        op: [(float(p), Fault(op=op, **fault)) for p, fault in entries]
                        for op, entries in data[key].items()
                    }
                    state.chaos = (state.chaos if key == "add_chaos" else {}) | more


class FakeServer(ThreadingHTTPServer):
    """The fake platform bound to 127.0.0.1; ``url`` is its base URL."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.state = FakeState()
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> FakeServer:
        self._thread = threading.Thread(
            target=self.serve_forever, args=(0.05,), name="fakeplatform", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    # in-process helpers (the same as the admin endpoint)
    def add_user(self, platform: str, name: str, **creds: str) -> User:
        return self.state.add_user(platform, name, **creds)

    def fault(self, op: str, **kwargs: Any) -> None:
        self.state.faults.append(Fault(op=op, **kwargs))

    def posts(self, platform: str | None = None, *, everything: bool = False) -> list[dict[str, Any]]:
        """The posts the bot made (``everything``: also the account's history and noise)."""
        with self.state.lock:
            return [
                dict(p)
                for p in self.state.posts
                if (platform is None or p["platform"] == platform)
                and (everything or not (p.get("history") or p.get("noise")))
            ]

    def media(self) -> dict[str, dict[str, Any]]:
        """Every upload the fake kept, by id."""
        with self.state.lock:
            return {k: dict(v) for k, v in self.state.media.items()}

    def requests_for(self, op: str) -> int:
        with self.state.lock:
            return sum(1 for r in self.state.requests if r["op"] == op)
