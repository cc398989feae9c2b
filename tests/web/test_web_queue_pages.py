"""The queue page shows 50 drafts at a time; "Next page" goes on after the last id shown and
keeps the filters, so every open draft of a big queue can be reached."""

from __future__ import annotations

import re
from collections.abc import Callable

from starlette.testclient import TestClient

from bot.domain import DraftState
from bot.web.views import QUEUE_PAGE
from bot.wiring import Wiring
from tests.browser.world import clone_drafts
from tests.web.conftest import make_draft

Web = Callable[..., TestClient]
OPEN = [DraftState.PENDING_REVIEW, DraftState.FLAGGED]


def _page(client: TestClient, path: str) -> tuple[list[int], str | None, bool]:
    """The draft ids listed, the "Next page" link, and whether a "First page" link is shown."""
    html = client.get(path).text
    ids = [int(i) for i in re.findall(r'<li class="draft-row[^"]*" id="draft-(\d+)"', html)]
    found = re.search(r'<a href="([^"]+)" id="next-page"', html)
    return ids, found.group(1).replace("&amp;", "&") if found else None, 'id="first-page"' in html


def test_the_queue_pages_through_every_open_draft_keeping_the_filters(web: Web, world: Wiring) -> None:
    make_draft(world)
    clone_drafts(world.settings.database_url, 3 * QUEUE_PAGE + 7)  # 7 in 10 copies are open
    waiting = [d.id for d in world.store.list_drafts(states=OPEN, campaign="promo")]
    assert len(waiting) > 2 * QUEUE_PAGE
    client = web("alice")

    ids, link, first = _page(client, "/?state=open&campaign=promo")
    assert ids == waiting[:QUEUE_PAGE] and not first
    seen = list(ids)
    while link:
        assert "campaign=promo" in link and "state=open" in link
        ids, link, first = _page(client, link)
        assert first and 0 < len(ids) <= QUEUE_PAGE
        seen += ids
    assert seen == waiting

    flagged = [d.id for d in world.store.list_drafts(states=[DraftState.FLAGGED])]
    ids, link, _ = _page(client, f"/?state=flagged&after={flagged[0]}")
    assert ids == flagged[1 : QUEUE_PAGE + 1]


def test_a_page_past_the_end_says_so_and_a_bad_after_is_the_first_page(web: Web, world: Wiring) -> None:
    make_draft(world)
    drafts = [d.id for d in world.store.list_drafts()]
    client = web("alice")
    past = client.get(f"/?after={drafts[-1]}")
    assert "No more drafts here." in past.text and 'id="first-page"' in past.text
    for bad in ("abc", "-1", "9" * 30):
        ids, link, first = _page(client, f"/?after={bad}")
        assert ids == drafts and link is None and not first
