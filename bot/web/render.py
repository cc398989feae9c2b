"""Pages: the Jinja2 templates (autoescaped), what every page gets (the reviewer, the CSRF
token, messages carried over a redirect) and the small filters the templates use."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from bot.config.web import WebSettings
from bot.domain.media import shown_size
from bot.domain.text import for_display
from bot.services.audit import audit_lines
from bot.web.security import csrf_token, current_reviewer, reviewers_of

_ENV = Environment(
    loader=PackageLoader("bot.web", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _when(value: datetime | str | None) -> str:
    """A UTC time as ``2026-09-01 10:00`` (the templates say UTC beside it)."""
    if value is None:
        return "-"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return f"{value:%Y-%m-%d %H:%M}"


def _local(value: datetime | None, zone: str | None) -> str:
    """A UTC time in the campaign's zone, ``2026-09-01 18:00 CST`` ("" without a zone)."""
    if value is None or not zone:
        return ""
    try:
        return f"{value.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M %Z}"
    except (ValueError, KeyError):
        return ""


def _label(state: Any) -> str:
    """A state as people read it: ``pending review``."""
    return str(getattr(state, "value", state)).replace("_", " ")


def _safe(value: Any) -> str:
    """Stored text as a person should see it (control characters made visible)."""
    return for_display(str(value)) if value is not None else ""


_ENV.filters["when"] = _when
_ENV.filters["shown"] = _safe
_ENV.filters["local"] = _local
_ENV.filters["label"] = _label
_ENV.filters["size"] = shown_size
_ENV.globals["audit"] = audit_lines


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render ``template`` with the common context; messages waiting in the session are shown
    (and dropped) here."""
    web: WebSettings = reviewers_of(request)
    session = request.session
    messages = session.pop("messages", [])
    html = _ENV.get_template(template).render(
        request=request,
        reviewer=current_reviewer(session, web),
        csrf=csrf_token(session),
        messages=messages,
        zones=request.app.state.zones,
        **context,
    )
    return HTMLResponse(html, status_code=status, headers=_HEADERS)


def redirect(request: Request, url: str, message: str = "", kind: str = "ok") -> RedirectResponse:
    """A 303 to ``url`` (a path of ours), carrying ``message`` to the next page."""
    flash(request, message, kind)
    return RedirectResponse(url, status_code=303)


def flash(request: Request, message: str, kind: str = "ok") -> None:
    """Show ``message`` on the next page (kind: ok, warning, error)."""
    if message:
        request.session.setdefault("messages", []).append({"kind": kind, "text": message})


#: No framing, no sniffing, no referrer leaks, scripts only from here.
_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "Cache-Control": "no-store",
}
