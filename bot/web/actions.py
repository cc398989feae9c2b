"""What a reviewer does: log in and out, approve, edit, reject, regenerate, override, and the
publication tools. Every action is a POST with the session's CSRF token, calls the same
service as the CLI in a worker thread, and is recorded in the event log under the reviewer's
name. A mistake or a lost race is shown as a page with a message, never a traceback.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from bot.domain import Draft, DraftState, Publication, RejectionCategory
from bot.domain.errors import BotError, DraftExpired, NotFound, StateConflict, StoreUnavailable
from bot.services import accounts as account_service
from bot.services.expiry import refuse_late
from bot.services.review import failed_checks, goes_out, paused_warnings
from bot.web.render import flash, page, redirect
from bot.web.security import LoginThrottle, checked_form, reviewer_of, reviewers_of, start_session
from bot.web.views import draft_context, wiring
from bot.wiring import Wiring

log = logging.getLogger(__name__)

_SHA256 = re.compile(r"[0-9a-f]{64}")


def status_of(exc: BotError) -> int:
    """The HTTP status of an error a person can read."""
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, StateConflict):
        return 409
    if isinstance(exc, StoreUnavailable):
        return 503
    return 400


# -- login ------------------------------------------------------------------------------------


async def login_form(request: Request) -> Response:
    return page(request, "login.html", next=_next(request.query_params.get("next")))


async def login(request: Request) -> Response:
    form = await checked_form(request)
    name, password = str(form.get("name", "")).strip()[:100], str(form.get("password", ""))[:1000]
    target = _next(str(form.get("next", "")))
    app, throttle = wiring(request), _throttle(request)
    address = request.client.host if request.client else "?"
    now = app.clock.now()
    wait = throttle.wait(name, address, now)
    if wait:
        log.warning("login for %r from %s refused: too many wrong passwords", name, address)
        response = page(
            request,
            "login.html",
            429,
            next=target,
            name=name,
            error=f"Too many wrong passwords. Try again in {int(wait + 0.999)} seconds.",
        )
        response.headers["Retry-After"] = str(int(wait + 0.999))
        return response
    reviewer = reviewers_of(request).reviewer(name)
    ok = await run_in_threadpool(app.web_secrets.verify, name, password)
    if not (ok and reviewer):
        throttle.failed(name, address, now)
        log.warning("wrong name or password for %r from %s", name, address)
        await asyncio.sleep(request.app.state.login_delay)
        return page(request, "login.html", 401, next=target, name=name, error="Wrong name or password.")
    throttle.succeeded(name)
    generation = await run_in_threadpool(app.web_secrets.generation, reviewer.name)
    start_session(request.session, reviewer.name, app.clock.now(), generation)
    log.info("reviewer %s logged in from %s", reviewer.name, address)
    return redirect(request, target)


async def logout(request: Request) -> Response:
    """End the session here and everywhere: its id is recorded as revoked, so a copy of the
    cookie is refused by every process of ``bot web``."""
    await checked_form(request)
    app, sid = wiring(request), request.session.get("sid")
    if isinstance(sid, str):
        await run_in_threadpool(
            app.revoked_sessions.revoke, sid, app.clock.now(), app.settings.web.session_lifetime
        )
    log.info("reviewer %s logged out", request.session.get("user"))
    request.session.clear()
    return redirect(request, "/login")


#: Paths that only take a POST (a button pressed as the session ran out), and the page each
#: belongs to: after logging in again the reviewer sees that page, not "Method Not Allowed".
_ACTIONS = (
    (re.compile(r"^(/drafts/\d+)/(?:approve|edit|reject|regenerate|override)$"), r"\1"),
    (re.compile(r"^/publications/\d+/[^/]+$"), "/publications"),
    (re.compile(r"^/accounts/[^/]+/resume$"), "/accounts"),
    (re.compile(r"^/logout$"), "/"),
)


def _next(target: str | None) -> str:
    """Where to go after logging in: a path of ours only (no open redirect); for an action,
    the page it was pressed on (nothing was done: the reviewer acts again)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    for action, page_of in _ACTIONS:
        if action.match(target):
            return action.sub(page_of, target)
    return target


def _throttle(request: Request) -> LoginThrottle:
    throttle: LoginThrottle = request.app.state.throttle
    return throttle


# -- drafts -----------------------------------------------------------------------------------


