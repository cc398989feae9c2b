"""Pictures through the publishing service, the real store and each platform's real client
against the fake: uploaded before the send stamp, recorded, retried when the upload fails
(nothing was posted), reused where the platform keeps uploads; one post, its own pictures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.platforms.dryrun import DryRunPublisher
from bot.domain import OutgoingPost, PublicationState
from bot.domain.ports import FixedClock
from tests.fakeplatform import FakeServer
from tests.fakeplatform.images import image
from tests.fakeplatform.world import draft_media

_P = PublicationState
PLATFORMS = ["x", "reddit", "mastodon", "bluesky"]
UPLOAD_OP = {
    "x": "x.media", "reddit": "reddit.s3", "mastodon": "mastodon.media", "bluesky": "bluesky.blob",
}  # fmt: skip
POST_OP = {
    "x": "x.tweet", "reddit": "reddit.gallery", "mastodon": "mastodon.status", "bluesky": "bluesky.post",
}  # fmt: skip
TEXT = "Happy Mid-Autumn from Lotus Leaf: mooncakes and oolong all week"


def pictures(tmp_path: Path) -> tuple[Any, ...]:
    return (
        image(tmp_path / "pics", "moon.png", "A full moon over a teapot", width=64, height=48, seed=1),
        image(tmp_path / "pics", "cakes.png", "Four mooncakes on a red plate", width=30, height=60, seed=2),
    )


def uploads_of(fake: FakeServer, platform: str) -> list[list[tuple[str, str]]]:
    """Each bot post's pictures as (sha256, alt), in order."""
    media = fake.media()
    posts = fake.posts(platform)
    return [[(media[m]["sha256"], media[m]["alt"]) for m in p.get("media") or []] for p in posts]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_pictures_are_uploaded_recorded_then_posted(
    world_factory: Any, fake: FakeServer, tmp_path: Path, platform: str
) -> None:
    world = world_factory([platform])
    items = pictures(tmp_path)
    [pub_id] = world.approve(TEXT, media=draft_media(*items))
    report = world.app.publishing.run_once()
    assert report.published == [pub_id]
    assert uploads_of(fake, platform) == [[(i.sha256, i.alt) for i in items]]
    pub = world.store.get_publication(pub_id)
    assert pub.media_ids is not None and len(pub.media_ids) == 2
    events = world.store.events(entity="publication", entity_id=pub_id)
    [event] = [e for e in events if e.reason == "media uploaded"]
    assert event.details["media_ids"] == list(pub.media_ids)
    ops = [r["op"] for r in fake.state.requests]
    assert ops.index(POST_OP[platform]) > max(i for i, op in enumerate(ops) if op == UPLOAD_OP[platform])


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("fault", [{"status": 413}, {"drop": "before"}, {"drop": "after"}])
def test_failed_upload_is_retried_and_ends_with_one_post(
    world_factory: Any,
    fake: FakeServer,
    clock: FixedClock,
    tmp_path: Path,
    platform: str,
    fault: dict[str, Any],
) -> None:
    world = world_factory([platform])
    items = pictures(tmp_path)
    [pub_id] = world.approve(TEXT, media=draft_media(*items))
    fake.fault(UPLOAD_OP[platform], after=1, **fault)
    world.app.publishing.run_once()
    pub = world.store.get_publication(pub_id)
    assert pub.state is _P.QUEUED, pub.last_error
    assert pub.sending_at is None and pub.first_sent_at is None  # never stamped: nothing sent
    assert fake.posts(platform) == []
    clock.advance(seconds=30)
    world.app.publishing.run_once()
    assert world.store.get_publication(pub_id).state is _P.PUBLISHED
    assert uploads_of(fake, platform) == [[(i.sha256, i.alt) for i in items]]


@pytest.mark.parametrize(
    ("platform", "hours"),
    [("x", 0), ("reddit", 0), ("mastodon", 0), ("bluesky", 0), ("x", 13), ("mastodon", 13)],
)
def test_uploads_reused_only_where_and_while_the_platform_keeps_them(
    world_factory: Any, fake: FakeServer, clock: FixedClock, tmp_path: Path, platform: str, hours: int
) -> None:
    """The post itself fails (429, nothing posted) after the uploads; X and Mastodon keep an
    unattached upload (reused for 12 hours), Bluesky and Reddit get it again."""
    world = world_factory([platform])
    items = pictures(tmp_path)
    [pub_id] = world.approve(TEXT, media=draft_media(*items))
    fake.fault(POST_OP[platform], status=429, reset_in=5)
    world.app.publishing.run_once()
    first = world.store.get_publication(pub_id)
    assert first.state is _P.QUEUED and first.media_ids
    clock.advance(seconds=120, hours=hours)
    world.app.publishing.run_once()
    done = world.store.get_publication(pub_id)
    assert done.state is _P.PUBLISHED, done.last_error
    reused = platform in ("x", "mastodon") and hours < 12
    if platform != "bluesky":  # a blob is named by its content: the same bytes, the same ref
        assert (done.media_ids == first.media_ids) is reused
    assert fake.requests_for(UPLOAD_OP[platform]) == (2 if reused else 4)
    assert uploads_of(fake, platform) == [[(i.sha256, i.alt) for i in items]]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_unknown_outcome_of_the_post_still_goes_to_a_check(
    world_factory: Any, fake: FakeServer, clock: FixedClock, tmp_path: Path, platform: str
) -> None:
    """Stored, then the connection dropped: one post, found by the check."""
    world = world_factory([platform])
    items = pictures(tmp_path)
    [pub_id] = world.approve(TEXT, media=draft_media(*items))
    fake.fault(POST_OP[platform], drop="after")
    world.app.publishing.run_once()
    pub = world.store.get_publication(pub_id)
    assert pub.state is _P.NEEDS_CHECK, pub.last_error
    clock.advance(seconds=60)
    world.app.publishing.run_once()
    assert world.store.get_publication(pub_id).state is _P.PUBLISHED
    assert uploads_of(fake, platform) == [[(i.sha256, i.alt) for i in items]]


def test_dry_run_outbox_records_the_pictures(tmp_path: Path) -> None:
    items = pictures(tmp_path)
    outbox = tmp_path / "outbox.jsonl"
    publisher = DryRunPublisher("outbox", outbox)
    post = OutgoingPost(1, 1, "outbox", TEXT, "k-1", "promo", media=items)
    publisher.publish(post, publisher.upload_media(post))
    [line] = [json.loads(x) for x in outbox.read_text().splitlines()]
    recorded = [(m["sha256"], m["alt"], m["path"]) for m in line["media"]]
    assert recorded == [(i.sha256, i.alt, i.path) for i in items]
