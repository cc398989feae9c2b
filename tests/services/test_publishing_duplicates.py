"""A post the platform refuses as a duplicate, and the hand tools around a post that is out.

X answers 403 "duplicate content" (Reddit ALREADY_SUB) when the same text is already on the
account. That post is this publication's only when a search from its send stamp finds it and
no other publication has it: a second draft with the same words as one published earlier fails,
naming the publication that has the post, and nothing is recorded twice (the hostile pass's
finding 6). ``retry --force`` looks before it queues, and ``check`` records the post of a
failed send that was stored after all (finding 5). Against the fake platform server, on SQLite
and Postgres.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest

from bot.domain import PublicationState
from bot.domain.errors import BotError, StateConflict
from bot.domain.ports import FixedClock
from bot.wiring import Wiring
from tests.fakeplatform import FakeServer

_P = PublicationState


def test_an_x_post_with_the_text_of_another_publication_fails_naming_it(
    world_factory: Any, fake: FakeServer, db_url: str
) -> None:
    world = world_factory(["x"], database_url=db_url)
    [first] = world.approve("Sourdough £4.50 this Saturday")
    assert world.app.publishing.run_once().published == [first]
    remote = world.store.get_publication(first).remote_id
    [second] = world.approve("Sourdough £4.50 this Saturday")  # another draft, the same words
    report = world.app.publishing.run_once()
    assert report.failed == [second] and report.published == []
    pub = world.store.get_publication(second)
    assert pub.state is _P.FAILED and pub.remote_id is None
    reason = pub.last_error or ""
    assert f"already on tea-x as {remote}, for publication {first}" in reason, reason
    assert "X does not take the same text twice" in reason
    assert f"bot publications cancel {second}" in reason
    assert len(fake.posts("x")) == 1  # nothing went out, nothing is recorded twice
    assert [p.id for p in world.store.list_publications(states=[_P.PUBLISHED])] == [first]


def test_a_duplicate_older_than_the_send_stamp_is_named_too(
    world_factory: Any, fake: FakeServer, clock: FixedClock, db_url: str
) -> None:
    """The earlier post is from before this publication's first send (outside the stamp's
    window): not this one's; a wider look says whose it is."""
    world = world_factory(["x"], database_url=db_url)
    [first] = world.approve("Mince pies, last batch today")
    world.app.publishing.run_once()
    clock.advance(hours=2)
    [second] = world.approve("Mince pies, last batch today")
    assert world.app.publishing.run_once().failed == [second]
    reason = world.store.get_publication(second).last_error or ""
    assert f"for publication {first}" in reason, reason
    assert len(fake.posts("x")) == 1


@pytest.mark.parametrize("platform", ["x", "reddit"])
def test_a_refused_duplicate_that_is_this_publications_own_send_is_published(
    world_factory: Any, fake: FakeServer, platform: str
) -> None:
    """An earlier send was stored although its answer was lost, and (a listing lagging) it went
    back to the queue: the next send is refused as a duplicate, and the post found since the
    send stamp, no other publication's, is this one's."""
    extra = 'post_kind = "link"\n' if platform == "reddit" else ""
    world = world_factory([platform], account_extra=extra)
    [pub_id] = world.approve("New menu https://lotusleaf.example/menu")
    op = {"x": "x.tweet", "reddit": "reddit.submit"}[platform]
    fake.fault(op, drop="after")  # stored, the answer lost
    world.app.publishing.run_once()
    assert world.store.get_publication(pub_id).state is _P.NEEDS_CHECK
    world.store.move_publication(  # as a check fooled by a lagging listing would
        pub_id, [_P.NEEDS_CHECK], _P.QUEUED, now=world.app.clock.now(), actor="test", reason="lagging"
    )
    assert world.app.publishing.run_once().published == [pub_id]
    [posted] = fake.posts(platform)
    assert world.store.get_publication(pub_id).remote_id == posted["id"]


