"""Who is asking: sessions, roles, CSRF tokens, the login throttle and Secure cookies.

- Sessions live in a signed cookie (Starlette's ``SessionMiddleware``: HttpOnly,
  SameSite=Lax, Secure when the request came over https or ``[web] url`` is https).
- :class:`LoginGate` sends every request without a session to ``/login``, except the public
  paths (``/healthz``, ``/login``, ``/static/``); the reviewer must still be in the config.
- A session carries a random id and the reviewer's credential generation (a tag of their
  password hash): logging out records the id as revoked (a file every process reads) and a new
  password changes the generation, so a copied cookie stops working either way.
- Every form carries the session's CSRF token; :func:`checked_form` refuses a POST without it
  or with a wrong one (403) before anything is changed.
- :class:`LoginThrottle` counts wrong passwords per name and per address: past the limit within
  a minute, the next attempts are refused (429) until the minute has passed.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Collection, MutableMapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse

from bot.config.web import Role, WebSettings
from bot.services.reviewers import is_admin

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Paths anyone may open (a prefix when it ends with ``/``).
PUBLIC_PATHS: tuple[str, ...] = ("/healthz", "/login", "/static/")
SESSION_COOKIE = "bot_session"
#: Names and addresses the login throttle keeps before it prunes (bounded memory under a flood).
MAX_TRACKED = 10_000


@dataclass(frozen=True)
class Reviewer:
    """The logged-in person: their name (the actor in the event log) and role."""

    name: str
    role: Role

    @property
    def is_admin(self) -> bool:
        return is_admin(self.role)


log = logging.getLogger(__name__)


class ReviewerList:
    """``[web]`` as the config says it now: a running ``bot web`` reads the config file again
    when it changes, so a reviewer removed from it (or demoted) is logged out (or loses admin
    rights) at their next request, not at the next restart. A config that no longer loads is
    logged and the list in force is kept."""

    def __init__(self, web: WebSettings, config: Path | None = None) -> None:
        self._web = web
        self._config = config
        self._stamp = _stamp(config)
        self._lock = threading.Lock()

    @property
    def web(self) -> WebSettings:
        if self._config is None:
            return self._web
        stamp = _stamp(self._config)
        if stamp == self._stamp:
            return self._web
        with self._lock:
            if stamp != self._stamp:
                from bot.config import load_settings
                from bot.domain.errors import ConfigError

                self._stamp = stamp
                try:
                    self._web = load_settings(self._config).web
                    log.info("reviewers read again from %s", self._config)
                except ConfigError as exc:
                    log.error("the reviewers in force are kept: %s", exc)
        return self._web


def _stamp(path: Path | None) -> tuple[int, int] | None:
    try:
        info = path.stat() if path is not None else None
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size) if info is not None else None


def reviewers_of(request: Request) -> WebSettings:
    """``[web]`` in force now (see :class:`ReviewerList`)."""
    listed: ReviewerList = request.app.state.reviewers
    return listed.web


def current_reviewer(session: MutableMapping[str, Any], web: WebSettings) -> Reviewer | None:
    """The session's reviewer, if they are (still) in the config; their role is the config's."""
    name = session.get("user")
    found = web.reviewer(name) if isinstance(name, str) else None
    return Reviewer(found.name, found.role) if found else None


def reviewer_of(request: Request) -> Reviewer:
    """The logged-in reviewer (the gate let the request through only with one)."""
    reviewer = current_reviewer(request.session, reviewers_of(request))
    if reviewer is None:  # the gate checked; a config reload in between is the only way here
        raise HTTPException(401, "log in first")
    return reviewer


def csrf_token(session: MutableMapping[str, Any]) -> str:
    """The session's CSRF token (made on first use)."""
    token = session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


async def checked_form(request: Request) -> FormData:
    """The POSTed form, once its CSRF token matches the session's; 403 otherwise."""
    form = await request.form()
    sent = form.get("csrf")
    expected = request.session.get("csrf")
    if not isinstance(sent, str) or not isinstance(expected, str) or not hmac.compare_digest(sent, expected):
        raise HTTPException(
            403,
            "This form is out of date or did not come from this site (CSRF token missing or wrong). "
            "Nothing was changed; reload the page and try again.",
        )
    return form


def is_public(path: str, public: Collection[str] = PUBLIC_PATHS) -> bool:
    return any(path.startswith(p) if p.endswith("/") else path == p for p in public)


