"""Images through each platform's real client against the fake: uploads arrive in order with
their alt texts, attach to the right post, and a failed upload is a retry (no post exists)."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot import plugins
from bot.adapters.media import PillowMedia
from bot.domain import OutgoingPost
from bot.domain.errors import PublishRejected, PublishRetryable
from tests.adapters.platforms.test_adapter_details import bsky_pub, masto_pub, reddit_pub, x_pub
from tests.fakeplatform import FakeServer
from tests.fakeplatform.images import image, png
from tests.fakeplatform.media import LIMITS as FAKE_LIMITS

PLATFORMS = ["x", "reddit", "mastodon", "bluesky"]
UPLOAD_OP = {"x": "x.media", "reddit": "reddit.s3", "mastodon": "mastodon.media", "bluesky": "bluesky.blob"}
BUILD = {"x": x_pub, "reddit": reddit_pub, "mastodon": masto_pub, "bluesky": bsky_pub}
TEXT = "Happy Mid-Autumn from Lotus Leaf: mooncakes and oolong all week"


def publisher(fake: FakeServer, platform: str) -> Any:
    return BUILD[platform](fake)


def post(text: str, media: tuple[Any, ...], key: str = "bot-1-img") -> OutgoingPost:
    return OutgoingPost(1, 1, "acct", text, key, "promo", options={}, media=media)


def two_images(tmp_path: Path) -> tuple[Any, ...]:
    return (
        image(tmp_path, "moon.png", "A full moon over a teapot", width=64, height=48, seed=1),
        image(tmp_path, "cakes.png", "Four mooncakes on a red plate", width=30, height=60, seed=2),
    )


def arrived(fake: FakeServer, platform: str) -> list[dict[str, Any]]:
    """The bot's posts on the platform, each with the uploads it carries (in order)."""
    media = fake.media()
    return [p | {"uploads": [media[m] for m in p.get("media") or []]} for p in fake.posts(platform)]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_two_images_arrive_in_order_with_their_alt_texts(
    fake: FakeServer, tmp_path: Path, platform: str
) -> None:
    items = two_images(tmp_path)
    pub = publisher(fake, platform)
    ids = pub.upload_media(post(TEXT, items))
    assert len(ids) == 2
    result = pub.publish(post(TEXT, items), ids)
    assert result.remote_id
    [made] = arrived(fake, platform)
    assert made["text"] == TEXT
    assert [u["sha256"] for u in made["uploads"]] == [i.sha256 for i in items]
    assert [u["alt"] for u in made["uploads"]] == [i.alt for i in items]
    assert [u["size"] for u in made["uploads"]] == [i.size for i in items]
    if platform == "bluesky":
        assert [u["aspect"] for u in made["uploads"]] == [[64, 48], [30, 60]]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_one_image_post(fake: FakeServer, tmp_path: Path, platform: str) -> None:
    """One image: Reddit's image post (praw waits on the websocket for the post's URL; Reddit's
    image posts carry no caption, so the alt text stays ours there)."""
    item = image(tmp_path, "lantern.png", "A paper lantern", seed=3)
    pub = publisher(fake, platform)
    result = pub.publish(post(TEXT, (item,)), pub.upload_media(post(TEXT, (item,))))
    [made] = arrived(fake, platform)
    assert [u["sha256"] for u in made["uploads"]] == [item.sha256]
    assert [u["alt"] for u in made["uploads"]] == ["" if platform == "reddit" else "A paper lantern"]
    assert made["id"] in result.remote_id


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize(
    "fault",
    [
        {"status": 413},
        {"drop": "before"},
        {"drop": "after"},  # the server kept the file, then the connection dropped
        {"status": 503},
        {"status": 500, "stored": True},  # kept, then an error
        {"slow": 2.5},  # kept, answered after the client's 2 s timeout
    ],
    ids=["413", "drop-before", "drop-after", "503", "stored-500", "stored-timeout"],
)
def test_failed_upload_is_a_retry_and_the_retry_posts_once(
    fake: FakeServer, tmp_path: Path, platform: str, fault: dict[str, Any]
) -> None:
    items = two_images(tmp_path)
    fake.fault(UPLOAD_OP[platform], after=1, **fault)  # the second image's upload fails
    pub = publisher(fake, platform)
    with pytest.raises(PublishRetryable) as raised:
        pub.upload_media(post(TEXT, items))
    assert "nothing was posted" in str(raised.value) or "413" in str(raised.value) or raised.value
    assert fake.posts(platform) == []
    pub.publish(post(TEXT, items), pub.upload_media(post(TEXT, items)))
    [made] = arrived(fake, platform)
    assert [u["sha256"] for u in made["uploads"]] == [i.sha256 for i in items]


