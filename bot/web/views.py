"""The pages a reviewer reads: the queue, a draft, publications, the calendar, the accounts.

Each reads through the same services as the CLI (``bot queue``, ``bot queue show``,
``bot publications list``, ``bot calendar``, ``bot accounts list``), in a worker thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response

from bot.domain import DraftState, PublicationState, too_late
from bot.domain.errors import NotFound
from bot.domain.requests import OPEN_REQUEST_STATES
from bot.services.accounts import account_rows
from bot.services.calendar import coming_slots, zone_abbreviation
from bot.services.previews import platform_previews
from bot.services.queue import QueueView, alternatives_of, draft_detail, slot_alternatives, slot_note
from bot.services.review import failed_checks, hard_failures
from bot.web.render import page
from bot.web.security import reviewer_of
from bot.wiring import Wiring, credentials_present

#: Drafts one queue page shows; "Next page" links on by the last id shown (``?after=ID``).
QUEUE_PAGE = 50
PUBLICATIONS_PAGE = 200
#: The queue's state filter: "open" (pending_review and flagged), "all", or one state.
STATE_CHOICES = ("open", "all", *(s.value for s in DraftState))


def wiring(request: Request) -> Wiring:
    app: Wiring = request.app.state.wiring
    return app


async def healthz(request: Request) -> Response:
    """Static: the server answers (the bench's baseline)."""
    return PlainTextResponse("ok\n", headers={"Cache-Control": "no-store"})


async def queue(request: Request) -> HTMLResponse:
    state = request.query_params.get("state", "open")
    if state not in STATE_CHOICES:
        state = "open"
    campaign = request.query_params.get("campaign") or None
    after = _page_after(request.query_params.get("after"))
    app = wiring(request)

    def read() -> dict[str, Any]:
        view = QueueView(app.reader)
        states = [] if state in ("open", "all") else [DraftState(state)]
        every = state == "all"
        drafts = view.drafts(states, every_state=every, campaign=campaign, limit=QUEUE_PAGE + 1, after=after)
        shown = drafts[:QUEUE_PAGE]
        slots = view.slot_drafts(shown)
        return {
            "drafts": [
                {
                    "draft": d,
                    "failed": failed_checks(d),
                    "flagged": d.state is DraftState.FLAGGED,
                    # as `bot queue`'s last column: the slot's other drafts still in the running
                    "alternatives": alternatives_of(d, slots),
                }
                for d in shown
            ],
            "next_after": shown[-1].id if len(drafts) > QUEUE_PAGE else None,
            "campaigns": [c.name for c in view.campaigns(every_campaign=True)],
        }

    data = await run_in_threadpool(read)
    filters = {"state": state, **({"campaign": campaign} if campaign else {})}
    next_after = data.pop("next_after")
    return page(
        request,
        "queue.html",
        state=state,
        campaign=campaign or "",
        states=STATE_CHOICES,
        paged=after is not None,
        first_page="/?" + urlencode(filters),
        next_page="/?" + urlencode({**filters, "after": next_after}) if next_after else None,
        **data,
    )


def _page_after(value: str | None) -> int | None:
    """The ``after`` of a queue page link: the last draft id of the page before (else None)."""
    return int(value) if value and value.isdigit() and len(value) < 19 else None


def draft_context(app: Wiring, draft_id: int) -> dict[str, Any]:
    """Everything the draft page shows (raises NotFound for an unknown id)."""
    draft = app.store.get_draft(draft_id)
    slot = slot_alternatives(app.store, draft)
    data = draft_detail(app.store, draft_id, draft, slot)
    requests = app.store.draft_requests(draft_id=draft_id, limit=10)
    current = [m for m in data["moderation"] if m["current"]]
    open_ = draft.state in (DraftState.PENDING_REVIEW, DraftState.FLAGGED)
    # past its expiry, not yet marked by the daemon's pass: approve, edit, regenerate refuse it
    late = draft.state is not DraftState.EXPIRED and too_late(
        draft.state, draft.expires_at, app.clock.now(), approved_too=True
    )
    return {
        "d": data,
        "draft": draft,
        "failed": failed_checks(draft),
        "hard_failed": hard_failures(draft),
        "open": open_,
        "late": late,
        "flagged": draft.state is DraftState.FLAGGED,
        "flag_reasons": current[-1]["reasons"] if current else [],
        "previews": platform_previews(app.settings, draft.campaign_name, draft.text),
        "events": QueueView(app.store).history(draft_id=draft_id, limit=100),
        "waiting": [r for r in requests if r.state in OPEN_REQUEST_STATES],
        "requests": requests,
        # as `bot queue show`, with the switch this page offers
        "slot_note": slot_note(draft, slot, _web_withdraw),
        "alternatives": [d for d in slot if d.id != draft.id],
    }


def _web_withdraw(draft_id: int) -> str:
    return f'"Withdraw the approval and reject" on the page of draft {draft_id}'


async def draft_page(request: Request) -> HTMLResponse:
    draft_id = request.path_params["draft_id"]
    data = await run_in_threadpool(draft_context, wiring(request), draft_id)
    return page(request, "draft.html", me=reviewer_of(request), **data)


async def draft_picture(request: Request) -> Response:
    """One of the draft's pictures (the user's file as chosen), for the reviewer to see. Only a
    path the draft records is ever served."""
    draft_id, index = request.path_params["draft_id"], request.path_params["index"]
    draft = await run_in_threadpool(wiring(request).store.get_draft, draft_id)
    if not 0 <= index < len(draft.media):
        raise NotFound(f"draft {draft_id} has no picture {index + 1}")
    picture = draft.media[index]
    item = picture.original or next(iter(picture.fitted.values()), None)
    path = Path(item.path if item else picture.source)
    if not path.is_file():
        raise NotFound(f"the picture {path.name} of draft {draft_id} is no longer on disk")
    media_type = item.mime if item else None
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "private, max-age=300"})


async def publications(request: Request) -> HTMLResponse:
    state = request.query_params.get("state", "needs_check")
    choices = ("needs_check", "partial", "failed", "queued", "claimed", "published", "cancelled", "all")
    if state not in choices:
        state = "needs_check"
    app = wiring(request)

    def read() -> list[Any]:
        states = [] if state == "all" else [PublicationState(state)]
        pubs = QueueView(app.reader).publications(states)
        return pubs[-PUBLICATIONS_PAGE:][::-1]  # the newest first

    pubs = await run_in_threadpool(read)
    return page(request, "publications.html", pubs=pubs, state=state, states=choices)


async def calendar(request: Request) -> HTMLResponse:
    try:
        days = min(max(int(request.query_params.get("days", "14")), 1), 366)
    except ValueError:
        days = 14
    app = wiring(request)

    def read() -> list[dict[str, Any]]:
        now = app.clock.now().replace(microsecond=0)
        rows = coming_slots(app.settings, app.store, now, days)
        for row in rows:
            row["abbrev"] = zone_abbreviation(row["local"], row["zone"])
        return rows

    rows = await run_in_threadpool(read)
    return page(request, "calendar.html", rows=rows[:500], more=len(rows) > 500, days=days)


async def accounts(request: Request) -> HTMLResponse:
    app = wiring(request)

    def read() -> list[dict[str, Any]]:
        return account_rows(app.settings, app.store, app.clock.now(), credentials_present)

    rows = await run_in_threadpool(read)
    return page(request, "accounts.html", rows=rows)
