"""A reviewer works the queue of `bot web` in Debian's chromium, on a real store: logs in,
approves a draft, edits one, rejects one with a reason and resolves a needs_check publication;
then the store and the event log hold exactly those changes, under the reviewer's name.

Screenshots of the queue and of a draft page, on a phone (390x844) and a desktop (1280x800)
window, are written to ``tests/artifacts/screenshots/`` (see :mod:`tests.browser.browser`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from bot.domain import SLOT_DRAFT_STATES, DraftState, text_sha256
from tests.browser.browser import DESKTOP, PHONE, log_in, message, screenshot
from tests.browser.server import WebServer
from tests.browser.world import ReviewWorld, changes, snapshot, stuck_publication
from tests.fakeplatform import FakeServer

EDITED = "Lotus Leaf sends warm wishes: a fresh pot of tea and a quiet corner are waiting for you."
#: The edited post: an edit is the post's body; the campaign's link is added back.
POSTED = EDITED + "\n\nhttps://lotusleaf.example/shop"
REASON = "too sweet for a Monday"


def test_a_reviewer_works_the_queue_and_changes_exactly_that(
    world: ReviewWorld, fake: FakeServer, web: WebServer, open_page: Callable[..., Page]
) -> None:
    greetings = world.fire("greeting", 2)
    world.fire("promo", 1)
    stuck = stuck_publication(world, fake)
    approved, edited, rejected = greetings[:3]
    open_drafts = world.app.store.list_drafts(states=[DraftState.PENDING_REVIEW, DraftState.FLAGGED])
    before = snapshot(world.url)

    # a slot's drafts are alternatives of one post: the queue names them, as `bot queue` does
    slot = world.app.store.get_draft(approved).slot_id
    [alternative, *_] = [d.id for d in open_drafts if d.slot_id == slot and d.id != approved]
    running = world.app.store.list_drafts(states=SLOT_DRAFT_STATES)
    with_alternatives = [
        d for d in open_drafts if any(o.slot_id == d.slot_id and o.id != d.id for o in running)
    ]

    page = open_page(DESKTOP)
    log_in(page, web.url, "ann")
    expect(page.locator("li.draft-row")).to_have_count(len(open_drafts))
    expect(page.locator("li.draft-row .alternatives")).to_have_count(len(with_alternatives))
    expect(page.locator(f"#draft-{approved} .alternatives")).to_contain_text(str(alternative))
    expect(page.locator("#alternatives-note")).to_be_visible()
    screenshot(page, "queue-desktop")

    page.locator(f"#draft-{approved} a").click()
    expect(page.get_by_role("heading", name=f"Draft #{approved}")).to_be_visible()
    screenshot(page, "draft-desktop")
    page.locator("#approve").click()
    expect(message(page)).to_contain_text(f"Draft {approved} approved; queued for outbox")
    expect(page.locator("#draft-state")).to_have_text("approved")
    page.goto(f"{web.url}/drafts/{alternative}")
    expect(page.locator("#slot-note")).to_contain_text(
        f"draft {approved} is approved, so approving this one is refused"
    )
    page.locator(f"#alternative-{approved} a").click()  # the link to the approved one
    expect(page.get_by_role("heading", name=f"Draft #{approved}")).to_be_visible()

    page.goto(f"{web.url}/drafts/{edited}")
    page.locator("#edit-text").fill(EDITED)
    page.locator("#save-edit").click()
    expect(message(page)).to_contain_text(f"Draft {edited} edited")
    expect(page.locator("#draft-text")).to_have_text(POSTED)
    expect(page.locator("#draft-state")).to_have_text("pending review")

    page.goto(f"{web.url}/drafts/{rejected}")
    page.locator("#reject-reason").fill(REASON)
    page.locator("#reject").click()
    expect(page.locator("#draft-state")).to_have_text("rejected")
    expect(page.locator("#history")).to_contain_text(REASON)

    page.locator("#nav-publications").click()
    expect(page.locator(f"#pub-{stuck} .state")).to_have_text("needs check")
    page.locator(f"#check-{stuck}").click()
    expect(message(page)).to_contain_text(f"Publication {stuck}")
    expect(page.locator(f"#pub-{stuck}")).to_have_count(0)  # no longer needs a check

    phone = open_page(PHONE)
    log_in(phone, web.url, "ann")
    screenshot(phone, "queue-phone")
    phone.goto(f"{web.url}/drafts/{edited}")
    screenshot(phone, "draft-phone")
    for name, path in (
        ("publications", "/publications?state=all"),
        ("calendar", "/calendar"),
        ("accounts", "/accounts"),
    ):
        phone.goto(web.url + path)
        expect(phone.locator("main h1")).to_be_visible()
        screenshot(phone, f"{name}-phone")

    _assert_exactly_the_reviews(world, before, stuck, approved, edited, rejected)


def _assert_exactly_the_reviews(
    world: ReviewWorld, before: dict[str, Any], stuck: int, approved: int, edited: int, rejected: int
) -> None:
    done = changes(before, snapshot(world.url))
    assert done.removed == {}
    assert set(done.added) <= {"approvals", "publications", "moderation_records", "events"}, done.added
    assert set(done.changed) == {"drafts", "publications"}, done.changed

    drafts = done.changed["drafts"]
    assert set(drafts) == {approved, edited, rejected}
    assert drafts[approved]["state"] == ("pending_review", "approved")
    assert drafts[rejected]["state"] == ("pending_review", "rejected")
    assert drafts[edited]["text"][1] == POSTED and "state" not in drafts[edited]

    decisions = [(a["draft_id"], a["decision"], a["reviewer"]) for a in done.added["approvals"]]
    assert decisions == [(approved, "approved", "ann"), (rejected, "rejected", "ann")]
    shown = text_sha256(before["drafts"][approved]["text"])
    assert done.added["approvals"][0]["text_sha256"] == shown  # bound to the text on the page
    [record] = done.added["moderation_records"]
    assert (record["draft_id"], record["text_sha256"]) == (edited, text_sha256(POSTED))
    [queued] = done.added["publications"]
    assert (queued["draft_id"], queued["account"], queued["state"]) == (approved, "outbox", "queued")
    assert set(done.changed["publications"]) == {stuck}
    assert done.changed["publications"][stuck]["state"] == ("needs_check", "published")

    events = done.added["events"]
    assert {e["actor"] for e in events} == {"ann"}, events
    moves = {(e["entity"], e["entity_id"], e["from_state"], e["to_state"]) for e in events}
    assert moves >= {
        ("draft", approved, "pending_review", "approved"),
        ("draft", rejected, "pending_review", "rejected"),
        ("publication", queued["id"], None, "queued"),
        ("publication", stuck, "needs_check", "published"),
    }, moves
    assert {e["entity_id"] for e in events if e["entity"] == "draft"} == {approved, edited, rejected}
    assert {e["entity_id"] for e in events if e["entity"] == "publication"} == {queued["id"], stuck}
    assert any(e["entity_id"] == rejected and REASON in e["reason"] for e in events)
