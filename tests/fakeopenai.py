"""A fake OpenAI-compatible model server on loopback, answering like the real ones do.

A stdlib ``ThreadingHTTPServer`` serving ``POST /v1/chat/completions`` and ``GET /v1/models``:

- ``honours_n``: vLLM answers ``n`` choices; Ollama and llama.cpp's server answer one whatever
  ``n`` says (``honours_n=False``); ``rejects_n=True`` answers 400 to any ``n`` > 1.
- ``faults``: answers queued for the next chat requests, in order: ``{"status", "headers",
  "body", "delay"}`` (a 429 with Retry-After, a 500, a 3 s wait...).
- ``delay``: every chat answer waits this long first.
- ``api_key``: when set, a request without ``Authorization: Bearer <key>`` gets a 401.
- ``replies``: the texts it writes, in turn (each choice the next one).

Every request is recorded (path, headers, JSON body) in ``requests``.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Handler(BaseHTTPRequestHandler):
    server: FakeOpenAI
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def do_GET(self) -> None:
        self._record(None)
        if not self._authorized():
            return
        if self.path.rstrip("/") == "/v1/models":
            data = [{"id": name, "object": "model", "owned_by": "library"} for name in self.server.models]
            self._send(200, {"object": "list", "data": data})
        else:
            self._send(404, {"error": {"message": f"no route {self.path}"}})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            self._send(400, {"error": {"message": "invalid JSON"}})
            return
        self._record(body)
        if not self._authorized():
            return
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._send(404, {"error": {"message": f"no route {self.path}"}})
            return
        fault = self.server.take_fault()
        wait = (fault or {}).get("delay", self.server.delay)
        if wait:
            time.sleep(wait)
        if fault and fault.get("status"):
            self._send(
                fault["status"], fault.get("body", {"error": {"message": "fault"}}), fault.get("headers", {})
            )
            return
        if body.get("stream"):
            self._send(400, {"error": {"message": "this fake does not stream"}})
            return
        if body.get("model") not in self.server.models:
            self._send(404, {"error": {"message": f"model '{body.get('model')}' not found"}})
            return
        n = int(body.get("n") or 1)
        if n > 1 and self.server.rejects_n:
            self._send(400, {"error": {"message": "n > 1 is not supported"}})
            return
        count = n if self.server.honours_n else 1
        choices = [
            {
                "index": i,
                "message": {"role": "assistant", "content": self.server.next_reply()},
                "finish_reason": "stop",
            }
            for i in range(count)
        ]
        usage = {"prompt_tokens": 50, "completion_tokens": 20 * count, "total_tokens": 50 + 20 * count}
        self._send(
            200,
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "model": body["model"],
                "choices": choices,
                "usage": usage,
            },
        )

    def _record(self, body: Any) -> None:
        with self.server.lock:
            self.server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})

    def _authorized(self) -> bool:
        if self.server.api_key is None:
            return True
        if self.headers.get("Authorization") == f"Bearer {self.server.api_key}":
            return True
        self._send(401, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}})
        return False

    def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        raw = json.dumps(payload).encode()
        with contextlib.suppress(OSError):  # the client may have given up (timeout)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(raw)


class FakeOpenAI(ThreadingHTTPServer):
    """The fake server; use :func:`running` to serve it on a free loopback port."""

    daemon_threads = True

    def __init__(
        self,
        *,
        models: tuple[str, ...] = ("qwen2.5:7b",),
        honours_n: bool = True,
        rejects_n: bool = False,
        delay: float = 0.0,
        api_key: str | None = None,
        replies: tuple[str, ...] = ("A reply.",),
    ) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.models = models
        self.honours_n = honours_n
        self.rejects_n = rejects_n
        self.delay = delay
        self.api_key = api_key
        self.replies = replies
        self.faults: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self._written = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def next_reply(self) -> str:
        with self.lock:
            text = self.replies[self._written % len(self.replies)]
            self._written += 1
            return text

    def take_fault(self) -> dict[str, Any] | None:
        with self.lock:
            return self.faults.pop(0) if self.faults else None

    def chat_requests(self) -> list[dict[str, Any]]:
        with self.lock:
            return [r for r in self.requests if r["body"] is not None]


@contextlib.contextmanager
def running(**options: Any) -> Iterator[FakeOpenAI]:
    """Serve a :class:`FakeOpenAI` in a thread for the ``with`` block."""
    server = FakeOpenAI(**options)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def closed_port() -> int:
    """A loopback port nothing listens on (connection refused)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
