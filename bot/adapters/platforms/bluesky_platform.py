"""Bluesky, described (entry point ``bot.platforms: bluesky``): account model, credentials, limit.

The publisher (:mod:`bot.adapters.platforms.bluesky`, the only importer of atproto) is imported
only when an account on Bluesky is published to.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from bot.adapters.platforms.limits import grapheme_count, longest_part
from bot.config.accounts import AccountBase
from bot.domain.platforms import PlatformDescription, PlatformLimit

CREDENTIALS = ("app_password",)
#: Bluesky's second limit on a post's text: UTF-8 bytes (app.bsky.feed.post, maxLength).
MAX_BYTES = 3000


class BlueskyAccount(AccountBase):
    """Bluesky through atproto. Credentials: app_password."""

    platform: Literal["bluesky"]
    handle: str
    #: Most graphemes in one post (the server enforces 300; we check before sending).
    max_graphemes: int = Field(default=300, ge=1)


def limit(account: BlueskyAccount) -> PlatformLimit:
    """``max_graphemes`` (300) graphemes per post (a ``---`` thread: per part).

    The server also refuses more than 3,000 UTF-8 bytes; a text over that counts as over the
    limit (its length is the larger of its graphemes and its bytes scaled to the maximum)."""
    most = account.max_graphemes

    def length(text: str) -> int:
        return max(grapheme_count(text), -(-len(text.encode("utf-8")) * most // MAX_BYTES))

    return PlatformLimit("bluesky", most, "graphemes", longest_part(length))


PLATFORM = PlatformDescription(
    name="bluesky",
    account=BlueskyAccount,
    client="bot.adapters.platforms.bluesky:client",
    credentials=CREDENTIALS,
    limit=limit,
    errors="bot.adapters.platforms.bluesky:ERRORS",
    summary="Bluesky through atproto (app password); 300 graphemes",
)