def test_a_refused_thread_whose_first_part_is_its_own_send_is_partial(
    world_factory: Any, fake: FakeServer
) -> None:
    """As above with a thread: the refused first part is this publication's earlier send, but
    whether the other parts went out is not known: ``partial``, saying so (the same words as a
    check of a failed thread), never sent again."""
    world = world_factory(["x"])
    [pub_id] = world.approve("Harvest news, part one\n---\nPart two\n---\nPart three")
    fake.fault("x.tweet", drop="after")  # the first part stored, its answer lost
    world.app.publishing.run_once()
    assert world.store.get_publication(pub_id).state is _P.NEEDS_CHECK
    world.store.move_publication(  # as a check fooled by a lagging listing would
        pub_id, [_P.NEEDS_CHECK], _P.QUEUED, now=world.app.clock.now(), actor="test", reason="lagging"
    )
    assert world.app.publishing.run_once().partial == [pub_id]
    [posted] = fake.posts("x")
    pub = world.store.get_publication(pub_id)
    assert pub.state is _P.PARTIAL and pub.remote_id == posted["id"]
    reason = pub.last_error or ""
    assert reason.startswith("X does not take the same text twice") or "duplicate" in reason, reason
    assert (
        f"found the first of 3 parts on tea-x as {posted['id']} (an earlier attempt); whether the others"
        in reason
    )
    assert (
        "post what is missing by hand and cancel this, or delete the posted parts and retry --force" in reason
    )


def test_reddit_already_sub_of_another_publication_fails(world_factory: Any, fake: FakeServer) -> None:
    world = world_factory(["reddit"], account_extra='post_kind = "link"\n')
    [first] = world.approve("New menu https://lotusleaf.example/menu")
    world.app.publishing.run_once()
    [second] = world.approve("New menu https://lotusleaf.example/menu")
    assert world.app.publishing.run_once().failed == [second]
    assert f"for publication {first}" in (world.store.get_publication(second).last_error or "")
    assert len(fake.posts("reddit")) == 1


def _stored_then_refused(world: Any, fake: FakeServer, text: str) -> int:
    """A Mastodon publication whose post was stored, then answered 422: failed."""
    [pub_id] = world.approve(text)
    fake.fault("mastodon.status", status=422, body={"error": "Validation failed"}, stored=True)
    world.app.publishing.run_once()
    assert world.store.get_publication(pub_id).state is _P.FAILED
    assert len(fake.posts("mastodon")) == 1
    return pub_id


def _delete_ours(fake: FakeServer) -> None:
    """The bot's posts deleted on the account (its older history stays: absence is provable)."""
    with fake.state.lock:
        fake.state.posts[:] = [p for p in fake.state.posts if p.get("history") or p.get("noise")]


def test_retry_force_looks_first_and_check_records_the_found_post(
    world_factory: Any, fake: FakeServer, db_url: str
) -> None:
    world = world_factory(["mastodon"], database_url=db_url)
    pub_id = _stored_then_refused(world, fake, "We're moving to Harbour Street!")
    [posted] = fake.posts("mastodon")
    for force in (False, True):
        with pytest.raises(BotError, match=f"found as {posted['id']} just now") as refused:
            world.app.publishing.retry(pub_id, "ollie", force=force)
        assert f"bot publications check {pub_id}" in str(refused.value)
    world.app.publishing.run_once()
    assert world.store.get_publication(pub_id).state is _P.FAILED
    outcome = world.app.publishing.check(pub_id, "ollie")
    assert outcome.found and f"found on tea-masto as {posted['id']}: marked published" in outcome.message
    pub = world.store.get_publication(pub_id)
    assert pub.state is _P.PUBLISHED and pub.remote_id == posted["id"] and pub.last_error is None
    events = world.store.events(entity="publication", entity_id=pub_id)
    assert (events[-1].from_state, events[-1].to_state, events[-1].actor) == ("failed", "published", "ollie")
    assert len(fake.posts("mastodon")) == 1  # never posted twice


def test_retry_force_goes_once_the_post_was_removed(world_factory: Any, fake: FakeServer) -> None:
    world = world_factory(["mastodon"])
    pub_id = _stored_then_refused(world, fake, "Closed on the 25th and 26th")
    _delete_ours(fake)  # the owner deleted the post on the account
    assert world.app.publishing.retry(pub_id, "ollie", force=True).state is _P.QUEUED
    assert world.app.publishing.run_once().published == [pub_id]
    assert len(fake.posts("mastodon")) == 1


