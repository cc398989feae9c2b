"""The hostile-fake suite: each platform with its real client against the fake at its worst
(:mod:`tests.fakeplatform.hostile`), through the real publishing service, reconciler and store.

50 publications per platform, sent and reconciled by the daemon's pass body until nothing is
left to do; whatever the daemon leaves to a person is then checked with the documented
command (``bot publications check``). Every publication must end on the account exactly once
(0 duplicates, 0 lost); the share of needs_check publications the daemon resolved by itself
is printed (goal >= 90%).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.domain import PublicationState
from bot.domain.errors import StateConflict
from tests.fakeplatform import FakeServer
from tests.fakeplatform.hostile import history_twin, make_hostile, publishing_settings, tally
from tests.fakeplatform.world import ACCOUNTS, admin, fake_creds, make_world

PUBLICATIONS = 50
TIMEOUT = 0.5
PERSON = "person"
_P = PublicationState


@pytest.fixture
def hostile_fake() -> Iterator[FakeServer]:
    server = FakeServer().start()
    saved = dict(os.environ)
    yield server
    os.environ.clear()
    os.environ.update(saved)
    server.stop()


def unfinished(pubs: list[Any]) -> list[Any]:
    """Publications the daemon still has work on (queued, claimed, or a check to come)."""
    return [
        p
        for p in pubs
        if p.state in (_P.QUEUED, _P.CLAIMED) or (p.state is _P.NEEDS_CHECK and p.check_at is not None)
    ]


@pytest.mark.parametrize(
    ("platform", "keys"),
    [("x", True), ("reddit", True), ("mastodon", True), ("bluesky", True), ("mastodon", False)],
    ids=["x", "reddit", "mastodon", "bluesky", "mastodon-ignoring-keys"],
)
def test_hostile_platform_never_twice_never_lost(
    hostile_fake: FakeServer, tmp_path: Path, platform: str, keys: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    url = hostile_fake.url
    admin(url, "users", {"platform": platform, "name": ACCOUNTS[platform][1], "creds": fake_creds(platform)})
    make_hostile(url, [platform], timeout=TIMEOUT, rate=0.05, seed=len(platform))
    extra = ""
    if not keys:  # a server that ignores Idempotency-Key, and an account that says so
        admin(url, "hostile", {"honour_idempotency": False})
        extra = "idempotency_key = false\n"
    world = make_world(
        tmp_path / "bot", url, [platform], timeout=f"{TIMEOUT}s", publishing=publishing_settings(),
        account_extra=extra,
    )  # fmt: skip
    texts: dict[int, str] = {}
    for n in range(PUBLICATIONS):
        text = f"Lotus Leaf note {n} for {platform}: a cup of tea at four"
        if n == 0:
            history_twin(url, platform, text)  # an older post with the same words is not ours
        [pub_id] = world.approve(text)
        texts[pub_id] = text
    service = world.app.publishing
    started = time.monotonic()
    deadline = started + 150
    while time.monotonic() < deadline:
        service.run_once()
        if not unfinished(world.store.list_publications()):
            break
        time.sleep(0.05)
    daemon_seconds = time.monotonic() - started
    pubs = world.store.list_publications()
    assert not unfinished(pubs), [(p.id, p.state.value, p.last_error) for p in unfinished(pubs)]
    for pub in pubs:  # what the daemon left to a person: the documented command
        if pub.state is _P.NEEDS_CHECK:
            person_check(service, pub.id)
    service.run_once()  # publishes what a person's check proved absent
    pubs = world.store.list_publications()
    counts = tally(pubs, texts, admin(url, "posts"), world.store.events(limit=100_000), PERSON)
    counts.update(
        platform=platform if keys else f"{platform} (ignores keys)",
        injected=admin(url, "injected"),
        seconds=round(daemon_seconds, 1),
    )
    with capsys.disabled():
        print("\nhostile " + json.dumps({k: v for k, v in counts.items() if k != "lost_ids"}))
    assert counts["duplicates"] == 0
    assert counts["lost"] == 0, [
        (p.id, p.state.value, p.last_error) for p in pubs if p.id in counts["lost_ids"]
    ]
    assert counts["publications"] == PUBLICATIONS
    world.app.close()


def person_check(service: Any, pub_id: int) -> None:
    """``bot publications check`` as a person runs it: again a little later if a daemon holds it."""
    deadline = time.monotonic() + 60
    while True:
        try:
            service.check(pub_id, PERSON)
            return
        except StateConflict:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
