"""requests plumbing shared by the tweepy and praw adapters: timeouts, base URLs, send guards.

Neither tweepy nor praw passes a timeout of its own, and tweepy hard-codes its host, so:

- :class:`RedirectAdapter` is mounted on tweepy's session for the X hosts: it rewrites the URL
  to the configured base, recomputes proxies for the new URL and forces a timeout;
- :class:`GuardedSession` is handed to prawcore: it forces a timeout, and makes a POST to a
  guarded path (``/api/submit``) a single attempt whose transport failure or 5xx answer is
  raised as an exception prawcore does not retry, so a slow submit can never be sent twice.
  praw sends media uploads to ``https:`` + the lease's scheme-relative ``action``; when the
  account's base is plain ``http://`` (a local server), uploads to that same host go over http.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from requests.utils import get_environ_proxies

#: Headers worth reporting as limits (X's 15-minute and 24-hour caps, Reddit's window).
LIMIT_PREFIXES = ("x-rate-limit-", "x-user-limit-", "x-app-limit-", "x-ratelimit-")


def limit_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The rate-limit headers of a response."""
    return {k.lower(): v for k, v in headers.items() if k.lower().startswith(LIMIT_PREFIXES)}


def seconds_until(epoch: str | float | None) -> float | None:
    """Seconds from now until a Unix time given by a header (None if absent or unreadable)."""
    if epoch is None:
        return None
    try:
        return max(0.0, float(epoch) - time.time())
    except (TypeError, ValueError):
        return None


def sent_nothing(exc: BaseException) -> bool:
    """True when a transport error happened before any byte of the request left (safe to retry)."""
    seen: set[int] = set()
    node: BaseException | None = exc
    while node is not None and id(node) not in seen:
        seen.add(id(node))
        if isinstance(node, _never_sent()):
            return True
        node = node.__cause__ or node.__context__ or _reason(node)
    return False


def _never_sent() -> tuple[type[BaseException], ...]:
    """Exception classes raised before a request's first byte left: connection refused or not
    made. httpx's is included only if httpx is loaded (no httpx error can exist otherwise)."""
    classes: list[type[BaseException]] = [
        requests.exceptions.ConnectTimeout,
        urllib3.exceptions.NewConnectionError,
        ConnectionRefusedError,
    ]
    httpx = sys.modules.get("httpx")
    if httpx is not None:
        classes.append(httpx.ConnectError)
    return tuple(classes)


def _reason(exc: BaseException) -> BaseException | None:
    for arg in getattr(exc, "args", ()):
        if isinstance(arg, BaseException):
            return arg
        reason = getattr(arg, "reason", None)
        if isinstance(reason, BaseException):
            return reason
    return None


class RedirectAdapter(HTTPAdapter):
    """Sends requests for ``origin`` to ``base`` with a timeout; remembers the last limit headers."""

    def __init__(self, origin: str, base: str, timeout: float) -> None:
        super().__init__(max_retries=0)
        self.origin = origin.rstrip("/")
        self.base = base.rstrip("/")
        self.timeout = timeout
        self.last_limits: dict[str, str] = {}

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        url = request.url or ""
        if url.startswith(self.origin):
            request.url = self.base + url[len(self.origin) :]
        kwargs["timeout"] = self.timeout
        kwargs["proxies"] = get_environ_proxies(request.url or "")
        response = super().send(request, **kwargs)
        limits = limit_headers(response.headers)
        if limits:
            self.last_limits = limits
        return response


class SubmitOutcomeUnknown(Exception):
    """A guarded POST timed out or lost its connection: it may have gone through."""


class SubmitServerError(Exception):
    """A guarded POST was answered with a 5xx status; it is not resent here."""

    def __init__(self, status: int, headers: Mapping[str, str]) -> None:
        super().__init__(f"server answered {status}")
        self.status = status
        self.headers = dict(headers)


class GuardedSession(requests.Session):
    """A requests session with a forced timeout and single-attempt POSTs to guarded paths."""

    def __init__(
        self, timeout: float, guarded: tuple[str, ...] = ("/api/submit",), plain_base: str | None = None
    ) -> None:
        super().__init__()
        self.timeout = timeout
        self.guarded = guarded
        self.last_limits: dict[str, str] = {}
        #: ``https://host:port`` of a plain-http base, sent as ``http://host:port``.
        self._secure_twin = (
            "https://" + plain_base.removeprefix("http://").split("/", 1)[0]
            if plain_base and plain_base.startswith("http://")
            else None
        )

    def request(self, method: Any, url: Any, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs["timeout"] = self.timeout
        text_url = url.decode() if isinstance(url, bytes) else url
        twin = self._secure_twin
        if twin and isinstance(text_url, str) and (text_url == twin or text_url.startswith(twin + "/")):
            url = text_url = "http://" + text_url.removeprefix("https://")
        guarded = str(method).upper() == "POST" and any(g in text_url for g in self.guarded)
        try:
            response = super().request(method, url, *args, **kwargs)
        except requests.RequestException as exc:
            if guarded and not sent_nothing(exc):
                raise SubmitOutcomeUnknown(f"{type(exc).__name__}: {exc}") from exc
            raise
        limits = limit_headers(response.headers)
        if limits:
            self.last_limits = limits
        if guarded and response.status_code >= 500:
            raise SubmitServerError(response.status_code, response.headers)
        return response