def test_retry_force_of_a_needs_check_post_that_is_out_refuses(world_factory: Any, fake: FakeServer) -> None:
    world = world_factory(["bluesky"])
    [pub_id] = world.approve("Galette des rois, January only")
    fake.fault("bluesky.post", drop="after")
    world.app.publishing.run_once()
    assert world.store.get_publication(pub_id).state is _P.NEEDS_CHECK
    with pytest.raises(BotError, match="not queued again: that would post it twice"):
        world.app.publishing.retry(pub_id, "ollie", force=True)
    assert world.app.publishing.check(pub_id, "ollie").found
    assert len(fake.posts("bluesky")) == 1


def test_check_of_a_failed_publication_never_sent_says_retry(
    world_factory: Any, fake: FakeServer, clock: FixedClock
) -> None:
    world = world_factory(["mastodon"])
    pub_id = _stored_then_refused(world, fake, "Carols at the shop")
    _delete_ours(fake)
    outcome = world.app.publishing.check(pub_id, "ollie")
    assert not outcome.found and f"still failed: `bot publications retry {pub_id}`" in outcome.message
    assert world.store.get_publication(pub_id).state is _P.FAILED
    [other] = world.approve("Never sent")
    world.store.move_publication(
        other, [_P.QUEUED], _P.FAILED, now=clock.now(), actor="test", reason="account removed"
    )
    with pytest.raises(StateConflict, match="failed before it was sent"):
        world.app.publishing.check(other, "ollie")
    assert fake.posts("mastodon") == []


def test_cancel_of_a_failed_publication_that_is_out_refuses(
    world_factory: Any, fake: FakeServer, db_url: str
) -> None:
    """A failed send whose post was stored after all is looked for before a cancel, as before a
    retry: while it is there the cancel is refused (pointing to `check`), a search that cannot
    tell refuses too, ``even_if_posted`` cancels without looking; gone from the account, a
    plain cancel goes."""
    world = world_factory(["mastodon"], database_url=db_url)
    pub_id = _stored_then_refused(world, fake, "Tasting evening on Friday")
    [posted] = fake.posts("mastodon")
    with pytest.raises(
        BotError, match=f"on tea-masto after all \\(found as {posted['id']} just now"
    ) as refused:
        world.app.publishing.cancel(pub_id, "ollie", "typo")
    said = str(refused.value)
    assert f"`bot publications check {pub_id}` records it as published" in said, said
    assert f"bot publications cancel {pub_id} --even-if-posted" in said, said
    assert world.store.get_publication(pub_id).state is _P.FAILED
    fake.fault("mastodon.statuses", status=403, body={"error": "This action is not allowed"})
    with pytest.raises(BotError, match="cannot be told now") as unknown:
        world.app.publishing.cancel(pub_id, "ollie")
    assert "--even-if-posted" in str(unknown.value) and "not cancelled" in str(unknown.value)
    assert world.store.get_publication(pub_id).state is _P.FAILED
    searches = fake.requests_for("mastodon.statuses")
    pub = world.app.publishing.cancel(pub_id, "ollie", "typo", even_if_posted=True)
    assert pub.state is _P.CANCELLED and fake.requests_for("mastodon.statuses") == searches  # no look
    last = world.store.events(entity="publication", entity_id=pub_id)[-1]
    assert last.to_state == "cancelled" and "--even-if-posted" in last.reason, last.reason
    # gone from the account: a plain cancel goes (after looking)
    _delete_ours(fake)
    other = _stored_then_refused(world, fake, "Tasting evening moved to Saturday")
    _delete_ours(fake)
    assert world.app.publishing.cancel(other, "ollie").state is _P.CANCELLED
    assert fake.requests_for("mastodon.statuses") > searches


