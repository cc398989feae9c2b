"""Telling people when work waits: a digest of the drafts waiting for review (at most one every
``notify_every``), and alerts for publications in ``needs_check`` or ``failed`` and accounts
paused. Nothing is sent in ``quiet_hours``; what comes up meanwhile goes out when they end.

The daemon calls :meth:`NotifyingService.tick` after each pass. It reads what is new from the
event log (a cursor per kind of message, kept in the events of the messages sent before), hands
messages to the :class:`~bot.domain.ports.Dispatcher` (which sends them on its own thread, so
a hanging webhook never holds up publishing) and records what became of each message:

- ``notification N: None -> queued`` (by this worker; N is the event's own id) before a message
  is handed over: its ``details`` say what it covers, so a restarted daemon never sends it again;
- then one ``queued -> sent | failed`` per channel (``details.channel``), or
  ``queued -> dropped`` when the daemon stopped before trying it (sent again after a restart).

With several daemons on one database, only the longest-running live daemon notifies.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.domain import DraftState, Event, PublicationState
from bot.domain.errors import NotFound
from bot.domain.notify import NOTIFICATION, Message, MessageKind, Outcome
from bot.domain.ports import Dispatcher, Store

log = logging.getLogger(__name__)

_WAITING = (DraftState.PENDING_REVIEW.value, DraftState.FLAGGED.value)
_TROUBLE = (PublicationState.NEEDS_CHECK.value, PublicationState.FAILED.value)
#: Lines a message lists before "and N more".
MAX_LINES = 20
#: Notification events read to find what was sent before.
MEMORY = 500


@dataclass(frozen=True)
class Memory:
    """What was sent before, read from the event log."""

    digest_at: datetime | None = None
    digest_through: int = 0
    alert_through: int = 0


class NotifyingService:
    """Builds the messages, hands them to the dispatcher and records their outcomes.

    Args:
        settings: the config (``[notify]``, ``[bot] timezone``, ``poll_interval``).
        store: the store (event log, drafts, publications, accounts, daemons).
        dispatcher: builds the dispatcher on first use (None when no channel is configured).
        clock: the clock.
        worker: this daemon's worker id (the actor of the events).
        web_url: the review page's address (``[web] url``): messages link to drafts there.
    """

    def __init__(
        self,
        settings: Settings,
        store: Store,
        dispatcher: Callable[[], Dispatcher],
        clock: Callable[[], datetime],
        worker: str,
        web_url: str | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self._make_dispatcher = dispatcher
        self._dispatcher: Dispatcher | None = None
        self._now = clock
        self.worker = worker
        self.web_url = web_url.rstrip("/") if web_url else None
        #: Cursors already handled by this process (messages it queued, or nothing to say).
        self._digest_through = 0
        self._alert_through = 0

    @property
    def enabled(self) -> bool:
        return self.settings.notify.enabled

    @property
    def dispatcher(self) -> Dispatcher:
        """The dispatcher, built (channels and their secrets read) on first use."""
        if self._dispatcher is None:
            self._dispatcher = self._make_dispatcher()
        return self._dispatcher

    # -- the daemon's turn ---------------------------------------------------------------------

    def tick(self) -> list[int]:
        """Record finished outcomes, then queue what is due; returns the ids of queued messages."""
        if not self.enabled:
            return []
        self.record(self.dispatcher.outcomes())
        now = self._now()
        if self.quiet(now) or not self._leader(now):
            return []
        memory = self.memory()
        queued = []
        alert = self._alerts(max(memory.alert_through, self._alert_through))
        if alert is not None:
            queued.append(self.queue(alert))
        digest = self._digest(now, memory)
        if digest is not None:
            queued.append(self.queue(digest))
        return queued

    def close(self, wait: float, *, drain: bool = False) -> None:
        """Stop the dispatcher (waiting at most ``wait`` s; ``drain``: for every queued message)
        and record what became of each message."""
        if self._dispatcher is not None:
            dispatcher, self._dispatcher = self._dispatcher, None
            self.record(dispatcher.close(wait, drain=drain))

    def quiet(self, now: datetime) -> bool:
        """Whether ``now`` falls in the quiet hours (local time of ``[notify] timezone``)."""
        window = self.settings.notify.quiet
        zone = ZoneInfo(self.settings.notify.timezone or self.settings.bot.timezone)
        return window is not None and now.astimezone(zone) in window

    def queue(self, message: Message) -> int:
        """Remember the message in the event log, then hand it to the dispatcher."""
        details = {"kind": message.kind, "subject": message.subject, **message.covers}
        message_id = self.store.append_event(
            self._now(), self.worker, NOTIFICATION, None, None, "queued", message.subject, details
        )
        if message.kind == MessageKind.DIGEST:
            self._digest_through = max(self._digest_through, int(message.covers["through_event"]))
        elif message.kind == MessageKind.ALERT:
            self._alert_through = max(self._alert_through, int(message.covers["through_event"]))
        self.dispatcher.submit(message_id, message)  # logged by the store: "notification N: queued"
        return message_id

    def record(self, outcomes: list[Outcome]) -> None:
        """One event per channel and message: sent, failed (logged as a warning) or dropped."""
        for outcome in outcomes:
            now = self._now()
            if outcome.dropped:
                reason = "not sent: the daemon stopped first (sent again after a restart)"
                self.store.append_event(
                    now, self.worker, NOTIFICATION, outcome.message_id, "queued", "dropped", reason
                )
                log.warning("notification %d %s", outcome.message_id, reason)
            for delivery in outcome.deliveries:
                state = "sent" if delivery.ok else "failed"
                reason = f"{delivery.channel}: " + (
                    f"delivered (try {delivery.attempts})" if delivery.ok else delivery.error
                )
                details = {"channel": delivery.channel, "attempts": delivery.attempts}
                self.store.append_event(
                    now, self.worker, NOTIFICATION, outcome.message_id, "queued", state, reason, details
                )
                if not delivery.ok:
                    log.warning(
                        "notification %d via %s failed after %d tries: %s",
                        outcome.message_id,
                        delivery.channel,
                        delivery.attempts,
                        delivery.error,
                    )

    # -- what was sent before ------------------------------------------------------------------

    def memory(self) -> Memory:
        """The latest digest and alert not dropped, from the event log."""
        events = self.store.events(entity=NOTIFICATION, limit=MEMORY)
        dropped = {e.entity_id for e in events if e.to_state == "dropped"}
        digest_at, digest_through, alert_through = None, 0, 0
        for event in events:
            if event.to_state != "queued" or event.id in dropped:
                continue
            kind, through = event.details.get("kind"), int(event.details.get("through_event") or 0)
            if kind == MessageKind.DIGEST:
                digest_at, digest_through = event.at, max(digest_through, through)
            elif kind == MessageKind.ALERT:
                alert_through = max(alert_through, through)
        return Memory(digest_at, digest_through, alert_through)

    def _leader(self, now: datetime) -> bool:
        """Whether this process notifies: the live daemon that started first does (so several
        daemons on one Postgres send each message once); a lone ``bot run --once`` does too."""
        stale = max(3 * self.settings.bot.poll_interval, timedelta(seconds=60))
        live = [
            d
            for d in self.store.list_daemons()
            if d.state in ("starting", "running") and now - d.heartbeat_at <= stale
        ]
        if not live:
            return True
        first = min(live, key=lambda d: (d.started_at, d.worker_id))
        return first.worker_id == self.worker

    # -- the messages --------------------------------------------------------------------------

    def _digest(self, now: datetime, memory: Memory) -> Message | None:
        """The digest, if drafts came to wait since the last one and its period is over."""
        every = self.settings.notify.notify_every
        if memory.digest_at is not None and now < memory.digest_at + every:
            return None
        through = max(memory.digest_through, self._digest_through)
        fresh = self.store.events_after(through, entities=("draft",), to_states=_WAITING, limit=1000)
        if not fresh:
            return None
        new_ids = {e.entity_id for e in fresh}
        waiting = self.store.list_drafts(states=[DraftState.PENDING_REVIEW, DraftState.FLAGGED])
        self._digest_through = max(self._digest_through, fresh[-1].id)
        if not any(d.id in new_ids for d in waiting):
            return None  # they were reviewed (or expired) before anyone needed telling
        waiting.sort(key=lambda d: (d.id not in new_ids, -d.id))
        flagged = sum(d.state is DraftState.FLAGGED for d in waiting)
        noun = "draft waits" if len(waiting) == 1 else "drafts wait"
        subject = f"{len(waiting)} {noun} for review" + (f" ({flagged} flagged)" if flagged else "")
        lines = []
        for draft in waiting[:MAX_LINES]:
            mark = " [flagged]" if draft.state is DraftState.FLAGGED else ""
            new = " (new)" if draft.id in new_ids else ""
            lines.append(f"- draft {draft.id}{new}, {draft.campaign_name}{mark}: {_excerpt(draft.text)}")
            lines.extend(self._link(f"/drafts/{draft.id}"))
        lines.extend(_more(len(waiting)))
        lines.append(f"Review them: {self.web_url}/" if self.web_url else "Review them with `bot queue`.")
        covers = {"through_event": fresh[-1].id, "drafts": [d.id for d in waiting[:100]]}
        return Message(MessageKind.DIGEST, subject, "\n".join(lines), covers)

    def _alerts(self, through: int) -> Message | None:
        """One message for the publications that went to needs_check or failed and the accounts
        paused since the last alert (those still in that state)."""
        publications = self.store.events_after(
            through, entities=("publication",), to_states=_TROUBLE, limit=500
        )
        accounts = self.store.events_after(through, entities=("account",), to_states=("paused",), limit=500)
        events = sorted(publications + accounts, key=lambda e: e.id)
        if not events:
            return None
        self._alert_through = max(self._alert_through, events[-1].id)
        lines = self._alert_lines(events)
        if not lines:
            return None
        count = sum(line.startswith("- ") for line in lines)
        subject = "1 thing needs attention" if count == 1 else f"{count} things need attention"
        text = "\n".join([*lines[: 2 * MAX_LINES], *_more(count)])
        return Message(MessageKind.ALERT, subject, text, {"through_event": events[-1].id})

    def _alert_lines(self, events: list[Event]) -> list[str]:
        lines: list[str] = []
        seen: set[tuple[str, int | str]] = set()
        paused = self.store.paused_accounts()
        for event in events:
            if event.entity == "account":
                name = event.reason.partition(":")[0]
                if name in paused and ("account", name) not in seen:
                    seen.add(("account", name))
                    lines.append(f"- account {name} is paused: {_excerpt(paused[name])}")
                    lines.extend(self._link("/accounts"))
                continue
            if ("publication", event.entity_id) in seen:
                continue
            seen.add(("publication", event.entity_id))
            lines.extend(self._publication_lines(event.entity_id))
        return lines

    def _publication_lines(self, pub_id: int) -> list[str]:
        try:
            pub = self.store.get_publication(pub_id)
        except NotFound:
            return []
        if pub.state.value not in _TROUBLE:
            return []  # settled since (checked and found, retried, cancelled)
        why = f": {_excerpt(pub.last_error)}" if pub.last_error else ""
        what = "needs a check" if pub.state is PublicationState.NEEDS_CHECK else "failed"
        line = f"- publication {pub.id} (draft {pub.draft_id} to {pub.account} on {pub.platform}) {what}{why}"
        return [line, *self._link(f"/drafts/{pub.draft_id}")]

    def _link(self, path: str) -> list[str]:
        return [f"  {self.web_url}{path}"] if self.web_url else []


def test_message(now: datetime, web_url: str | None) -> Message:
    """What ``bot notify test`` sends."""
    where = f"\nThe review page: {web_url.rstrip('/')}/" if web_url else ""
    return Message(
        MessageKind.TEST,
        "bot notify test",
        f"A test message from the bot at {now:%Y-%m-%d %H:%M} UTC.{where}",
    )


def _excerpt(text: str, limit: int = 120) -> str:
    """One line of at most ``limit`` characters; mentions are defused (``@`` + zero-width space)
    so a draft quoting ``@channel`` pings nobody."""
    flat = " ".join(text.split()).replace("@", "@\u200b")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _more(count: int) -> list[str]:
    return [f"... and {count - MAX_LINES} more"] if count > MAX_LINES else []
