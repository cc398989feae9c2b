"""The publishing loop's pacing, daily cap, backoff and template variables."""

from __future__ import annotations

import os
import random
import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.domain import PublicationState
from bot.domain.errors import BotError
from bot.domain.ports import FixedClock
from bot.services.publishing import PublishingService
from bot.wiring import Wiring
from tests.fakeplatform import FakeServer
from tests.fakeplatform.world import make_world


def test_min_interval_paces_an_account(world_factory: Any, fake: FakeServer, clock: FixedClock) -> None:
    world = world_factory(["mastodon"], account_extra='min_interval = "10m"\n')
    first = world.approve("one")[0]
    second = world.approve("two")[0]
    report = world.app.publishing.run_once()
    assert report.published == [first] and report.deferred == [second]
    paced = world.store.get_publication(second)
    assert paced.state is PublicationState.QUEUED and paced.not_before == clock.now() + timedelta(minutes=10)
    assert "paced until" in (paced.last_error or "")
    clock.advance(minutes=10)
    assert world.app.publishing.run_once().published == [second]
    assert [p["text"] for p in fake.posts("mastodon")] == ["one", "two"]


def test_daily_cap_waits_for_the_rolling_day(world_factory: Any, fake: FakeServer, clock: FixedClock) -> None:
    world = world_factory(["x"], account_extra="daily_cap = 2\n")
    pubs = [world.approve(f"post {n}")[0] for n in range(3)]
    start = clock.now()
    report = world.app.publishing.run_once()
    assert report.published == pubs[:2] and report.deferred == [pubs[2]]
    assert world.store.get_publication(pubs[2]).not_before == start + timedelta(days=1)
    clock.advance(hours=23)
    assert world.app.publishing.run_once().published == []
    clock.advance(hours=1)
    assert world.app.publishing.run_once().published == [pubs[2]]
    assert len(fake.posts("x")) == 3


def test_backoff_is_exponential_with_jitter_and_honours_retry_after(world_factory: Any) -> None:
    world = world_factory(["mastodon"])
    service = PublishingService(
        world.settings, world.store, world.app.publisher, world.app.clock, "w", rng=random.Random(7)
    )
    # backoff_base 1s, backoff_max 10s in the test config
    for attempts, ceiling in [(1, 1), (2, 2), (3, 4), (4, 8), (5, 10), (9, 10)]:
        delays = {service.backoff(attempts).total_seconds() for _ in range(20)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays) and len(delays) > 1
    assert service.backoff(1, retry_after=120).total_seconds() == 120


def test_template_variables_match_the_brief_names(world_factory: Any) -> None:
    world = world_factory(["reddit"])
    values = world.app.publishing.template_variables("promo")
    assert values["brand"] == "Lotus Leaf" and values["code"] == "TEA10"
    assert values["link"] == "https://lotusleaf.example/shop" and values["holiday"] == ""
    assert world.app.publishing.template_variables("gone")["campaign"] == "gone"


def test_stopping_releases_unsent_claims(world_factory: Any, fake: FakeServer) -> None:
    world = world_factory(["mastodon"])
    pubs = [world.approve(f"p{n}")[0] for n in range(3)]
    service = world.app.publishing
    sent: list[int] = []
    service.run_once(stopping=lambda: len(fake.posts("mastodon")) >= 1)
    sent = [p for p in pubs if world.store.get_publication(p).state is PublicationState.PUBLISHED]
    assert len(sent) == 1
    assert world.store.queue_sizes()["publications"] == {"published": 1, "queued": 2}


