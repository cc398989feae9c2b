"""What each adapter does beyond the common scenarios: threads, duplicates, titles, flair,
Idempotency-Key, facets, limits, and the credentials check."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.platforms import build_publisher
from bot.adapters.platforms.bluesky import BlueskyPublisher, facets
from bot.adapters.platforms.bluesky_platform import BlueskyAccount
from bot.adapters.platforms.credentials import Credentials
from bot.adapters.platforms.limits import grapheme_count as graphemes
from bot.adapters.platforms.mastodon import MastodonPublisher
from bot.adapters.platforms.mastodon_platform import MastodonAccount
from bot.adapters.platforms.reddit import RedditPublisher
from bot.adapters.platforms.reddit_platform import RedditAccount
from bot.adapters.platforms.x import XPublisher
from bot.adapters.platforms.x_platform import XAccount
from bot.domain import OutgoingPost, PublicationState
from bot.domain.errors import (
    ConfigError,
    PublishAuthError,
    PublishDuplicate,
    PublishPartial,
    PublishRejected,
    PublishRetryable,
    PublishUnknownOutcome,
)
from bot.domain.finding import FindStatus, PostSearch
from tests.fakeplatform import FakeServer
from tests.fakeplatform.world import ACCOUNTS, credential_env

_OPEN: list[Any] = []


def opened(publisher: Any) -> Any:
    """The publisher, closed after the test (conftest.py's autouse fixture)."""
    _OPEN.append(publisher)
    return publisher


def close_opened() -> None:
    """Close every publisher :func:`opened` since the last call."""
    while _OPEN:
        _OPEN.pop().close()


#: Since an hour ago: the fake's history posts are older, so a search can prove absence.
SEARCH = PostSearch(since=datetime.now(UTC) - timedelta(hours=1))


def post(text: str, key: str = "bot-1-abc", campaign: str = "promo", **options: Any) -> OutgoingPost:
    return OutgoingPost(1, 1, "acct", text, key, campaign, options=options)


def creds(account: Any, platform: str) -> Credentials:
    return Credentials(account, environ=credential_env([platform]))


def x_pub(fake: FakeServer) -> XPublisher:
    account = XAccount(name=ACCOUNTS["x"][0], platform="x", base_url=fake.url, timeout="2s")
    return opened(XPublisher(account, creds(account, "x")))


def reddit_pub(fake: FakeServer, **extra: Any) -> RedditPublisher:
    account = RedditAccount(
        name=ACCOUNTS["reddit"][0],
        platform="reddit",
        base_url=fake.url,
        timeout="2s",
        subreddit="tea",
        **extra,
    )
    return opened(RedditPublisher(account, creds(account, "reddit")))


def masto_pub(fake: FakeServer, **extra: Any) -> MastodonPublisher:
    account = MastodonAccount(
        name=ACCOUNTS["mastodon"][0], platform="mastodon", base_url=fake.url, timeout="2s", **extra
    )
    return opened(MastodonPublisher(account, creds(account, "mastodon")))


def bsky_pub(fake: FakeServer) -> BlueskyPublisher:
    account = BlueskyAccount(
        name=ACCOUNTS["bluesky"][0],
        platform="bluesky",
        base_url=fake.url,
        timeout="2s",
        handle="lotus.bsky.test",
    )
    return opened(BlueskyPublisher(account, creds(account, "bluesky")))


THREAD = "First part of the story\n---\nSecond part\n---\nThird part #tea"


# -- X ----------------------------------------------------------------------------------------


def test_x_thread_is_a_reply_chain(fake: FakeServer) -> None:
    result = x_pub(fake).publish(post(THREAD))
    posts = fake.posts("x")
    assert [p["text"] for p in posts] == ["First part of the story", "Second part", "Third part #tea"]
    assert posts[0]["reply_to"] is None
    assert posts[1]["reply_to"] == posts[0]["id"] and posts[2]["reply_to"] == posts[1]["id"]
    assert result.remote_id == posts[0]["id"]


def test_x_thread_broken_in_the_middle_is_partial(fake: FakeServer) -> None:
    fake.fault("x.tweet", status=500)  # a 5xx may come after the post was stored: unknown
    with pytest.raises(PublishUnknownOutcome, match="server error 500"):
        x_pub(fake).publish(post(THREAD))
    fake.fault("x.tweet", status=429, headers={"x-rate-limit-reset": "0"})  # nothing is out
    with pytest.raises(PublishRetryable):
        x_pub(fake).publish(post(THREAD))
    fake.fault("x.tweet", drop="before", after=1)  # the first part goes out, the second is lost
    with pytest.raises(PublishPartial, match="thread stopped after 1 of 3") as caught:
        x_pub(fake).publish(post(THREAD))
    [first] = fake.posts("x")
    assert first["text"] == "First part of the story"
    assert (caught.value.remote_id, caught.value.posted, caught.value.total) == (first["id"], 1, 3)


def test_x_duplicate_is_reported_never_adopted(fake: FakeServer) -> None:
    """X's 403 duplicate content is a PublishDuplicate: whether the post on the account is this
    publication's is the publishing service's to find out (tests/services/test_publishing_duplicates.py)."""
    publisher = x_pub(fake)
    publisher.publish(post("Same words"))
    with pytest.raises(PublishDuplicate, match="X does not take the same text twice"):
        publisher.publish(post("Same words", key="bot-2-def"))
    assert len(fake.posts("x")) == 1


def test_x_weighted_length_is_checked_before_sending(fake: FakeServer) -> None:
    with pytest.raises(PublishRejected, match="weighted length"):
        x_pub(fake).publish(post("茶" * 141))
    assert fake.requests_for("x.tweet") == 0
    x_pub(fake).publish(post("茶" * 140))


def test_x_daily_cap_429_uses_the_24_hour_reset(fake: FakeServer) -> None:
    import time

    reset = int(time.time()) + 3600
    headers = {"x-rate-limit-reset": str(int(time.time()) + 5), "x-user-limit-24hour-remaining": "0"}
    headers["x-user-limit-24hour-reset"] = str(reset)
    fake.fault("x.tweet", status=429, headers=headers)
    with pytest.raises(PublishRetryable) as caught:
        x_pub(fake).publish(post("hello"))
    assert caught.value.retry_after is not None and caught.value.retry_after > 3500


def test_x_check_credentials_reports_user_and_limits(fake: FakeServer) -> None:
    publisher = x_pub(fake)
    info = publisher.check_credentials()
    assert info["user"] == ACCOUNTS["x"][1]
    assert info["limits"]["max_weighted_length"] == 280
    assert info["limits"]["x-rate-limit-limit"] == "75"
    publisher.publish(post("counted"))
    limits = publisher.check_credentials()["limits"]  # the 24-hour cap shows once X has told us
    assert limits["x-user-limit-24hour-limit"] == "17" and limits["x-user-limit-24hour-remaining"] == "16"


# -- Reddit -----------------------------------------------------------------------------------


def test_reddit_title_template_flair_and_self_post(fake: FakeServer) -> None:
    publisher = reddit_pub(
        fake, title="{{ brand }} | {{ first_line }} ({{ code }})", flair_id="f1", flair_text="Promo"
    )
    result = publisher.publish(post("Tea tasting Friday\nCome by!", brand="Lotus Leaf", code="TEA10"))
    [sent] = fake.posts("reddit")
    assert sent["title"] == "Lotus Leaf | Tea tasting Friday (TEA10)"
    assert sent["subreddit"] == "tea" and sent["kind"] == "self"
    assert sent["text"] == "Tea tasting Friday\nCome by!"
    assert sent["flair_id"] == "f1" and sent["flair_text"] == "Promo"
    assert result.url and "/r/tea/comments/" in result.url


def test_reddit_title_defaults_to_first_line_and_per_campaign_subreddit(fake: FakeServer) -> None:
    publisher = reddit_pub(fake, subreddits={"promo": "teadrinkers"}, titles={"other": "x"})
    publisher.publish(post("\nHello tea friends\nmore"))
    [sent] = fake.posts("reddit")
    assert sent["title"] == "Hello tea friends" and sent["subreddit"] == "teadrinkers"


def test_reddit_bad_title_template_is_rejected(fake: FakeServer) -> None:
    with pytest.raises(PublishRejected, match="template error"):
        reddit_pub(fake, title="{{ missing_variable }}").publish(post("hi"))
    with pytest.raises(PublishRejected, match="template error"):
        reddit_pub(fake, title="{{ broken").publish(post("hi"))
    assert fake.requests_for("reddit.submit") == 0


def test_reddit_link_post_and_already_submitted(fake: FakeServer) -> None:
    publisher = reddit_pub(fake, post_kind="link")
    first = publisher.publish(post("New menu https://lotusleaf.example/menu."))
    assert fake.posts("reddit")[0]["url"] == "https://lotusleaf.example/menu"
    with pytest.raises(PublishDuplicate, match="ALREADY_SUB"):  # never adopted by the adapter
        publisher.publish(post("New menu https://lotusleaf.example/menu.", key="bot-2"))
    assert len(fake.posts("reddit")) == 1 and first.remote_id == fake.posts("reddit")[0]["id"]
    with pytest.raises(PublishRejected, match="no URL"):
        publisher.publish(post("no link here"))


def test_reddit_inband_ratelimit_is_retryable_with_its_wait(fake: FakeServer) -> None:
    body = {
        "json": {
            "errors": [["RATELIMIT", "you are doing that too much. try again in 9 minutes.", "ratelimit"]]
        }
    }
    fake.fault("reddit.submit", status=200, body=body)
    with pytest.raises(PublishRetryable) as caught:
        reddit_pub(fake).publish(post("hello"))
    assert caught.value.retry_after == 540
    assert fake.requests_for("reddit.submit") == 1


def test_reddit_wrong_app_secret_is_an_auth_error(fake: FakeServer) -> None:
    account = RedditAccount(name="r2", platform="reddit", base_url=fake.url, timeout="2s", subreddit="tea")
    env = {f"BOT_R2_{k.upper()}": v for k, v in ACCOUNTS["reddit"][2].items()}
    env["BOT_R2_CLIENT_SECRET"] = "nope"
    publisher = opened(RedditPublisher(account, Credentials(account, environ=env)))
    with pytest.raises(PublishAuthError):
        publisher.publish(post("hello"))
    with pytest.raises(PublishAuthError):
        publisher.check_credentials()


def test_reddit_check_credentials(fake: FakeServer) -> None:
    info = reddit_pub(fake).check_credentials()
    assert info["user"] == ACCOUNTS["reddit"][1] and info["subreddit"] == "tea"


# -- Mastodon ---------------------------------------------------------------------------------


def test_mastodon_idempotency_key_and_visibility(fake: FakeServer) -> None:
    """The key is sent, but the fake ignores it (as a header-dropping proxy would): a re-send
    is a second post, which is why an unknown outcome is searched for, never re-sent."""
    publisher = masto_pub(fake, visibility="unlisted")
    first = publisher.publish(post("Hello <tea> & friends", key="bot-7-key"))
    second = publisher.publish(post("Hello <tea> & friends", key="bot-7-key"))  # a resend
    sent = fake.posts("mastodon")
    assert [p["key"] for p in sent] == ["bot-7-key", "bot-7-key"] and sent[0]["visibility"] == "unlisted"
    assert first.remote_id != second.remote_id
    found = publisher.find(post("Hello <tea> & friends"), SEARCH)  # HTML content is compared as text
    assert found.post is not None and found.post.remote_id in (first.remote_id, second.remote_id)
    keyless = masto_pub(fake, idempotency_key=False)
    keyless.publish(post("No key", key="bot-8-key"))
    assert fake.posts("mastodon")[-1]["key"] is None


def test_mastodon_thread_and_length_limit(fake: FakeServer) -> None:
    publisher = masto_pub(fake, max_chars=30)
    publisher.publish(post("one\n---\ntwo", key="k"))
    posts = fake.posts("mastodon")
    assert posts[1]["reply_to"] == posts[0]["id"] and posts[1]["key"] == "k-1"
    with pytest.raises(PublishRejected, match="limit is 30"):
        publisher.publish(post("x" * 31))


def test_mastodon_check_credentials_reads_the_instance(fake: FakeServer) -> None:
    info = masto_pub(fake).check_credentials()
    assert info["user"] == ACCOUNTS["mastodon"][1]
    assert info["limits"]["instance_max_characters"] == 500


def test_mastodon_instance_endpoint_404_names_the_account_and_url(fake: FakeServer) -> None:
    """A server whose instance endpoint 404s made Mastodon.py's version probe recurse (exit 70)."""
    fake.fault("mastodon.instance", status=404, body={"error": "Not Found"})
    fake.fault("mastodon.instance", status=404, body={"error": "Not Found"})
    publisher = masto_pub(fake)
    with pytest.raises(ConfigError, match=r"does not look like a Mastodon instance") as caught:
        publisher.check_credentials()
    assert ACCOUNTS["mastodon"][0] in str(caught.value) and fake.url in str(caught.value)


def test_mastodon_base_url_of_something_else_is_a_config_error(fake: FakeServer) -> None:
    account = MastodonAccount(
        name=ACCOUNTS["mastodon"][0], platform="mastodon", base_url=fake.url + "/typo", timeout="2s"
    )
    publisher = opened(MastodonPublisher(account, creds(account, "mastodon")))
    with pytest.raises(ConfigError, match=r"/typo does not look like a Mastodon instance"):
        publisher.check_credentials()


def test_mastodon_needs_a_base_url() -> None:
    account = MastodonAccount(name="m", platform="mastodon")
    with pytest.raises(ConfigError, match="base_url"):
        MastodonPublisher(account, Credentials(account, environ={"BOT_M_ACCESS_TOKEN": "t"}))


# -- Bluesky ----------------------------------------------------------------------------------


def test_bluesky_facets_use_utf8_byte_offsets() -> None:
    text = "中秋快乐 🥮 see https://lotusleaf.example/shop. #MidAutumn #茶"
    found = facets(text)
    data = text.encode()
    spans = {
        type(f.features[0]).__name__: data[f.index.byte_start : f.index.byte_end].decode() for f in found[:2]
    }
    assert spans == {"Link": "https://lotusleaf.example/shop", "Tag": "#MidAutumn"}
    tags = [data[f.index.byte_start : f.index.byte_end].decode() for f in found[1:]]
    assert tags == ["#MidAutumn", "#茶"]
    assert found[0].features[0].uri == "https://lotusleaf.example/shop"
    assert graphemes("👍🏽🇨🇳e\u0301") == 3


def test_bluesky_post_carries_facets_and_threads(fake: FakeServer) -> None:
    publisher = bsky_pub(fake)
    result = publisher.publish(post("Tea time https://lotusleaf.example #tea\n---\nsecond"))
    first, second = fake.posts("bluesky")
    assert [f["features"][0]["$type"] for f in first["facets"]] == [
        "app.bsky.richtext.facet#link",
        "app.bsky.richtext.facet#tag",
    ]
    assert second["record"]["reply"]["parent"]["uri"] == first["uri"]
    assert second["record"]["reply"]["root"]["uri"] == first["uri"]
    assert result.remote_id == first["uri"] and result.url
    found = publisher.find(post("Tea time https://lotusleaf.example #tea\n---\nsecond"), SEARCH)
    assert found.status is FindStatus.FOUND


def test_bluesky_grapheme_limit_is_checked_here(fake: FakeServer) -> None:
    with pytest.raises(PublishRejected, match="graphemes"):
        bsky_pub(fake).publish(post("🥮" * 301))
    assert fake.requests_for("bluesky.post") == 0


def test_bluesky_check_credentials(fake: FakeServer) -> None:
    info = bsky_pub(fake).check_credentials()
    assert info["user"] == "lotus.bsky.test" and info["user_id"].startswith("did:plc:")


# -- registry and credentials -----------------------------------------------------------------


def test_build_publisher_reads_credentials_from_the_environment(
    fake: FakeServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    account = XAccount(name="tea-x", platform="x", base_url=fake.url)
    with pytest.raises(ConfigError) as caught:
        build_publisher(account, tmp_path)
    assert "BOT_TEA_X_API_KEY" in str(caught.value)
    for name, value in credential_env(["x"]).items():
        monkeypatch.setenv(name, value)
    publisher = opened(build_publisher(account, tmp_path))
    assert publisher.publish(post("from env")).remote_id


def test_credentials_from_secrets_file_and_dir(tmp_path: Path) -> None:
    secrets_file = tmp_path / "x.env"
    secrets_file.write_text("# comment\nexport api_key='k1'\napi_secret = s1\n\n", encoding="utf-8")
    folder = tmp_path / "creds"
    folder.mkdir()
    (folder / "access_token").write_text("t1\n", encoding="utf-8")
    account = XAccount(name="a", platform="x", secrets_file=secrets_file, secrets_dir=folder)
    found = Credentials(account, environ={"BOT_A_API_SECRET": "from-env"})
    assert found.get("api_key") == "k1"
    assert found.get("api_secret") == "from-env"  # the environment wins
    assert found.get("access_token") == "t1"
    with pytest.raises(ConfigError) as caught:
        found.require("api_key", "access_token_secret")
    message = str(caught.value)
    assert "BOT_A_ACCESS_TOKEN_SECRET" in message and str(folder / "access_token_secret") in message
    assert "k1" not in message and "t1" not in message


def test_bad_secrets_file_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.env"
    bad.write_text("just a line\n", encoding="utf-8")
    account = XAccount(name="a", platform="x", secrets_file=bad)
    with pytest.raises(ConfigError, match="line 1 is not NAME=value"):
        Credentials(account, environ={}).get("api_key")
    account = XAccount(name="a", platform="x", secrets_file=tmp_path / "missing.env")
    with pytest.raises(ConfigError, match="does not exist"):
        Credentials(account, environ={}).get("api_key")


def test_missing_credentials_pause_the_account_not_the_loop(world_factory: Any, fake: FakeServer) -> None:
    import os

    world = world_factory(["x", "mastodon"])
    del os.environ["BOT_TEA_X_API_KEY"]
    pubs = world.approve("hello both")
    world.app.publishing.run_once()
    states = {world.store.get_publication(p).account: world.store.get_publication(p) for p in pubs}
    assert states["tea-masto"].state is PublicationState.PUBLISHED
    assert states["tea-x"].state is PublicationState.QUEUED
    assert "BOT_TEA_X_API_KEY" in world.store.paused_accounts()["tea-x"]
    assert json.dumps(fake.posts("x")) == "[]"


@pytest.mark.parametrize("op", ["reddit.token", "bluesky.session"])
def test_a_5xx_while_logging_in_is_retryable(fake: FakeServer, op: str) -> None:
    fake.fault(op, status=502, body={"error": "bad gateway"})
    publisher = reddit_pub(fake) if op.startswith("reddit") else bsky_pub(fake)
    with pytest.raises(PublishRetryable):
        publisher.publish(post("after the gateway recovers"))
    publisher.publish(post("after the gateway recovers"))
    assert len(fake.posts()) == 1


@pytest.mark.parametrize("platform", ["x", "bluesky", "mastodon", "reddit"])
@pytest.mark.parametrize("body", [b"<html>the proxy says hello</html>", b""])
def test_a_stored_post_answered_with_no_json_is_an_unknown_outcome(
    fake: FakeServer, platform: str, body: bytes
) -> None:
    """The server stored the post, then a proxy (or a cut connection) answered 200 with a body
    that is not JSON: Mastodon.py and prawcore raise their API errors, which are no refusal."""
    op = {"x": "x.tweet", "bluesky": "bluesky.post", "mastodon": "mastodon.status", "reddit": "reddit.submit"}
    fake.fault(op[platform], status=200, body=body, stored=True)
    publisher = {"x": x_pub, "bluesky": bsky_pub, "mastodon": masto_pub, "reddit": reddit_pub}[platform](fake)
    with pytest.raises(Exception) as caught:
        publisher.publish(post("hello"))
    assert not isinstance(caught.value, PublishRejected | PublishRetryable | PublishAuthError), caught.value
    assert len(fake.posts(platform)) == 1


@pytest.mark.parametrize("platform", ["x", "bluesky", "mastodon", "reddit"])
def test_an_unreadable_success_answer_is_an_unknown_outcome(fake: FakeServer, platform: str) -> None:
    """The server took the post but the client cannot read the answer: never a plain failure."""
    op = {"x": "x.tweet", "bluesky": "bluesky.post", "mastodon": "mastodon.status", "reddit": "reddit.submit"}
    fake.fault(op[platform], status=200, body={"unexpected": True})
    publisher = {"x": x_pub, "bluesky": bsky_pub, "mastodon": masto_pub, "reddit": reddit_pub}[platform](fake)
    with pytest.raises(Exception) as caught:
        publisher.publish(post("hello"))
    assert not isinstance(caught.value, PublishRejected | PublishRetryable | PublishAuthError), caught.value
