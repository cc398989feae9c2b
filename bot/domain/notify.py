"""Notifications: the messages the daemon sends people, quiet hours, and what the store counts
for the metrics. Pure: no I/O.

A :class:`Message` goes to every configured channel (webhook, email); each channel answers with
a :class:`Delivery`. What was sent is remembered in the event log (entity ``notification``), so
a restarted daemon never sends the same digest or alert twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from bot.domain.errors import BotError

#: The event log's entity for what the notifier did.
NOTIFICATION = "notification"


class NotificationFailed(BotError):
    """A channel could not deliver a message (after its retries); the message says why."""


class MessageKind:
    """What a message is about (the ``kind`` in its event)."""

    DIGEST = "digest"
    ALERT = "alert"
    TEST = "test"


@dataclass(frozen=True)
class Message:
    """One notification: a subject line and a plain-text body (links on their own lines)."""

    kind: str
    subject: str
    text: str
    #: What the message covers, kept in its event: ``{"drafts": [...], "through_event": N}``.
    covers: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Delivery:
    """What one channel did with one message."""

    channel: str
    ok: bool
    attempts: int
    error: str = ""


@dataclass(frozen=True)
class Outcome:
    """A message's deliveries, reported by the dispatcher once every channel is done."""

    message_id: int
    deliveries: tuple[Delivery, ...]
    #: True when the daemon stopped before the message was sent (it was never tried).
    dropped: bool = False


_CLOCK = re.compile(r"^\s*([01]?\d|2[0-3]):([0-5]\d)\s*$")


@dataclass(frozen=True)
class QuietHours:
    """A daily window of local time in which nothing is sent (``22:00-07:00`` spans midnight)."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        """``"HH:MM-HH:MM"``; ValueError saying what is expected otherwise."""
        start, sep, end = text.partition("-")
        first, last = _CLOCK.match(start), _CLOCK.match(end)
        if not sep or first is None or last is None:
            raise ValueError("expected a window of local time such as '22:00-07:00'")
        window = cls(time(int(first[1]), int(first[2])), time(int(last[1]), int(last[2])))
        if window.start == window.end:
            raise ValueError("the window is empty: start and end are the same time")
        return window

    def __contains__(self, local: datetime) -> bool:
        at = local.time().replace(tzinfo=None)
        if self.start < self.end:
            return self.start <= at < self.end
        return at >= self.start or at < self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True)
class StoreMetrics:
    """What the store holds, counted for ``/metrics`` at scrape time."""

    drafts: dict[str, int]
    #: (state, platform) -> publications.
    publications: dict[tuple[str, str], int]
    #: Moderation records by decision (``pass`` / ``flag``).
    moderation: dict[str, int]
    #: worker id -> (state, last heartbeat).
    daemons: dict[str, tuple[str, datetime]]
    #: channel -> failed deliveries.
    notification_failures: dict[str, int]
    #: Seconds from a slot's creation to its first draft, for the latest drafted slots.
    slot_seconds: list[float]
