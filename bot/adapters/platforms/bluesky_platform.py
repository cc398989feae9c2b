"""Bluesky, described (entry point ``bot.platforms: bluesky``): account model, credentials, limit.

The publisher (:mod:`bot.adapters.platforms.bluesky`, the only importer of atproto) is imported
only when an account on Bluesky is published to.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from bot.adapters.platforms.limits import grapheme_count, longest_part
from bot.config.accounts import AccountBase
from bot.domain.media import MediaLimits
from bot.domain.platforms import PlatformDescription, PlatformLimit

CREDENTIALS = ("app_password",)
#: Bluesky's second limit on a post's text: UTF-8 bytes (app.bsky.feed.post, maxLength).
MAX_BYTES = 3000

#: Bluesky's pictures (lexicon app.bsky.embed.images: ``images`` maxLength 4, ``image`` blob
#: ``maxSize: 1000000`` bytes, accept ``image/*``). The lexicon sets no alt-text maximum; the
#: official app accepts up to 2,000 graphemes (its MAX_ALT_TEXT), so we check that. The app
#: resizes to 2000 px on the longest side before upload; we do the same.
MEDIA = MediaLimits(
    formats=frozenset({"image/jpeg", "image/png", "image/webp"}),
    max_bytes=1_000_000,
    max_pixels=None,
    max_side=2000,
    max_count=4,
    max_alt=2000,
)


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
    media=MEDIA,
    errors="bot.adapters.platforms.bluesky:ERRORS",
    summary="Bluesky through atproto (app password); 300 graphemes",
)