async def approve(request: Request) -> Response:
    form, draft_id = await checked_form(request), request.path_params["draft_id"]
    me, app = reviewer_of(request), wiring(request)
    sha, media = _sha(form), _media(form)

    warnings: list[str] = []

    def act() -> str:
        draft = _unchanged(app, draft_id, sha, media=media)
        refuse_late(app.store, draft, app.clock.now(), me.name, "approved")  # before the flag's advice
        if draft.state is DraftState.FLAGGED or failed_checks(draft):
            why = "is flagged by moderation" if draft.state is DraftState.FLAGGED else "failed its checks"
            raise StateConflict(
                f"draft {draft_id} {why}: edit it, or an admin may approve it as it is, "
                "with a reason (override)"
            )
        approved = app.review.approve(draft_id, me.name, sha256=sha, media_sha256=media)
        pubs = app.store.list_publications(draft_id=approved.id)
        accounts, when = ", ".join(p.account for p in pubs), goes_out(pubs, app.clock.now())
        warnings.extend(_paused(app, pubs, approved.expires_at))
        return f"Draft {draft_id} approved; queued for {accounts or 'no account'}{when}."

    return await _on_draft(request, draft_id, act, warnings=warnings)


def _paused(app: Wiring, pubs: Sequence[Publication], expires_at: datetime | None) -> list[str]:
    """The approval's warnings about paused accounts, as the CLI prints them (an admin resumes
    one on the Accounts page too)."""
    return [
        f"Warning: {line}. An admin can also resume it on the Accounts page."
        for line in paused_warnings(pubs, app.store.paused_accounts(), expires_at)
    ]


async def override(request: Request) -> Response:
    form, draft_id = await checked_form(request), request.path_params["draft_id"]
    me, app = reviewer_of(request), wiring(request)
    if not me.is_admin:
        return await _draft_error(
            request,
            draft_id,
            403,
            "Only an admin can override a flagged draft or a failed check. Nothing was changed.",
        )
    sha, media, reason = _sha(form), _media(form), str(form.get("reason", "")).strip()
    warnings: list[str] = []

    def act() -> str:
        if not reason:
            raise BotError("An override needs a reason saying why the flag or the failed check is wrong.")
        _unchanged(app, draft_id, sha, media=media)
        approved = app.review.approve(
            draft_id, me.name, sha256=sha, override=True, reason=reason, media_sha256=media
        )
        pubs = app.store.list_publications(draft_id=approved.id)
        warnings.extend(_paused(app, pubs, approved.expires_at))
        return f"Draft {draft_id} approved by override."

    return await _on_draft(request, draft_id, act, warnings=warnings)


async def edit(request: Request) -> Response:
    form, draft_id = await checked_form(request), request.path_params["draft_id"]
    me, app = reviewer_of(request), wiring(request)
    sha, text = _sha(form), str(form.get("text", "")).replace("\r\n", "\n")
    bare = form.get("bare") == "1"

    def act() -> str:
        if not text.strip():
            raise BotError("The edited text is empty; to drop the draft, reject it.")
        _unchanged(app, draft_id, sha, "your edit was not saved")
        edited = app.review.edit(draft_id, me.name, text, bare=bare)
        if edited.state is DraftState.FLAGGED:
            return f"Draft {draft_id} edited; the new text is flagged by moderation."
        return f"Draft {draft_id} edited; now {edited.state.value}: approve it when it is right."

    return await _on_draft(request, draft_id, act, edit_text=text)


async def reject(request: Request) -> Response:
    form, draft_id = await checked_form(request), request.path_params["draft_id"]
    me, app = reviewer_of(request), wiring(request)
    reason = str(form.get("reason", "")).strip()
    category = str(form.get("because", "") or "")
    withdraw = form.get("withdraw") == "1"

    def act() -> str:
        if not reason:
            raise BotError("A rejection needs a reason.")
        if category and category not in {c.value for c in RejectionCategory}:
            raise BotError(f"unknown kind of problem {category!r}")
        because = RejectionCategory(category) if category else None
        app.review.reject(draft_id, me.name, reason, withdraw=withdraw, category=because)
        return f"Draft {draft_id} rejected."

    return await _on_draft(request, draft_id, act)


async def regenerate(request: Request) -> Response:
    await checked_form(request)
    draft_id, me, app = request.path_params["draft_id"], reviewer_of(request), wiring(request)

    def act() -> str:
        app.requests.regenerate(draft_id, me.name)
        return (
            f"Regeneration of draft {draft_id} asked for: the daemon writes new drafts for its slot "
            "at its next pass (this one is then rejected)."
        )

    return await _on_draft(request, draft_id, act)


def _sha(form: FormData) -> str:
    sha = str(form.get("sha256", ""))
    if not _SHA256.fullmatch(sha):
        raise_text = "The form did not say which text you saw (sha256 missing); reload the page."
        raise BadForm(raise_text)
    return sha


def _media(form: FormData) -> str | None:
    """The digest of the pictures the page showed (None: it showed none)."""
    media = str(form.get("media_sha256", ""))
    if media and not _SHA256.fullmatch(media):
        raise BadForm("The form named the pictures you saw wrongly (media_sha256); reload the page.")
    return media or None


class BadForm(BotError):
    """A form that lacks what every form of ours sends."""


