"""The walk back through an account's posts: what proves absence, and what only says unknown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.adapters.platforms._paging import Listed, Page, parse_when, walk
from bot.domain import PublishResult
from bot.domain.errors import PublishRetryable, PublishUnknownOutcome
from bot.domain.finding import FindStatus, PostSearch

STAMP = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
SEARCH = PostSearch(since=STAMP, clock_skew=timedelta(seconds=30), max_pages=5, max_time=timedelta(seconds=5))


def listing(texts_and_ages: list[tuple[str, float]], per_page: int) -> dict[str | None, Page]:
    """Pages of a newest-first listing; ages are seconds after (negative: before) the stamp."""
    items = [
        Listed(STAMP + timedelta(seconds=age), text, PublishResult(f"id-{n}"))
        for n, (text, age) in enumerate(texts_and_ages)
    ]
    pages: dict[str | None, Page] = {}
    cursor: str | None = None
    for start in range(0, len(items), per_page):
        following = str(start + per_page) if start + per_page < len(items) else None
        pages[cursor] = Page(items[start : start + per_page], following)
        cursor = following
    return pages


def find(pages: dict[str | None, Page], text: str, **kwargs: object) -> object:
    return walk(SEARCH, pages.__getitem__, lambda item: item.text == text, platform="T", **kwargs)  # type: ignore[arg-type]


def test_found_on_a_later_page_and_absent_only_past_the_stamp() -> None:
    recent = [(f"noise {n}", 100 - n) for n in range(7)] + [("ours", 1)]
    pages = listing([*recent, ("old", -3600)], per_page=3)
    answer = find(pages, "ours")
    assert answer.status is FindStatus.FOUND and answer.post.remote_id == "id-7" and answer.pages == 3
    answer = find(pages, "missing")
    assert answer.status is FindStatus.ABSENT and answer.pages == 3


def test_a_twin_older_than_the_stamp_is_not_ours_but_skew_is_allowed() -> None:
    pages = listing([("ours", -10), ("twin", -3600)], per_page=10)
    assert find(pages, "ours").status is FindStatus.FOUND  # 10 s "before": within the 30 s skew
    assert find(pages, "twin").status is FindStatus.ABSENT


def test_a_listing_that_ends_early_proves_nothing_unless_the_platform_bounds_it() -> None:
    pages = listing([("a", 5), ("b", 4)], per_page=1)
    assert find(pages, "ours").status is FindStatus.UNKNOWN
    assert find(pages, "ours", exhaustion_proves=True).status is FindStatus.ABSENT


def test_the_page_bound_says_unknown() -> None:
    pages = listing([(f"n{n}", 100 - n) for n in range(20)] + [("old", -3600)], per_page=2)
    answer = find(pages, "ours")
    assert answer.status is FindStatus.UNKNOWN and "check_pages" in answer.reason and answer.pages == 5


def test_rate_limits_are_waited_out_within_the_time_bound() -> None:
    pages = listing([("ours", 1), ("old", -3600)], per_page=1)
    calls: list[str | None] = []
    waits: list[float] = []

    def limited(cursor: str | None) -> Page:
        calls.append(cursor)
        if len(calls) == 1:
            raise PublishRetryable("429", retry_after=0.2)
        return pages[cursor]

    answer = walk(SEARCH, limited, lambda item: item.text == "ours", platform="T", sleep=waits.append)
    assert answer.status is FindStatus.FOUND and waits == [0.2]

    def far(cursor: str | None) -> Page:
        raise PublishRetryable("429", retry_after=3600)

    answer = walk(SEARCH, far, lambda item: True, platform="T", sleep=waits.append)
    assert answer.status is FindStatus.UNKNOWN and "rate limited" in answer.reason


def test_errors_and_unreadable_listings_are_unknown() -> None:
    def broken(cursor: str | None) -> Page:
        raise PublishUnknownOutcome("timed out")

    assert walk(SEARCH, broken, lambda item: True, platform="T").status is FindStatus.UNKNOWN

    def garbage(cursor: str | None) -> Page:
        raise KeyError("data")

    answer = walk(SEARCH, garbage, lambda item: True, platform="T")
    assert answer.status is FindStatus.UNKNOWN and "unreadable" in answer.reason


def test_parse_when() -> None:
    assert parse_when("2026-12-01T12:00:00.000Z") == STAMP
    assert parse_when(STAMP.timestamp()) == STAMP
    assert parse_when(STAMP.replace(tzinfo=None)) == STAMP
    assert parse_when("yesterday") is None and parse_when(None) is None