class LoginGate:
    """ASGI middleware (inside the session middleware): no reviewer, no page."""

    def __init__(
        self,
        app: ASGIApp,
        web: ReviewerList,
        public: Collection[str] = PUBLIC_PATHS,
        now: Callable[[], datetime] | None = None,
        valid: Callable[[MutableMapping[str, Any]], bool] | None = None,
    ) -> None:
        self.app = app
        self.web = web
        self.public = tuple(public)
        self.now = now
        self.valid = valid

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or is_public(scope["path"], self.public):
            await self.app(scope, receive, send)
            return
        session = scope["session"]
        if (
            current_reviewer(session, self.web.web) is None
            or self._expired(session)
            or (self.valid is not None and not self.valid(session))
        ):
            session.pop("user", None)
            target = scope["path"] + (
                f"?{scope['query_string'].decode('latin-1')}" if scope["query_string"] else ""
            )
            response = RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _expired(self, session: MutableMapping[str, Any]) -> bool:
        """A login older than ``session_lifetime`` ends, however busy its cookie was (the
        cookie's own age restarts with every answer)."""
        if self.now is None:
            return False
        try:
            since = datetime.fromisoformat(str(session.get("since")))
        except ValueError:
            return True
        return self.now() - since > self.web.web.session_lifetime


def start_session(
    session: MutableMapping[str, Any], name: str, now: datetime, generation: str | None = None
) -> None:
    """A fresh session for ``name`` (nothing of the anonymous one is kept, the CSRF token is new)
    with a new random id and the reviewer's credential ``generation``."""
    session.clear()
    session["user"] = name
    session["since"] = now.isoformat()
    session["sid"] = secrets.token_urlsafe(18)
    if generation is not None:
        session["gen"] = generation


class SessionCheck:
    """Is a signed session still good: not logged out (its id not revoked) and made with the
    reviewer's current password (its generation matches)?"""

    def __init__(self, generation: Callable[[str], str | None], revoked: Callable[[str], bool]) -> None:
        self.generation = generation
        self.revoked = revoked

    def __call__(self, session: MutableMapping[str, Any]) -> bool:
        sid, gen, name = session.get("sid"), session.get("gen"), session.get("user")
        if not (isinstance(sid, str) and isinstance(gen, str) and isinstance(name, str)):
            return False  # a cookie from before sessions had ids: log in again
        current = self.generation(name)
        return current is not None and hmac.compare_digest(gen, current) and not self.revoked(sid)


class SecureCookies:
    """ASGI middleware (outside the session middleware): marks Set-Cookie ``Secure`` when the
    request came over https (behind a proxy that says so) or ``always``."""

    def __init__(self, app: ASGIApp, always: bool = False) -> None:
        self.app = app
        self.always = always

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not (self.always or scope.get("scheme") == "https"):
            await self.app(scope, receive, send)
            return

        async def send_secure(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    (k, v + b"; secure" if k.lower() == b"set-cookie" and b"secure" not in v.lower() else v)
                    for k, v in message.get("headers", [])
                ]
            await send(message)

        await self.app(scope, receive, send_secure)


class LoginThrottle:
    """Wrong passwords per name and per address in a sliding window; past ``limit`` of either,
    attempts are refused until the oldest failure leaves the window."""

    def __init__(self, limit: int, window: timedelta = timedelta(minutes=1)) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[datetime]] = {}

    def wait(self, name: str, address: str, now: datetime) -> float:
        """Seconds until an attempt for ``name`` from ``address`` is allowed (0: now)."""
        waits = [self._wait(key, now) for key in _keys(name, address)]
        return max(waits)

    def failed(self, name: str, address: str, now: datetime) -> None:
        if len(self._failures) > MAX_TRACKED:  # a flood of names: forget what is out of the window
            for key in list(self._failures):
                self._wait(key, now)
        for key in _keys(name, address):
            failures = self._failures.setdefault(key, deque())
            failures.append(now)
            if len(failures) > self.limit * 4:
                failures.popleft()

    def succeeded(self, name: str) -> None:
        self._failures.pop(f"name:{name.lower()}", None)

    def _wait(self, key: str, now: datetime) -> float:
        failures = self._failures.get(key)
        if not failures:
            return 0.0
        while failures and now - failures[0] >= self.window:
            failures.popleft()
        if not failures:
            del self._failures[key]
            return 0.0
        if len(failures) < self.limit:
            return 0.0
        return max((failures[0] + self.window - now).total_seconds(), 1.0)


def _keys(name: str, address: str) -> tuple[str, str]:
    return f"name:{name.lower()}", f"addr:{address}"