@pytest.mark.parametrize("platform", ["x", "mastodon"])
def test_uploads_are_reusable_where_the_platform_keeps_them(
    fake: FakeServer, tmp_path: Path, platform: str
) -> None:
    """The post failed after the uploads: the next attempt attaches the same ids."""
    items = two_images(tmp_path)
    pub = publisher(fake, platform)
    ids = pub.upload_media(post(TEXT, items))
    assert pub.media_reuse.total_seconds() > 3600
    fake.fault({"x": "x.tweet", "mastodon": "mastodon.status"}[platform], status=429)
    with pytest.raises(PublishRetryable):
        pub.publish(post(TEXT, items), ids)
    pub.publish(post(TEXT, items), ids)
    [made] = arrived(fake, platform)
    assert made["media"] == list(ids)


@pytest.mark.parametrize("platform", ["bluesky", "reddit"])
def test_uploads_are_not_reused_where_the_platform_drops_them(fake: FakeServer, platform: str) -> None:
    assert publisher(fake, platform).media_reuse.total_seconds() == 0


def test_bluesky_blob_not_referenced_in_time_is_gone(fake: FakeServer, tmp_path: Path) -> None:
    fake.state.blob_ttl = 0.0
    items = two_images(tmp_path)
    pub = bsky_pub(fake)
    ids = pub.upload_media(post(TEXT, items))
    with pytest.raises(PublishRejected, match="Could not find blob"):
        pub.publish(post(TEXT, items), ids)
    assert fake.posts("bluesky") == []


def test_mastodon_waits_until_the_upload_is_processed(fake: FakeServer, tmp_path: Path) -> None:
    fake.state.media_polls = 3
    items = two_images(tmp_path)
    pub = masto_pub(fake)
    pub.publish(post(TEXT, items), pub.upload_media(post(TEXT, items)))
    assert fake.requests_for("mastodon.media_get") == 6
    assert len(fake.posts("mastodon")) == 1


@pytest.mark.parametrize("platform", PLATFORMS)
def test_missing_alt_text_or_file_is_refused_before_any_upload(
    fake: FakeServer, tmp_path: Path, platform: str
) -> None:
    [first, second] = two_images(tmp_path)
    pub = publisher(fake, platform)
    with pytest.raises(PublishRejected, match="alt text"):
        pub.upload_media(post(TEXT, (first, replace(second, alt=" "))))
    with pytest.raises(PublishRejected, match="cannot read image"):
        pub.upload_media(post(TEXT, (replace(first, path=str(tmp_path / "gone.png")),)))
    assert fake.media() == {}


def test_reddit_websocket_lost_is_an_unknown_outcome(fake: FakeServer, tmp_path: Path) -> None:
    """The image post went out; only the websocket naming it failed: never re-sent blindly."""
    from bot.domain.errors import PublishUnknownOutcome

    item = image(tmp_path, "lantern.png", "A paper lantern", seed=3)
    pub = reddit_pub(fake)
    ids = pub.upload_media(post(TEXT, (item,)))
    fake.fault("reddit.websocket", drop="before")
    with pytest.raises(PublishUnknownOutcome):
        pub.publish(post(TEXT, (item,)), ids)
    assert len(fake.posts("reddit")) == 1


#: A picture 3x over each platform's byte limit: noisy pixels (scaled down until they fit)
#: where that is quick, an uncompressed export (re-encoded, Mastodon's also scaled to its
#: pixel limit) for the platforms that take 16-20 MB.
OVERSIZED = {"bluesky": "noisy", "x": "noisy", "mastodon": "stored", "reddit": "stored"}


@pytest.mark.slow
@pytest.mark.parametrize("platform", PLATFORMS)
def test_picture_three_times_over_the_byte_limit_is_fitted_and_accepted(
    fake: FakeServer, tmp_path: Path, platform: str
) -> None:
    limits = plugins.platform(platform).media
    assert limits is not None
    side = math.isqrt(limits.max_bytes) + 8  # 3 bytes a pixel: 3x the limit
    source = tmp_path / "festival.png"
    source.write_bytes(png(side, side, seed=7, noisy=True, stored=OVERSIZED[platform] == "stored"))
    assert source.stat().st_size >= 3 * limits.max_bytes
    fitted = PillowMedia(tmp_path / "data").fit(str(source), limits)
    fitted = replace(fitted, alt="Lanterns over the tea house")
    assert fitted.size <= limits.max_bytes and fitted.path != str(source)
    pub = publisher(fake, platform)
    pub.publish(post(TEXT, (fitted,)), pub.upload_media(post(TEXT, (fitted,))))
    [made] = arrived(fake, platform)
    [upload] = made["uploads"]
    assert (upload["sha256"], upload["size"]) == (fitted.sha256, fitted.size)
    assert upload["size"] <= FAKE_LIMITS[platform]


def test_unfitted_picture_over_the_limit_is_refused_by_the_fake(fake: FakeServer, tmp_path: Path) -> None:
    """The fake enforces the byte limits (413), so the test above proves the fitting."""
    big = image(tmp_path, "big.png", "Too big", width=600, height=600, noisy=True)
    assert big.size > FAKE_LIMITS["bluesky"]
    with pytest.raises(PublishRetryable, match="413"):
        bsky_pub(fake).upload_media(post(TEXT, (big,)))
