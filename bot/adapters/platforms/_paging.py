"""Paging back through an account's posts to find an earlier send (shared by the adapters).

:func:`walk` reads pages newest first until it passes the search's boundary (the send stamp
less the clock skew), within the search's page and time bounds. A rate limit is waited out
when the wait fits in the time left; any other error ends the walk with ``unknown``. Absence
is proven only by passing the boundary, or by the end of a listing the platform bounds by
time itself (``exhaustion_proves``, X's ``start_time``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.domain import PublishResult
from bot.domain.errors import PublishError, PublishRetryable
from bot.domain.finding import FindAnswer, PostSearch

log = logging.getLogger(__name__)

#: Rate-limit waits within one walk before it gives up.
_MAX_WAITS = 3


@dataclass(frozen=True)
class Listed:
    """One post of a listing: when the platform says it was made, its text, where it is."""

    created: datetime | None
    text: str
    result: PublishResult
    #: The platform's own object, for matches that need more than the text.
    raw: Any = None


@dataclass(frozen=True)
class Page:
    items: Sequence[Listed]
    #: The cursor of the next (older) page; None when the listing says it has ended.
    next: str | None


def walk(
    search: PostSearch,
    fetch: Callable[[str | None], Page],
    matches: Callable[[Listed], bool],
    *,
    platform: str,
    exhaustion_proves: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> FindAnswer:
    """Walk the listing for a post that ``matches`` and is not older than the boundary."""
    boundary = search.boundary
    deadline = time.monotonic() + search.max_time.total_seconds()
    cursor: str | None = None
    pages = waits = 0
    while True:
        if pages >= search.max_pages:
            return FindAnswer.unknown(
                f"{platform}: read {pages} pages without reaching the send stamp (check_pages)", pages
            )
        try:
            page = fetch(cursor)
        except PublishRetryable as exc:
            left = deadline - time.monotonic()
            wait = exc.retry_after if exc.retry_after is not None else 0.5
            if waits >= _MAX_WAITS or wait > left:
                return FindAnswer.unknown(f"{platform}: rate limited while reading the account: {exc}", pages)
            waits += 1
            log.info("%s: rate limited while searching; waiting %.1f s", platform, wait)
            sleep(wait)
            continue
        except PublishError as exc:
            return FindAnswer.unknown(f"{platform}: cannot read the account: {exc}", pages)
        except Exception as exc:  # an unreadable listing proves nothing
            return FindAnswer.unknown(f"{platform}: unreadable listing: {type(exc).__name__}: {exc}", pages)
        pages += 1
        found, passed = _scan(page, boundary, matches)
        if found is not None:
            return FindAnswer.found(found, pages)
        if passed:
            return FindAnswer.absent(
                f"{platform}: not among the posts since {boundary:%Y-%m-%d %H:%M:%S} UTC ({pages} pages)",
                pages,
            )
        if not page.items or page.next is None:
            if exhaustion_proves:
                return FindAnswer.absent(
                    f"{platform}: not in the listing since the send stamp ({pages} pages)", pages
                )
            return FindAnswer.unknown(
                f"{platform}: the listing ended after {pages} pages before reaching the send stamp", pages
            )
        if time.monotonic() > deadline:
            return FindAnswer.unknown(
                f"{platform}: out of time after {pages} pages without reaching the send stamp (check_time)",
                pages,
            )
        cursor = page.next


def _scan(
    page: Page, boundary: datetime, matches: Callable[[Listed], bool]
) -> tuple[PublishResult | None, bool]:
    """The matching post of a page (not older than the boundary), and whether the page
    reached past the boundary."""
    passed = False
    for item in page.items:
        if item.created is not None and item.created < boundary:
            passed = True
        elif matches(item):
            return item.result, passed
    return None, passed


def parse_when(value: object) -> datetime | None:
    """A listing's creation time as aware UTC: a datetime, an ISO 8601 string or a Unix time."""
    try:
        if isinstance(value, datetime):
            when = value
        elif isinstance(value, int | float):
            when = datetime.fromtimestamp(float(value), UTC)
        elif isinstance(value, str) and value:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        else:
            return None
    except (ValueError, OverflowError, OSError):
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