@pytest.mark.postgres
def test_two_workers_on_postgres_publish_each_post_once(
    tmp_path: Path, fake: FakeServer, pg_url: str, clock: FixedClock
) -> None:
    saved = dict(os.environ)
    apps: list[Wiring] = []  # closed even when an assertion fails: an unclosed Postgres
    # connection warns when collected, failing whichever later test runs then
    try:
        world = make_world(tmp_path / "a", fake.url, ["x", "mastodon"], database_url=pg_url, clock=clock)
        apps.append(world.app)
        pubs = [p for n in range(30) for p in world.approve(f"shared post {n}")]
        other = Wiring(world.settings, clock=clock)
        apps.append(other)
        fake.state.latency = 0.02  # long enough that both workers are at it together
        reports: list[Any] = []
        threads = [
            threading.Thread(target=lambda app=app: reports.append(app.publishing.run_once()))
            for app in (world.app, other)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        published = [p for r in reports for p in r.published]
        assert sorted(published) == sorted(pubs)
        assert all(r.published for r in reports)  # both did some of the work
        texts = Counter((p["platform"], p["text"]) for p in fake.posts())
        assert len(texts) == 60 and set(texts.values()) == {1}
    finally:
        for app in apps:
            app.close()
        os.environ.clear()
        os.environ.update(saved)


def test_check_does_not_claim_a_post_recorded_for_another_draft(world_factory: Any, fake: FakeServer) -> None:
    world = world_factory(["bluesky"])
    [first] = world.approve("same words")
    world.app.publishing.run_once()
    [second] = world.approve("same words")
    fake.fault("bluesky.post", drop="before")
    world.app.publishing.run_once()
    assert world.store.get_publication(second).state is PublicationState.NEEDS_CHECK
    outcome = world.app.publishing.check(second, "tester")
    assert not outcome.found and f"already recorded for publication {first}" in outcome.message
    assert world.store.get_publication(second).state is PublicationState.NEEDS_CHECK


def test_fixed_secret_file_works_after_resume(world_factory: Any, fake: FakeServer, tmp_path: Path) -> None:
    secrets_file = tmp_path / "masto.env"
    secrets_file.write_text("access_token=revoked\n", encoding="utf-8")
    world = world_factory(["mastodon"], account_extra=f'secrets_file = "{secrets_file}"\n')
    del os.environ["BOT_TEA_MASTO_ACCESS_TOKEN"]
    [pub_id] = world.approve("after the fix")
    world.app.publishing.run_once()
    assert "tea-masto" in world.store.paused_accounts()
    secrets_file.write_text("access_token=tok-m\n", encoding="utf-8")  # the operator fixes it
    world.store.resume_account("tea-masto", world.app.clock.now(), "operator")
    world.app.publishing.run_once()
    assert world.store.get_publication(pub_id).state is PublicationState.PUBLISHED


def test_a_person_checking_before_the_settle_time_looks_anyway(
    world_factory: Any, fake: FakeServer, clock: FixedClock
) -> None:
    """Before ``settle``: a post found is published at once; one not found stays needs_check
    with a message saying when absence can be proven, and the look is recorded (not a no-op)."""
    publishing = 'max_attempts = 3\nbackoff_base = "1s"\nlease = "30s"\nsettle = "60s"\n'
    world = world_factory(["x", "bluesky"], publishing=publishing)
    x_pub, bsky_pub = world.approve("look anyway")
    fake.fault("x.tweet", drop="before")  # never stored
    fake.fault("bluesky.post", drop="after")  # stored, the answer lost
    world.app.publishing.run_once()
    found = world.app.publishing.check(bsky_pub, "alice")
    assert found.found and found.publication.state is PublicationState.PUBLISHED
    missing = world.app.publishing.check(x_pub, "alice")
    pub = world.store.get_publication(x_pub)
    assert not missing.found and pub.state is PublicationState.NEEDS_CHECK
    settled = (pub.first_sent_at or clock.now()) + timedelta(seconds=60)
    assert f"proven absent only after {settled:%Y-%m-%d %H:%M:%S} UTC (in 60 s)" in missing.message
    assert pub.check_tries == 0 and pub.check_at == settled  # the daemon's schedule is untouched
    (event,) = [e for e in world.store.events(entity="publication", limit=50) if e.actor == "alice"][-1:]
    assert "checked by alice before the send settled: not found yet" in (event.reason or "")
    assert fake.posts("x") == []  # never re-sent


def test_reconciliation_waits_for_the_settle_delay_then_hands_over_after_its_tries(
    world_factory: Any, fake: FakeServer, clock: FixedClock
) -> None:
    publishing = (
        'max_attempts = 3\nbackoff_base = "1s"\nlease = "30s"\nsettle = "60s"\n'
        'check_tries = 2\ncheck_backoff = "10s"\n'
    )
    world = world_factory(["x", "bluesky"], publishing=publishing)
    x_pub, bsky_pub = world.approve("settle first")
    fake.fault("x.tweet", drop="before")
    fake.fault("bluesky.post", drop="after")
    world.app.publishing.run_once()
    assert {world.store.get_publication(p).state for p in (x_pub, bsky_pub)} == {PublicationState.NEEDS_CHECK}
    outcome = world.app.publishing.check(x_pub, "alice")  # a person, too early: not found proves nothing
    assert "not found on tea-x yet" in outcome.message and "proven absent only after" in outcome.message
    assert outcome.publication.state is PublicationState.NEEDS_CHECK
    report = world.app.publishing.run_once()
    assert report.checks.found == [] and report.checks.requeued == []  # not settled yet
    clock.advance(seconds=61)
    for _ in range(12):  # Bluesky's listing fails: unknown, tried twice, then a person decides
        fake.fault("bluesky.records", status=500, body={"error": "down"})
    report = world.app.publishing.run_once()
    assert report.checks.requeued == [x_pub] and report.checks.unresolved == [bsky_pub]
    assert world.store.get_publication(x_pub).state is PublicationState.PUBLISHED
    pub = world.store.get_publication(bsky_pub)
    assert pub.check_tries == 1 and pub.check_at == clock.now() + timedelta(seconds=10)
    clock.advance(seconds=11)
    report = world.app.publishing.run_once()
    assert report.checks.to_person == [bsky_pub]
    pub = world.store.get_publication(bsky_pub)
    assert pub.state is PublicationState.NEEDS_CHECK and pub.check_at is None
    assert "a person decides" in (pub.last_error or "")
    fake.state.faults.clear()
    outcome = world.app.publishing.check(bsky_pub, "alice")
    assert outcome.found and outcome.publication.state is PublicationState.PUBLISHED
    assert [p["text"] for p in fake.posts("bluesky")] == ["settle first"]


THREAD_OPS = {"x": "x.tweet", "mastodon": "mastodon.status", "bluesky": "bluesky.post"}


@pytest.mark.parametrize("platform", sorted(THREAD_OPS))
def test_a_thread_broken_after_its_first_part_is_partial_never_published_nor_resent(
    world_factory: Any, fake: FakeServer, clock: FixedClock, platform: str
) -> None:
    world = world_factory([platform])
    [pub_id] = world.approve("Part one of the news\n---\nPart two\n---\nPart three")
    fake.fault(THREAD_OPS[platform], drop="before", after=1)  # the second part never arrives
    report = world.app.publishing.run_once()
    pub = world.store.get_publication(pub_id)
    assert report.partial == [pub_id] and pub.state is PublicationState.PARTIAL, pub.last_error
    [first] = fake.posts(platform)
    assert first["text"] == "Part one of the news" and pub.remote_id
    assert "broken thread" in (pub.last_error or "") and "stopped after 1 of 3" in (pub.last_error or "")
    clock.advance(seconds=3600)
    world.app.publishing.run_once()  # neither sent again nor "found" as published
    assert world.store.get_publication(pub_id).state is PublicationState.PARTIAL
    assert len(fake.posts(platform)) == 1
    with pytest.raises(BotError, match="broken thread"):
        world.app.publishing.retry(pub_id, "alice")
    assert (
        world.app.publishing.cancel(pub_id, "alice", "finished by hand").state is PublicationState.CANCELLED
    )


@pytest.mark.parametrize("platform", sorted(THREAD_OPS))
def test_a_thread_whose_first_part_answer_was_lost_is_partial_when_checked(
    world_factory: Any, fake: FakeServer, clock: FixedClock, platform: str
) -> None:
    """The first part was stored but its answer lost: the adapter stops (unknown outcome), so
    the other parts never went out. A check finds the first part: that is not the thread."""
    world = world_factory([platform])
    [pub_id] = world.approve("Part one of the news\n---\nPart two\n---\nPart three")
    fake.fault(THREAD_OPS[platform], drop="after")
    world.app.publishing.run_once()
    assert world.store.get_publication(pub_id).state is PublicationState.NEEDS_CHECK
    clock.advance(seconds=3600)
    world.app.publishing.run_once()
    pub = world.store.get_publication(pub_id)
    assert pub.state is PublicationState.PARTIAL, pub.last_error
    assert "found the first of 3 parts" in (pub.last_error or "") and pub.remote_id
    assert [p["text"] for p in fake.posts(platform)] == ["Part one of the news"]
