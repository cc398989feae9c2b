"""Finding an earlier send on the account: what to search, and what the search proved.

A search walks the account's posts from the newest back until it passes the send stamp (less
the allowed clock skew). Only a walk that provably covered everything since then may say
``absent``; a walk cut short by its page or time bounds, a rate limit, an error, or a listing
that ended too early says ``unknown`` with the reason. Reconciliation re-queues a publication
only on ``absent``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain import PublishResult


class FindStatus(StrEnum):
    FOUND = "found"
    ABSENT = "absent"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class PostSearch:
    """How far back to look and how much a search may cost."""

    #: When the first send of the post started (our clock).
    since: datetime
    #: How far the platform's clock may be from ours.
    clock_skew: timedelta = timedelta(minutes=5)
    max_pages: int = 30
    max_time: timedelta = timedelta(seconds=60)

    @property
    def boundary(self) -> datetime:
        """A post created (platform clock) before this cannot be the send."""
        return self.since - self.clock_skew


@dataclass(frozen=True)
class FindAnswer:
    """What a search of the account proved."""

    status: FindStatus
    post: PublishResult | None = None
    reason: str = ""
    pages: int = 0

    @classmethod
    def found(cls, post: PublishResult, pages: int = 0) -> FindAnswer:
        return cls(FindStatus.FOUND, post, f"found as {post.remote_id}", pages)

    @classmethod
    def absent(cls, reason: str, pages: int = 0) -> FindAnswer:
        return cls(FindStatus.ABSENT, None, reason, pages)

    @classmethod
    def unknown(cls, reason: str, pages: int = 0) -> FindAnswer:
        return cls(FindStatus.UNKNOWN, None, reason, pages)
