"""A fake OpenAI-compatible model server on loopback, answering like the real ones do.

A stdlib ``ThreadingHTTPServer`` serving ``POST /v1/chat/completions`` and ``GET /v1/models``:

- ``honours_n``: vLLM answers ``n`` choices; Ollama and llama.cpp's server answer one whatever
  ``n`` says (``honours_n=False``); ``rejects_n=True`` answers 400 to any ``n`` > 1.
- ``faults``: answers queued for the next chat requests, in order: ``{"status", "headers",
  "body", "delay"}`` (a 429 with Retry-After, a 500, a 3 s wait...).
- ``broken``: the answer to every chat request once the queued faults are used up, a server
  that never heals (Ollama's 500 ``llama runner process has terminated`` until someone
  restarts it).
- ``max_tokens`` is honoured as the real servers do: a reply longer than it is cut after that
  many tokens (of at most four characters, so a word may be cut in two), with
  ``finish_reason: "length"``; ``usage.completion_tokens`` counts the tokens written.
- ``delay``: every chat answer waits this long first.
- ``api_key``: when set, a request without ``Authorization: Bearer <key>`` gets a 401.
- ``replies``: the texts it writes, in turn (each choice the next one).
- ``dialect="transformers"``: answers as ``transformers serve`` (5.x) did when it was tried
  with the bundled model (see :data:`TRANSFORMERS_SERVE`): ``n`` ignored (one choice), errors
  in FastAPI's ``{"detail": ...}`` shape, a model other than the one it serves refused with 400,
  no API key checked, one request generated at a time (the others wait their turn), and
  greedy decoding (``temperature`` and ``seed`` change nothing: the same chat gets the same
  text) unless the request's ``generation_config`` says ``{"do_sample": true}``.

Both dialects refuse a field the chat completions API does not have: OpenAI with a 400
("Unrecognized request argument supplied"), transformers serve with a 422.

Every request is recorded (path, headers, JSON body) in ``requests``.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

#: The request fields of OpenAI's chat completions API (openai 3.x ``CompletionCreateParamsBase``).
CHAT_FIELDS = frozenset(
    {
        "audio", "frequency_penalty", "function_call", "functions", "logit_bias", "logprobs",
        "max_completion_tokens", "max_tokens", "messages", "metadata", "modalities", "model",
        "moderation", "n", "parallel_tool_calls", "prediction", "presence_penalty",
        "prompt_cache_key", "prompt_cache_options", "prompt_cache_retention", "reasoning_effort",
        "response_format", "safety_identifier", "seed", "service_tier", "stop", "store", "stream",
        "stream_options", "temperature", "tool_choice", "tools", "top_logprobs", "top_p", "user",
        "verbosity", "web_search_options",
    }
)  # fmt: skip
#: What transformers serve takes on top of them.
TRANSFORMERS_FIELDS = CHAT_FIELDS | {"generation_config", "chat_template_kwargs"}
#: ``running(**TRANSFORMERS_SERVE)``: a fake as hard as ``transformers serve`` pinned to one model.
TRANSFORMERS_SERVE: dict[str, Any] = {"dialect": "transformers", "honours_n": False}


class _Handler(BaseHTTPRequestHandler):
    server: FakeOpenAI
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def do_GET(self) -> None:
        self._record(None)
        if not self._authorized():
            return
        path = self.path.rstrip("/")
        if path == "/v1/models" and self.server.dialect == "transformers":  # its one pinned model
            pinned = {"id": self.server.models[0], "object": "model", "owned_by": "local", "created": 0}
            self._send(200, {"object": "list", "data": [{**pinned, "status": {"value": "loaded"}}]})
        elif path == "/v1/models":
            data = [{"id": name, "object": "model", "owned_by": "library"} for name in self.server.models]
            self._send(200, {"object": "list", "data": data})
        elif path == "/health" and self.server.dialect == "transformers":
            self._send(200, {"status": "ok"})
        else:
            self._refuse(404, f"no route {self.path}", "Not Found")

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
            self._refuse(404, f"no route {self.path}", "Not Found")
            return
        refused = self._refusal(body)
        if refused:
            self._refuse(*refused)
            return
        with self.server.turn():
            self._answer(body)

    def _refusal(self, body: dict[str, Any]) -> tuple[int, str, str] | None:
        """(status, OpenAI's message, transformers serve's) for a request refused before writing."""
        fields = TRANSFORMERS_FIELDS if self.server.dialect == "transformers" else CHAT_FIELDS
        unexpected = set(body) - fields
        if unexpected:
            name = sorted(unexpected)[0]
            status = 422 if self.server.dialect == "transformers" else 400
            return (
                status,
                f"Unrecognized request argument supplied: {name}",
                (f"Unexpected fields in the request: {unexpected}"),
            )
        model = body.get("model")
        if model not in self.server.models and (model is not None or self.server.dialect == "openai"):
            pinned = self.server.models[0]
            status = 400 if self.server.dialect == "transformers" else 404
            return (
                status,
                f"model '{model}' not found",
                (f"Server is pinned to '{pinned}'; requested '{model}'."),
            )
        if body.get("stream"):
            return 400, "this fake does not stream", "this fake does not stream"
        if int(body.get("n") or 1) > 1 and self.server.rejects_n:
            return 400, "n > 1 is not supported", "n > 1 is not supported"
        return None

    def _answer(self, body: dict[str, Any]) -> None:
        fault = self.server.take_fault() or self.server.broken
        wait = (fault or {}).get("delay", self.server.delay)
        if wait:
            time.sleep(wait)
        if fault and fault.get("status"):
            self._send(
                fault["status"], fault.get("body", {"error": {"message": "fault"}}), fault.get("headers", {})
            )
            return
        n = int(body.get("n") or 1)
        count = n if self.server.honours_n else 1
        limit = body.get("max_tokens") or body.get("max_completion_tokens")
        choices, written = [], 0
        for i in range(count):
            pieces = tokens(self.server.reply_for(body))
            cut = isinstance(limit, int) and len(pieces) > limit
            pieces = pieces[:limit] if cut else pieces
            written += len(pieces)
            choices.append(
                {
                    "index": i,
                    "message": {"role": "assistant", "content": "".join(pieces)},
                    "finish_reason": "length" if cut else "stop",
                }
            )
        usage = {"prompt_tokens": 50, "completion_tokens": written, "total_tokens": 50 + written}
        self._send(
            200,
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "model": body.get("model") or self.server.models[0],
                "choices": choices,
                "usage": usage,
            },
        )

    def _refuse(self, status: int, message: str, detail: str) -> None:
        if self.server.dialect == "transformers":
            self._send(status, {"detail": detail})
        else:
            self._send(status, {"error": {"message": message, "type": "invalid_request_error"}})

    def _record(self, body: Any) -> None:
        with self.server.lock:
            self.server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})

    def _authorized(self) -> bool:
        if self.server.api_key is None or self.server.dialect == "transformers":  # it checks no key
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
        dialect: Literal["openai", "transformers"] = "openai",
        broken: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.models = models
        self.dialect = dialect
        self.honours_n = honours_n and dialect == "openai"
        self.rejects_n = rejects_n
        self.delay = delay
        self.api_key = api_key
        self.replies = replies
        self.faults: list[dict[str, Any]] = []
        self.broken = broken
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self._written = 0
        self._generating = threading.Lock()
        self._greedy: dict[str, str] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def next_reply(self) -> str:
        with self.lock:
            text = self.replies[self._written % len(self.replies)]
            self._written += 1
            return text

    def reply_for(self, body: dict[str, Any]) -> str:
        """The next reply; a greedy transformers serve: the same one for the same chat."""
        if self.dialect == "openai" or _samples(body):
            return self.next_reply()
        chat = json.dumps(body.get("messages"), sort_keys=True)
        with self.lock:  # a new chat gets the next reply, and keeps it
            if chat not in self._greedy:
                self._greedy[chat] = self.replies[len(self._greedy) % len(self.replies)]
            return self._greedy[chat]

    @contextlib.contextmanager
    def turn(self) -> Iterator[None]:
        """transformers serve (without continuous batching) writes one answer at a time."""
        if self.dialect == "openai":
            yield
            return
        with self._generating:
            yield

    def take_fault(self) -> dict[str, Any] | None:
        with self.lock:
            return self.faults.pop(0) if self.faults else None

    def chat_requests(self) -> list[dict[str, Any]]:
        with self.lock:
            return [r for r in self.requests if r["body"] is not None]


def tokens(text: str) -> list[str]:
    """The fake's tokens of ``text``: pieces of at most four characters, a space joined to the
    piece after it (real tokenizers average about four characters a token in English)."""
    return re.findall(r"\s*\S{1,4}", text) or [text]


def _samples(body: dict[str, Any]) -> bool:
    """Whether transformers serve samples: only when the request's generation_config asks it to."""
    try:
        config = json.loads(body.get("generation_config") or "{}")
    except (TypeError, ValueError):
        return False
    return isinstance(config, dict) and config.get("do_sample") is True


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
