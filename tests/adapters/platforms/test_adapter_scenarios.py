"""Each adapter with its real client against the fake, through the real publishing service and
store: every scenario ends in the state the never-twice protocol says."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest

from bot.domain import PublicationState
from bot.domain.ports import FixedClock
from tests.fakeplatform import FakeServer
from tests.fakeplatform.world import ACCOUNTS

PLATFORMS = ["x", "reddit", "mastodon", "bluesky"]
POST_OP = {
    "x": "x.tweet",
    "reddit": "reddit.submit",
    "mastodon": "mastodon.status",
    "bluesky": "bluesky.post",
}
TEXT = "Mid-Autumn tea tasting this Friday at Lotus Leaf https://lotusleaf.example/shop #tea"


def rate_limit_headers(platform: str, wait: int) -> dict[str, str]:
    reset = str(int(time.time()) + wait)
    return {
        "x": {"x-rate-limit-reset": reset, "x-rate-limit-remaining": "0"},
        "reddit": {"retry-after": str(wait), "x-ratelimit-reset": str(wait)},
        "mastodon": {"X-RateLimit-Reset": reset, "X-RateLimit-Remaining": "0"},
        "bluesky": {"ratelimit-reset": reset, "ratelimit-remaining": "0"},
    }[platform]


def run(world: Any) -> Any:
    return world.app.publishing.run_once()


def state(world: Any, pub_id: int) -> Any:
    return world.store.get_publication(pub_id)


def texts(fake: FakeServer, platform: str) -> list[str]:
    return [p["text"] for p in fake.posts(platform)]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_success_posts_once(world_factory: Any, fake: FakeServer, platform: str) -> None:
    world = world_factory([platform])
    [pub_id] = world.approve(TEXT)
    report = run(world)
    pub = state(world, pub_id)
    assert report.published == [pub_id]
    assert pub.state is PublicationState.PUBLISHED and pub.remote_id
    [post] = fake.posts(platform)
    expected = TEXT
    assert post["text"] == expected


@pytest.mark.parametrize("platform", PLATFORMS)
def test_429_waits_for_the_reset(
    world_factory: Any, fake: FakeServer, clock: FixedClock, platform: str
) -> None:
    world = world_factory([platform])
    [pub_id] = world.approve(TEXT)
    fake.fault(
        POST_OP[platform], status=429, headers=rate_limit_headers(platform, 120), body={"error": "slow down"}
    )
    run(world)
    pub = state(world, pub_id)
    assert pub.state is PublicationState.QUEUED
    assert pub.not_before >= clock.now() + timedelta(seconds=100)
    assert "rate limit" in (pub.last_error or "")
    assert fake.posts(platform) == []
    clock.advance(seconds=130)
    run(world)
    assert state(world, pub_id).state is PublicationState.PUBLISHED
    assert texts(fake, platform) == [TEXT]


def after_unknown(world: Any, pub_id: int, platform: str) -> None:
    """An unknown outcome waits for a check on every platform (Mastodon too: the fake ignores
    Idempotency-Key, as a server behind a header-dropping proxy would)."""
    pub = state(world, pub_id)
    assert pub.state is PublicationState.NEEDS_CHECK, pub.last_error


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("stored", [False, True])
def test_500_is_an_unknown_outcome(
    world_factory: Any, fake: FakeServer, clock: FixedClock, platform: str, stored: bool
) -> None:
    world = world_factory([platform])
    [pub_id] = world.approve(TEXT)
    fake.fault(POST_OP[platform], status=500, stored=stored, body={"error": "boom"})
    run(world)
    after_unknown(world, pub_id, platform)
    assert fake.requests_for(POST_OP[platform]) == 1  # no retry inside the client
    clock.advance(seconds=60)
    run(world)  # found if it was stored; else proven absent, queued again and sent
    assert state(world, pub_id).state is PublicationState.PUBLISHED
    assert texts(fake, platform) == [TEXT]
    assert fake.requests_for(POST_OP[platform]) == (1 if stored else 2)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_503s_give_up_after_max_attempts(
    world_factory: Any, fake: FakeServer, clock: FixedClock, platform: str
) -> None:
    world = world_factory([platform])
    [pub_id] = world.approve(TEXT)
    for _ in range(3):
        fake.fault(POST_OP[platform], status=503, body={"error": "down"})
    for _ in range(4):  # each unknown outcome is checked (proven absent) before the next send
        run(world)
        clock.advance(seconds=60)
    pub = state(world, pub_id)
    assert pub.state is PublicationState.FAILED, pub.last_error
    assert "gave up after 3 attempts" in (pub.last_error or "")
    assert fake.posts(platform) == [] and fake.requests_for(POST_OP[platform]) == 3


@pytest.mark.parametrize("platform", PLATFORMS)
def test_timeout_is_checked_then_requeued(
    world_factory: Any, fake: FakeServer, clock: FixedClock, platform: str
) -> None:
    world = world_factory([platform])
    [pub_id] = world.approve(TEXT)
    fake.fault(POST_OP[platform], delay=1.2, drop="before")
    run(world)
    after_unknown(world, pub_id, platform)
    assert fake.posts(platform) == [] and fake.requests_for(POST_OP[platform]) == 1
    clock.advance(seconds=60)
    run(world)  # the check proves the absence: queued again and sent
    assert state(world, pub_id).state is PublicationState.PUBLISHED
    assert texts(fake, platform) == [TEXT]


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("when", ["before", "after"])
def test_dropped_connection(
    world_factory: Any, fake: FakeServer, clock: FixedClock, platform: str, when: str
) -> None:
    world = world_factory([platform])
    [pub_id] = world.approve(TEXT)
    fake.fault(POST_OP[platform], drop=when)
    run(world)
    after_unknown(world, pub_id, platform)
    assert fake.requests_for(POST_OP[platform]) == 1
    clock.advance(seconds=60)
    run(world)
    pub = state(world, pub_id)
    assert pub.state is PublicationState.PUBLISHED
    assert texts(fake, platform) == [TEXT]
    if platform != "mastodon":
        assert fake.requests_for(POST_OP[platform]) == (1 if when == "after" else 2)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_slow_success_is_never_posted_twice(
    world_factory: Any, fake: FakeServer, clock: FixedClock, platform: str
) -> None:
    world = world_factory([platform])
    [pub_id] = world.approve(TEXT)
    fake.fault(POST_OP[platform], slow=1.2)
    run(world)
    after_unknown(world, pub_id, platform)
    deadline = time.monotonic() + 10
    while not fake.posts(platform) and time.monotonic() < deadline:  # the slow answer finishes
        time.sleep(0.05)
    clock.advance(seconds=60)
    run(world)
    pub = state(world, pub_id)
    assert pub.state is PublicationState.PUBLISHED and pub.remote_id
    assert texts(fake, platform) == [TEXT]


@pytest.mark.parametrize("platform", ["x", "reddit", "bluesky"])
def test_a_persons_check_never_reposts_on_an_unproven_absence(
    world_factory: Any, fake: FakeServer, clock: FixedClock, platform: str
) -> None:
    publishing = 'max_attempts = 3\nbackoff_base = "1s"\nlease = "30s"\nsettle = "0s"\ncheck_tries = 0\n'
    world = world_factory([platform], publishing=publishing)
    [pub_id] = world.approve(TEXT)
    fake.fault(POST_OP[platform], drop="before")
    run(world)
    clock.advance(seconds=60)
    run(world)  # check_tries = 0: the daemon leaves it to a person
    assert state(world, pub_id).state is PublicationState.NEEDS_CHECK
    listing = {"x": "x.timeline", "reddit": "reddit.submitted", "bluesky": "bluesky.records"}[platform]
    for _ in range(12):  # a read is retried a few times (prawcore too), then it is unknown
        fake.fault(listing, status=500, body={"error": "listing down"})
    outcome = world.app.publishing.check(pub_id, "tester")
    assert not outcome.found and outcome.publication.state is PublicationState.NEEDS_CHECK
    assert "unknown" in outcome.message
    fake.state.faults.clear()
    outcome = world.app.publishing.check(pub_id, "tester")  # the listing works again
    assert outcome.publication.state is PublicationState.QUEUED, outcome.message
    run(world)
    assert texts(fake, platform) == [TEXT]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_bad_credentials_pause_only_that_account(world_factory: Any, fake: FakeServer, platform: str) -> None:
    other = "mastodon" if platform != "mastodon" else "x"
    world = world_factory([platform, other])
    account = ACCOUNTS[platform][0]
    secret = {
        "x": "ACCESS_TOKEN",
        "reddit": "PASSWORD",
        "mastodon": "ACCESS_TOKEN",
        "bluesky": "APP_PASSWORD",
    }
    import os

    os.environ[f"BOT_{account.upper().replace('-', '_')}_{secret[platform]}"] = "wrong"
    pubs = world.approve(TEXT)
    run(world)
    states = {state(world, p).account: state(world, p) for p in pubs}
    assert states[account].state is PublicationState.QUEUED
    assert "account paused" in (states[account].last_error or "")
    assert account in world.store.paused_accounts()
    assert "wrong" not in str(world.store.paused_accounts())  # no secret in the reason
    assert states[ACCOUNTS[other][0]].state is PublicationState.PUBLISHED
    assert fake.posts(platform) == []
    run(world)  # paused: not claimed again
    assert state(world, states[account].id).attempts == 1


@pytest.mark.parametrize("platform", PLATFORMS)
def test_401_from_the_platform_pauses_the_account(
    world_factory: Any, fake: FakeServer, platform: str
) -> None:
    world = world_factory([platform])
    [pub_id] = world.approve(TEXT)
    op = {"reddit": "reddit.token", "bluesky": "bluesky.session"}.get(platform, POST_OP[platform])
    headers = (
        {"www-authenticate": 'Bearer realm="reddit", error="invalid_token"'} if platform == "reddit" else {}
    )
    fake.fault(op, status=401, headers=headers, body={"error": "Unauthorized"})
    run(world)
    assert state(world, pub_id).state is PublicationState.QUEUED
    assert ACCOUNTS[platform][0] in world.store.paused_accounts()
    world.store.resume_account(ACCOUNTS[platform][0], world.app.clock.now(), "tester")
    run(world)
    assert state(world, pub_id).state is PublicationState.PUBLISHED
    assert texts(fake, platform) == [TEXT]


VALIDATION = {
    "x": {"status": 400, "body": {"errors": [{"message": "Tweet text is too long."}], "detail": "invalid"}},
    "reddit": {
        "status": 200,
        "body": {"json": {"errors": [["SUBREDDIT_NOTALLOWED", "you aren't allowed", "sr"]]}},
    },
    "mastodon": {"status": 422, "body": {"error": "Validation failed: Text character limit of 500 exceeded"}},
    "bluesky": {"status": 400, "body": {"error": "InvalidRequest", "message": "Record/text is too long"}},
}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_validation_error_fails_with_the_reason(world_factory: Any, fake: FakeServer, platform: str) -> None:
    world = world_factory([platform])
    [pub_id] = world.approve(TEXT)
    fake.fault(POST_OP[platform], **VALIDATION[platform])
    report = run(world)
    pub = state(world, pub_id)
    assert report.failed == [pub_id]
    assert pub.state is PublicationState.FAILED
    reason = pub.last_error or ""
    assert any(word in reason for word in ("too long", "aren't allowed", "Validation failed")), reason
    assert fake.posts(platform) == []