def _unchanged(
    app: Wiring,
    draft_id: int,
    sha: str,
    what: str = "nothing was changed",
    *,
    media: str | bool | None = False,
) -> Draft:
    """The draft, if its text (and, when ``media`` is given, its pictures) are still the ones
    the reviewer saw (StateConflict otherwise)."""
    draft = app.store.get_draft(draft_id)
    if draft.sha256 != sha:
        raise StateConflict(
            f"The text of draft {draft_id} changed since you opened the page ({what}). "
            "Read the text below as it is now, and act again."
        )
    if media is not False and draft.media_sha256 != media:
        raise StateConflict(
            f"The pictures of draft {draft_id} changed since you opened the page ({what}). "
            "See them below as they are now, and act again."
        )
    return draft


async def _on_draft(
    request: Request,
    draft_id: int,
    act: Callable[[], str],
    *,
    warnings: Sequence[str] = (),
    **extra: Any,
) -> Response:
    """Run ``act``; show its message, then the ``warnings`` it filled, on the draft's page."""
    try:
        message = await run_in_threadpool(act)
    except BotError as exc:
        error = await run_in_threadpool(_explained, wiring(request), draft_id, exc)
        return await _draft_error(request, draft_id, status_of(exc), error, **extra)
    response = redirect(request, f"/drafts/{draft_id}", message)
    for line in warnings:
        flash(request, line, "warning")
    return response


#: Conflicts whose message already says what happened (another draft of the slot approved is
#: no lost race on this one: told as one, the page said the draft had been "pending review by"
#: its writer "while you had it open").
_SELF_EXPLAINED = (
    "changed since you opened",
    "asked for by",
    "admin may approve",
    "only an open draft",
    "a slot posts once per account",
)


def _explained(app: Wiring, draft_id: int, exc: BotError) -> str:
    """A lost race told as what happened: who changed the draft, when."""
    text = str(exc)
    if isinstance(exc, DraftExpired):  # says when it expired and what to do instead
        return text[:1].upper() + text[1:] + "."
    if not isinstance(exc, StateConflict) or any(s in text for s in _SELF_EXPLAINED):
        return text
    try:
        events = app.store.events(entity="draft", entity_id=draft_id, limit=20)
    except BotError:
        events = []
    moves = [e for e in events if e.to_state and e.from_state != e.to_state]
    if not moves:
        return f"{text}. Nothing was changed."
    last = moves[-1]
    state = last.to_state.replace("_", " ") if last.to_state else "changed"
    return (
        f"Draft {draft_id} was {state} by {last.actor} at {last.at:%H:%M} UTC while you had it open: "
        "nothing was changed. Its state and history are below."
    )


async def _draft_error(request: Request, draft_id: int, status: int, error: str, **extra: Any) -> Response:
    """The draft page as it is now, with what went wrong at the top."""
    try:
        data = await run_in_threadpool(draft_context, wiring(request), draft_id)
    except BotError as exc:
        return page(request, "message.html", status_of(exc), error=str(exc))
    return page(request, "draft.html", status, me=reviewer_of(request), error=error, **data, **extra)


# -- publications -----------------------------------------------------------------------------


async def publication_action(request: Request) -> Response:
    form, pub_id, action = (
        await checked_form(request),
        request.path_params["pub_id"],
        request.path_params["action"],
    )
    me, app = reviewer_of(request), wiring(request)
    back = "/publications?state=" + _state_param(str(form.get("back", "needs_check")))

    def act() -> str:
        if action == "check":
            outcome = app.publishing.check(pub_id, me.name)
            return f"Publication {pub_id}: {outcome.message}"
        if action == "retry":
            pub = app.publishing.retry(pub_id, me.name, force=form.get("force") == "1")
            return f"Publication {pub_id}: queued again for {pub.account}."
        if action == "cancel":
            app.publishing.cancel(pub_id, me.name, str(form.get("reason", "")).strip())
            return f"Publication {pub_id}: cancelled."
        raise NotFound(f"no action {action!r}")

    try:
        message = await run_in_threadpool(act)
    except BotError as exc:
        return redirect(request, back, str(exc), kind="error")
    return redirect(request, back, message)


def _state_param(value: str) -> str:
    return value if re.fullmatch(r"[a-z_]{1,20}", value) else "needs_check"


# -- accounts ---------------------------------------------------------------------------------


async def resume_account(request: Request) -> Response:
    """Unpause an account paused after its credentials were rejected (admins; as
    ``bot accounts resume``)."""
    await checked_form(request)
    name, me, app = request.path_params["name"], reviewer_of(request), wiring(request)
    if not me.is_admin:
        return redirect(request, "/accounts", "Only an admin can resume an account.", kind="error")

    def act() -> str:
        account_service.resume_account(app.settings, app.store, name, app.clock.now(), me.name)
        return f"Account {name} resumed."

    try:
        message = await run_in_threadpool(act)
    except BotError as exc:
        return redirect(request, "/accounts", str(exc), kind="error")
    return redirect(request, "/accounts", message)
