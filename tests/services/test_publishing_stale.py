"""An approved post is never sent after its draft's expiry (hostile pass, finding 1): a post
that waited for a paused account, a daily cap or a check is failed as stale when the daemon
claims it, with an event saying why; ``retry`` explains and only ``--force`` sends it late.
Real services over real SQLite and Postgres, the fake platform, an injected clock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.domain import PublicationState
from bot.domain.errors import BotError
from bot.domain.ports import FixedClock
from bot.services.review import paused_warnings
from tests.fakeplatform import FakeServer

_P = PublicationState
TEXT = "Tune-up for $45 at Lotus Leaf. This Saturday and Sunday only!"


def _by_account(world: Any, pubs: list[int]) -> dict[str, int]:
    return {world.store.get_publication(p).account: p for p in pubs}


def _stale_x(world_factory: Any, clock: FixedClock, db_url: str) -> tuple[Any, int, int]:
    """X paused (missing keys) when a weekend offer is approved for X and Mastodon: Mastodon's
    goes out, X's waits; ten days later X is resumed and the daemon claims it."""
    world = world_factory(["x", "mastodon"], database_url=db_url)
    world.store.pause_account("tea-x", "X rejected the keys", clock.now(), "daemon")
    pubs = _by_account(world, world.approve(TEXT, expires_at=clock.now() + timedelta(hours=48)))
    report = world.app.publishing.run_once()
    assert report.published == [pubs["tea-masto"]]
    assert world.store.get_publication(pubs["tea-x"]).state is _P.QUEUED
    clock.advance(days=10)
    world.store.resume_account("tea-x", clock.now(), "operator")
    return world, pubs["tea-x"], world.store.get_publication(pubs["tea-x"]).draft_id


def test_a_post_claimed_after_its_drafts_expiry_is_failed_not_sent(
    world_factory: Any, fake: FakeServer, clock: FixedClock, db_url: str
) -> None:
    world, x_pub, draft_id = _stale_x(world_factory, clock, db_url)
    report = world.app.publishing.run_once()
    assert report.failed == [x_pub] and report.stale == [x_pub] and report.published == []
    assert fake.posts("x") == []
    pub = world.store.get_publication(x_pub)
    assert pub.state is _P.FAILED and pub.first_sent_at is None and pub.attempts == 0
    expired = (clock.now() - timedelta(days=8)).strftime("%Y-%m-%d %H:%M")
    reason = pub.last_error or ""
    assert reason.startswith(f"stale, not sent: its draft {draft_id} expired at {expired} UTC")
    assert f"`bot publications retry {x_pub} --force`" in reason and "`bot campaigns fire promo`" in reason
    last = world.store.events(entity="publication", entity_id=x_pub)[-1]
    assert (last.from_state, last.to_state, last.reason) == ("claimed", "failed", reason)
    assert last.actor == world.app.worker
    # the listing a person reads shows it as failed, with the reason
    [listed] = world.store.list_publications(states=[_P.FAILED])
    assert listed.id == x_pub and (listed.last_error or "").startswith("stale, not sent")


def test_the_expiry_instant_itself_is_too_late_a_second_before_is_not(
    world_factory: Any, fake: FakeServer, clock: FixedClock, db_url: str
) -> None:
    world = world_factory(["mastodon"], database_url=db_url)
    [late] = world.approve("late", expires_at=clock.now() + timedelta(seconds=1))
    [in_time] = world.approve("in time", expires_at=clock.now() + timedelta(seconds=2))
    clock.advance(seconds=1)
    report = world.app.publishing.run_once()
    assert report.stale == [late] and report.published == [in_time]
    assert [p["text"] for p in fake.posts("mastodon")] == ["in time"]


def test_a_post_held_by_the_daily_cap_past_its_expiry_is_not_sent_a_day_late(
    world_factory: Any, fake: FakeServer, clock: FixedClock, db_url: str
) -> None:
    world = world_factory(["x"], account_extra="daily_cap = 1\n", database_url=db_url)
    expires = clock.now() + timedelta(hours=6)
    first, second = world.approve("one", expires_at=expires)[0], world.approve("two", expires_at=expires)[0]
    report = world.app.publishing.run_once()
    assert report.published == [first] and report.deferred == [second]
    clock.advance(days=1)
    report = world.app.publishing.run_once()
    assert report.stale == [second] and [p["text"] for p in fake.posts("x")] == ["one"]


