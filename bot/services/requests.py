"""Work a person asks of the daemon for a draft.

The web page never loads the model, so its "regenerate" is a request row
(:class:`~bot.domain.requests.DraftRequest`) that a daemon claims at its next pass and serves
with the same :func:`~bot.services.drafting.service.regenerate` as ``bot queue regenerate``;
the page shows it pending until then, and its outcome after.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Protocol

from bot.config import Settings
from bot.domain.errors import BotError, StateConflict, StoreUnavailable
from bot.domain.ports import Clock, DraftStore, RequestStore
from bot.domain.requests import DraftRequest, RequestKind
from bot.domain.text import clean_name
from bot.services.expiry import refuse_late
from bot.services.queue import not_regenerable

log = logging.getLogger(__name__)

#: How long a daemon holds a request it is serving before another may take it over (a
#: regeneration loads the model and writes several candidates).
REQUEST_LEASE = timedelta(minutes=15)

#: Serves a regeneration: (draft id, who asked) -> the new drafts' ids.
Regenerate = Callable[[int, str], list[int]]


class RequestsStore(RequestStore, DraftStore, Protocol):
    """What requests are recorded in (the whole store is one)."""


class RequestService:
    """Records requests (the web page) and serves them (the daemon)."""

    def __init__(self, settings: Settings, store: RequestsStore, clock: Clock) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock

    def regenerate(self, draft_id: int, requester: str) -> DraftRequest:
        """Ask the daemon for fresh candidates for an open draft's slot (it rejects the draft
        when they are written, as ``bot queue regenerate`` does).

        Raises:
            NotFound: no such draft. NotConfigured: its campaign left the config.
            DraftExpired: the draft is past its expiry (an open one is expired now): new
                drafts for its slot would be past it too.
            StateConflict: the draft is not open, or a request for it is already waiting.
        """
        requester = clean_name(requester, "the reviewer name", 100)
        draft = self.store.get_draft(draft_id)
        refuse_late(self.store, draft, self.clock.now(), requester, "regenerated")
        self.settings.campaign(draft.campaign_name)
        why = not_regenerable(self.store, draft)
        if why:
            raise StateConflict(why)
        return self.store.request_draft_work(
            draft_id, RequestKind.REGENERATE, requester=requester, now=self.clock.now()
        )

    def serve(
        self,
        worker: str,
        regenerate: Regenerate,
        *,
        limit: int = 5,
        stopping: Callable[[], bool] = lambda: False,
    ) -> list[DraftRequest]:
        """Claim and serve up to ``limit`` waiting requests; each ends done or failed (with
        the error a person reads on the page). The database going away is raised."""
        served: list[DraftRequest] = []
        while len(served) < limit and not stopping():
            now = self.clock.now()
            request = self.store.claim_draft_request(worker, now=now, until=now + REQUEST_LEASE)
            if request is None:
                break
            served.append(self._serve_one(worker, request, regenerate))
        return served

    def _serve_one(self, worker: str, request: DraftRequest, regenerate: Regenerate) -> DraftRequest:
        try:
            ids = regenerate(request.draft_id, request.requested_by)
        except StoreUnavailable:
            raise  # the lease runs out and the request is served when the database is back
        except BotError as exc:
            log.warning(
                "request %d (%s of draft %d) failed: %s", request.id, request.kind, request.draft_id, exc
            )
            return self._finish(worker, request, ok=False, error=str(exc))
        except Exception as exc:  # a bug: recorded, so the page does not show it pending forever
            log.exception("request %d (%s of draft %d) failed", request.id, request.kind, request.draft_id)
            return self._finish(worker, request, ok=False, error=f"unexpected error: {type(exc).__name__}")
        log.info("request %d: draft %d regenerated into %s", request.id, request.draft_id, ids)
        return self._finish(worker, request, ok=True, result={"drafts": ids})

    def _finish(
        self,
        worker: str,
        request: DraftRequest,
        *,
        ok: bool,
        result: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> DraftRequest:
        return self.store.finish_draft_request(
            request.id, worker, ok=ok, now=self.clock.now(), result=result, error=error
        )
