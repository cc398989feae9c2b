"""The ASGI app of ``bot web``.

:func:`create_app` builds it for one config; a test starts it with Starlette's TestClient on a
real store::

    from starlette.testclient import TestClient
    from bot.web.app import create_app

    app = create_app(settings_or_config_path, clock=FixedClock(now), store=store)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        client.get("/login")  # then POST /login with name, password and the form's csrf

Routes (every page but ``/healthz``, ``/login`` and ``/static/`` needs a session):

    GET  /healthz                      "ok" (static)
    GET  /metrics                      Prometheus text ([web] metrics: local|public|off)
    GET  /login, POST /login, POST /logout
    GET  /                             the queue (?state=open|all|<state>&campaign=NAME)
    GET  /drafts/{id}                  a draft: text, pictures, previews, checks, moderation, history
    GET  /drafts/{id}/media/{n}        its n-th picture (0-based; only files the draft records)
    POST /drafts/{id}/approve          sha256, media_sha256 (the text and pictures shown)
    POST /drafts/{id}/edit             sha256, text
    POST /drafts/{id}/reject           reason, because?, withdraw?
    POST /drafts/{id}/regenerate       (a request the daemon serves)
    POST /drafts/{id}/override         sha256, media_sha256, reason   (admins only)
    GET  /publications                 ?state=needs_check|failed|...|all
    POST /publications/{id}/{check|retry|cancel}   force?, reason?, back?
    GET  /calendar                     ?days=N
    GET  /accounts, POST /accounts/{name}/resume   (admins)

Other parts may add routes before the app is built with ``extra_routes`` (and make them public
with ``public``), e.g. ``/metrics``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Collection, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.config import Settings, load_settings
from bot.domain.errors import BotError
from bot.domain.ports import Clock, Store
from bot.web import actions, metrics, views
from bot.web.render import page
from bot.web.security import (
    PUBLIC_PATHS,
    SESSION_COOKIE,
    LoginGate,
    LoginThrottle,
    ReviewerList,
    SecureCookies,
    SessionCheck,
)
from bot.wiring import Wiring

log = logging.getLogger(__name__)

_STATIC = Path(__file__).resolve().parent / "static"

#: Ids are INTEGER on Postgres (as ``bot.cli.params.MAX_ID``).
MAX_ID = 2**31 - 1


def _at_most(limit: int) -> str:
    """A regex of the decimal numbers from 0 to ``limit`` (``{id:id}`` in a route)."""
    digits = str(limit)
    shorter = [f"[0-9]{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    same = [
        f"{digits[:i]}[0-{int(d) - 1}][0-9]{{{len(digits) - i - 1}}}"
        for i, d in enumerate(digits)
        if d != "0"
    ]
    return "(?:" + "|".join([*shorter, *same, digits]) + ")"


class _Id(Convertor[int]):
    """A row id in a path: a larger number matches no route (404), never a query that overflows
    (a 64-bit id gave a 500 and a traceback on SQLite)."""

    regex = _at_most(MAX_ID)

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("id", _Id())


def routes() -> list[BaseRoute]:
    return [
        Route("/healthz", views.healthz),
        Route(metrics.PATH, metrics.metrics),
        Route("/login", actions.login_form, methods=["GET"]),
        Route("/login", actions.login, methods=["POST"]),
        Route("/logout", actions.logout, methods=["POST"]),
        Route("/", views.queue),
        Route("/drafts/{draft_id:id}", views.draft_page),
        Route("/drafts/{draft_id:id}/media/{index:int}", views.draft_picture),
        Route("/drafts/{draft_id:id}/approve", actions.approve, methods=["POST"]),
        Route("/drafts/{draft_id:id}/edit", actions.edit, methods=["POST"]),
        Route("/drafts/{draft_id:id}/reject", actions.reject, methods=["POST"]),
        Route("/drafts/{draft_id:id}/regenerate", actions.regenerate, methods=["POST"]),
        Route("/drafts/{draft_id:id}/override", actions.override, methods=["POST"]),
        Route("/publications", views.publications),
        Route("/publications/{pub_id:id}/{action:str}", actions.publication_action, methods=["POST"]),
        Route("/calendar", views.calendar),
        Route("/accounts", views.accounts),
        Route("/accounts/{name:str}/resume", actions.resume_account, methods=["POST"]),
        Mount("/static", StaticFiles(directory=_STATIC), name="static"),
    ]


def create_app(
    config: Settings | str | os.PathLike[str] | None = None,
    *,
    wiring: Wiring | None = None,
    clock: Clock | None = None,
    store: Store | None = None,
    login_delay: float = 0.5,
    extra_routes: Sequence[BaseRoute] = (),
    public: Collection[str] = (),
) -> Starlette:
    """The review page for one config (a Settings, a path, or None for ``$BOT_CONFIG`` /
    ``./bot.toml``). ``wiring``, or ``clock`` and ``store``, replace the parts a test controls;
    ``login_delay`` is the pause after a wrong password (seconds). The wiring is closed when
    the app shuts down (unless it was handed in)."""
    settings = config if isinstance(config, Settings) else load_settings(config)
    # a config file (not Settings handed in): its reviewers are followed while the app runs
    reviewers = ReviewerList(settings.web, None if isinstance(config, Settings) else settings.source)
    app_wiring = wiring or Wiring(settings, clock=clock, store=store)
    secret = app_wiring.web_secrets.session_secret()
    web = settings.web
    middleware = [
        Middleware(SecureCookies, always=web.secure_cookies),
        Middleware(
            SessionMiddleware,
            secret_key=secret,
            session_cookie=SESSION_COOKIE,
            max_age=int(web.session_lifetime.total_seconds()),
            same_site="lax",
            https_only=web.secure_cookies,
        ),
        # /metrics answers by [web] metrics (loopback only by default), never by session
        Middleware(
            LoginGate,
            web=reviewers,
            public=(*PUBLIC_PATHS, metrics.PATH, *public),
            now=app_wiring.clock.now,
            valid=SessionCheck(app_wiring.web_secrets.generation, app_wiring.revoked_sessions.is_revoked),
        ),
    ]

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        if wiring is None:
            app_wiring.close()

    app = Starlette(
        routes=[*extra_routes, *routes()],
        middleware=middleware,
        exception_handlers={HTTPException: _http_error, BotError: _bot_error, Exception: _unexpected},
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.reviewers = reviewers
    app.state.wiring = app_wiring
    app.state.throttle = LoginThrottle(web.login_attempts)
    app.state.login_delay = login_delay
    #: campaign -> its zone, so pages show slot times as the campaign's people read them
    app.state.zones = {c.name: settings.zone_of(c) for c in settings.campaigns}
    return app


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return page(request, "message.html", 404, error="There is no such page.")
    return page(request, "message.html", exc.status_code, error=str(exc.detail))


async def _bot_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BotError)
    return page(request, "message.html", actions.status_of(exc), error=str(exc))


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return page(request, "message.html", 500, error="Unexpected error (logged). Please report it.")