def test_a_post_proven_absent_after_its_expiry_is_not_sent_again(
    world_factory: Any, fake: FakeServer, clock: FixedClock, db_url: str
) -> None:
    """A send whose answer was lost is checked; proven absent after the expiry, it is queued
    again by the check and failed as stale at its claim, not re-sent."""
    publishing = 'max_attempts = 3\nbackoff_base = "1s"\nlease = "30s"\nsettle = "60s"\n'
    world = world_factory(["x"], publishing=publishing, database_url=db_url)
    [pub_id] = world.approve("gone by then", expires_at=clock.now() + timedelta(seconds=30))
    fake.fault("x.tweet", drop="before")  # never stored, the answer lost
    world.app.publishing.run_once()
    assert world.store.get_publication(pub_id).state is _P.NEEDS_CHECK
    clock.advance(seconds=61)
    report = world.app.publishing.run_once()
    assert report.checks.requeued == [pub_id] and report.stale == [pub_id]
    assert world.store.get_publication(pub_id).state is _P.FAILED and fake.posts("x") == []


def test_retry_of_a_stale_post_explains_and_force_sends_it_late(
    world_factory: Any, fake: FakeServer, clock: FixedClock, db_url: str
) -> None:
    world, x_pub, draft_id = _stale_x(world_factory, clock, db_url)
    world.app.publishing.run_once()
    publishing = world.app.publishing
    with pytest.raises(BotError) as info:
        publishing.retry(x_pub, "ann")
    message = str(info.value)
    assert message.startswith(f"publication {x_pub} is stale: its draft {draft_id} expired at ")
    assert f"`bot publications retry {x_pub} --force`" in message and "`bot campaigns fire promo`" in message
    assert world.store.get_publication(x_pub).state is _P.FAILED
    assert not world.store.late_send_allowed(x_pub)

    moved = publishing.retry(x_pub, "ann", force=True)
    assert moved.state is _P.QUEUED and world.store.late_send_allowed(x_pub)
    last = world.store.events(entity="publication", entity_id=x_pub)[-1]
    assert last.actor == "ann" and last.details == {"send_late": True}
    assert "sent although its draft expired (--force)" in last.reason
    # a transient error on the way: the late send the person asked for survives the backoff
    fake.fault("x.tweet", status=429, headers={"x-rate-limit-reset": "0"})  # nothing is out
    report = publishing.run_once()
    assert report.retrying == [x_pub] and report.stale == []
    clock.advance(minutes=5)
    report = publishing.run_once()
    assert report.published == [x_pub]
    assert [p["text"] for p in fake.posts("x")] == [TEXT]


def test_a_retry_before_the_expiry_needs_no_force_and_allows_nothing_late(
    world_factory: Any, fake: FakeServer, clock: FixedClock, db_url: str
) -> None:
    world = world_factory(["mastodon"], database_url=db_url)
    [pub_id] = world.approve("rejected once", expires_at=clock.now() + timedelta(hours=1))
    fake.fault("mastodon.status", status=422, body={"error": "Validation failed: nope"})
    world.app.publishing.run_once()
    assert world.app.publishing.retry(pub_id, "ann").state is _P.QUEUED
    assert not world.store.late_send_allowed(pub_id)
    clock.advance(hours=2)  # queued again, but not sent before its expiry: still stale
    assert world.app.publishing.run_once().stale == [pub_id]


def test_paused_warnings_name_the_account_how_to_resume_and_the_deadline(
    world_factory: Any, clock: FixedClock
) -> None:
    world = world_factory(["x", "mastodon"])
    world.store.pause_account("tea-x", "X rejected the keys", clock.now(), "daemon")
    expires = clock.now() + timedelta(hours=48)
    pubs = [world.store.get_publication(p) for p in world.approve("hi", expires_at=expires)]
    [line] = paused_warnings(pubs, world.store.paused_accounts(), expires)
    assert line.startswith("account tea-x is paused (X rejected the keys): its post waits")
    assert "`bot accounts resume tea-x`" in line and "`bot accounts check tea-x`" in line
    assert f"not resumed by {expires:%Y-%m-%d %H:%M} UTC (when the draft expires)" in line
    assert paused_warnings(pubs, {}, expires) == []
