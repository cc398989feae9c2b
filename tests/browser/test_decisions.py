"""Harder decisions in Debian's chromium against `bot web` on loopback: a flagged draft needs an
admin and a reason; two reviewers acting on one draft from two browsers get one winner, and the
other is told why; a wrong password is refused on the page."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.browser import PHONE, log_in, message, screenshot
from tests.browser.server import WebServer
from tests.browser.world import ReviewWorld, changes, snapshot
from tests.conftest import run_cli

TOXIC = "You absolute idiot, buy our tea at Lotus Leaf."
WHY = "quoting a customer's review, with their permission"


def test_a_flagged_draft_needs_an_admin_and_a_reason(
    world: ReviewWorld, web: WebServer, open_page: Callable[..., Page]
) -> None:
    draft = world.fire("greeting", 1)[0]
    world.app.review.edit(draft, "root", TOXIC)  # the gate flags the new text
    assert world.app.store.get_draft(draft).state.value == "flagged"
    before = snapshot(world.url)

    ann = open_page()
    log_in(ann, web.url, "ann")
    expect(ann.locator(f"#draft-{draft}")).to_have_class("draft-row flagged")
    ann.locator(f"#draft-{draft} a").click()
    expect(ann.locator("#draft-state")).to_have_text("FLAGGED")
    expect(ann.locator("#approve")).to_have_count(0)
    expect(ann.locator("#override")).to_have_count(0)
    expect(ann.get_by_text("Only an admin can approve this draft as it is.")).to_be_visible()

    root = open_page(PHONE)
    log_in(root, web.url, "root")
    root.goto(f"{web.url}/drafts/{draft}")
    screenshot(root, "draft-flagged-admin-phone")
    root.locator("#override-reason").fill(WHY)
    root.locator("#override").click()
    expect(message(root)).to_contain_text(f"Draft {draft} approved by override")
    expect(root.locator("#draft-state")).to_have_text("approved")
    expect(root.locator("#history")).to_contain_text(WHY)

    done = changes(before, snapshot(world.url))
    assert set(done.changed) == {"drafts"} and set(done.changed["drafts"]) == {draft}
    [approval] = done.added["approvals"]
    assert (approval["decision"], approval["reviewer"], approval["note"]) == ("overridden", "root", WHY)
    assert {e["actor"] for e in done.added["events"]} == {"root"}


def test_two_reviewers_on_one_draft_one_wins_and_the_other_sees_why(
    world: ReviewWorld, web: WebServer, open_page: Callable[..., Page]
) -> None:
    draft = world.fire("greeting", 1)[0]
    ann, root = open_page(), open_page()
    log_in(ann, web.url, "ann")
    log_in(root, web.url, "root")
    for page in (ann, root):  # both read the draft while it waits
        page.goto(f"{web.url}/drafts/{draft}")
        expect(page.locator("#draft-state")).to_have_text("pending review")

    ann.locator("#approve").click()
    expect(ann.locator("#draft-state")).to_have_text("approved")
    root.locator("#reject-reason").fill("not our tone")
    root.locator("#reject").click()
    expect(root.locator("#error")).to_contain_text("was approved by ann")
    expect(root.locator("#error")).to_contain_text("while you had it open: nothing was changed")
    expect(root.locator("#draft-state")).to_have_text("approved")  # the page shows it as it is now
    screenshot(root, "draft-conflict-desktop")

    approvals = world.app.store.approvals(draft)
    assert [(a.decision.value, a.reviewer) for a in approvals] == [("approved", "ann")]
    assert world.app.store.get_draft(draft).state.value == "approved"


def test_a_wrong_password_is_refused_on_the_page(web: WebServer, open_page: Callable[..., Page]) -> None:
    page = open_page(PHONE)
    page.goto(f"{web.url}/drafts/1")
    page.get_by_label("Name").fill("ann")
    page.get_by_label("Password").fill("not-her-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#error")).to_have_text("Wrong name or password.")
    expect(page.get_by_label("Name")).to_have_value("ann")
    expect(page.locator("#nav-queue")).to_have_count(0)
    screenshot(page, "login-refused-phone")


def test_regenerate_waits_for_the_daemon_and_then_links_the_new_drafts(
    world: ReviewWorld, web: WebServer, open_page: Callable[..., Page]
) -> None:
    draft = world.fire("promo", 1)[0]
    page = open_page(PHONE)
    log_in(page, web.url, "ann")
    page.goto(f"{web.url}/drafts/{draft}")
    page.locator("#regenerate").click()
    expect(page.locator("#request-pending")).to_contain_text("waiting for the daemon")
    expect(page.locator("#regenerate")).to_have_count(0)  # asked once is enough
    screenshot(page, "draft-regenerate-pending-phone")

    last = max(d.id for d in world.app.store.list_drafts())
    done = run_cli("run", "--once", config=world.config, env=world.env)  # one pass of the daemon
    assert done.returncode == 0, done.stderr
    page.reload()
    expect(page.locator("#request-pending")).to_have_count(0)
    expect(page.locator("#draft-state")).to_have_text("rejected")
    new = [d.id for d in world.app.store.list_drafts(after=last)]
    assert new, world.app.store.list_drafts()
    for draft_id in new:  # linked by the request's result (and as the slot's alternatives)
        expect(page.locator(f'p.request a[href="/drafts/{draft_id}"]')).to_be_visible()
        expect(page.locator(f'#alternative-{draft_id} a[href="/drafts/{draft_id}"]')).to_be_visible()