def test_cancel_of_a_failed_publication_never_sent_does_not_look(
    world_factory: Any, fake: FakeServer
) -> None:
    world = world_factory(["mastodon"])
    [pub_id] = world.approve("Rejected before sending")
    world.store.claim_publications("w1", world.app.clock.now(), world.settings.publishing.lease)
    world.store.finish_publication(pub_id, "w1", _P.FAILED, now=world.app.clock.now(), reason="refused")
    assert world.store.get_publication(pub_id).first_sent_at is None
    fake.fault("mastodon.statuses", status=503)  # a search would be unknown: none is made
    assert world.app.publishing.cancel(pub_id, "ollie").state is _P.CANCELLED
    assert fake.requests_for("mastodon.statuses") == 0


def test_the_duplicate_searches_keep_the_claim_from_another_worker(
    world_factory: Any, fake: FakeServer, clock: FixedClock, db_url: str
) -> None:
    """X refuses a copy of an older post: the worker searches the account twice (since the send
    stamp, then a day back), each search as long as ``check_time`` allows. Here each one takes
    100 s of the worker's clock, 200 s in all, past the lease of the send: the claim is
    renewed before each search, so a second worker's pass meanwhile neither recovers it (as
    ``needs_check``) nor claims it, and the first worker records the outcome."""
    world = world_factory(["x"], database_url=db_url, timeout="10s")  # slow answers, no timeouts
    assert world.settings.publishing.lease < timedelta(seconds=200)  # the send's own lease
    [first] = world.approve("Oolong tasting, Sunday 3pm")
    world.app.publishing.run_once()
    clock.advance(hours=2)
    [second] = world.approve("Oolong tasting, Sunday 3pm")
    searches = fake.requests_for("x.timeline")
    fake.fault("x.timeline", delay=2.0)  # the search since the send stamp
    fake.fault("x.timeline", delay=6.0)  # the search a day back
    reports: list[Any] = []
    worker = threading.Thread(target=lambda: reports.append(world.app.publishing.run_once()))
    worker.start()
    other = Wiring(world.settings, clock=clock, worker="w2")
    try:
        assert _wait(lambda: fake.requests_for("x.timeline") >= searches + 1)
        clock.advance(seconds=100)
        assert _wait(lambda: fake.requests_for("x.timeline") >= searches + 2)
        clock.advance(seconds=100)  # 200 s after the send: its own lease ended long ago
        meanwhile = other.publishing.run_once()
        assert meanwhile.recovered == [] and meanwhile.published == [] and meanwhile.failed == []
        held = world.store.get_publication(second)
        assert held.state is _P.CLAIMED and held.claimed_by == world.app.worker, held
        assert held.claimed_until is not None and held.claimed_until > clock.now()
    finally:
        worker.join(60)
        other.close()
    assert not worker.is_alive()
    [report] = reports
    assert report.failed == [second], report
    pub = world.store.get_publication(second)
    assert pub.state is _P.FAILED and f"for publication {first}" in (pub.last_error or "")
    actors = [e.actor for e in world.store.events(entity="publication", entity_id=second)]
    assert "w2" not in actors, actors
    assert len(fake.posts("x")) == 1


def _wait(check: Any, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return bool(check())


def test_cancel_of_a_needs_check_publication_that_is_out_refuses(
    world_factory: Any, fake: FakeServer
) -> None:
    """A send whose outcome is unknown (the answer was lost after the post was stored) is looked
    for before a cancel: a live post is never recorded as cancelled (hostile pass: `check` then
    refused to correct it)."""
    world = world_factory(["bluesky"])
    [pub_id] = world.approve("Galette des rois, January only")
    fake.fault("bluesky.post", drop="after")
    world.app.publishing.run_once()
    assert world.store.get_publication(pub_id).state is _P.NEEDS_CHECK
    with pytest.raises(BotError, match="its send's outcome was unknown\\); not cancelled") as refused:
        world.app.publishing.cancel(pub_id, "ollie", "not wanted")
    assert f"`bot publications check {pub_id}` records it as published" in str(refused.value)
    assert world.store.get_publication(pub_id).state is _P.NEEDS_CHECK
    assert world.app.publishing.check(pub_id, "ollie").found
    assert world.store.get_publication(pub_id).state is _P.PUBLISHED
