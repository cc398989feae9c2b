"""Reddit, described (entry point ``bot.platforms: reddit``): account model, credentials, limit,
and its title templates (trial-rendered by ``bot config check`` and sync).

The publisher (:mod:`bot.adapters.platforms.reddit`, the only importer of praw) is imported
only when an account on Reddit is published to.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import Field

from bot.adapters.platforms._text import first_line, split_parts
from bot.config.accounts import AccountBase
from bot.config.types import TemplateSource
from bot.domain.media import MediaLimits
from bot.domain.platforms import PlatformDescription, PlatformLimit

CREDENTIALS = ("client_id", "client_secret", "username", "password")
#: Reddit's limits: a title, and a self-post's body.
TITLE_MAX = 300
BODY_MAX = 40_000

#: Reddit's pictures (reddit help "What file types can I upload?": images up to 20 MB, JPEG,
#: PNG and GIF; an image gallery holds up to 20 images; each gallery caption up to 180
#: characters, praw's ``submit_gallery`` ``caption``). We attach at most 4 (the campaign's
#: maximum), so ``max_count`` only matters to a campaign that could send more.
MEDIA = MediaLimits(
    formats=frozenset({"image/jpeg", "image/png", "image/gif"}),
    max_bytes=20 * 1024 * 1024,
    max_pixels=None,
    max_side=None,
    max_count=20,
    max_alt=180,
)


class RedditAccount(AccountBase):
    """Reddit through praw. Credentials: client_id, client_secret, username, password."""

    platform: Literal["reddit"]
    subreddit: str
    #: Subreddit per campaign name (default: ``subreddit``).
    subreddits: dict[str, str] = Field(default_factory=dict)
    #: Jinja2 template (sandboxed) with the campaign's variables and ``first_line``;
    #: default: the post's first line.
    title: TemplateSource | None = None
    #: Title template per campaign name (default: ``title``).
    titles: dict[str, TemplateSource] = Field(default_factory=dict)
    flair_id: str | None = None
    flair_text: str | None = None
    post_kind: Literal["self", "link"] = "self"
    user_agent: str = "bot/0.1 (social posting bot)"


def title_length(text: str) -> int:
    """The length of the title made from a post with no title template: its first line."""
    return len(first_line(" ".join(split_parts(text))))


def body_length(text: str) -> int:
    """The length of a self-post's body (a ``---`` thread's parts joined)."""
    return len("\n\n".join(split_parts(text)))


def limit(account: RedditAccount) -> PlatformLimit:
    """Without a title template the post's first line is the title (300 characters); with
    one, the post is the body (40,000)."""
    if account.title:
        return PlatformLimit("reddit", BODY_MAX, "chars", body_length)
    return PlatformLimit("reddit", TITLE_MAX, "title chars", title_length)


def templates(account: RedditAccount, campaign: str) -> Sequence[tuple[str, str]]:
    """The title template a campaign's posts get (``titles[campaign]``, else ``title``)."""
    if campaign in account.titles:
        return [(f"titles.{campaign}", account.titles[campaign])]
    return [("title", account.title)] if account.title else []


PLATFORM = PlatformDescription(
    name="reddit",
    account=RedditAccount,
    client="bot.adapters.platforms.reddit:client",
    credentials=CREDENTIALS,
    limit=limit,
    media=MEDIA,
    errors="bot.adapters.platforms.reddit:ERRORS",
    templates=templates,
    summary="Reddit through praw (script app); title 300 characters, body 40,000",
)
