"""X, described (entry point ``bot.platforms: x``): the account model, credentials, limit.

The publisher (:mod:`bot.adapters.platforms.x`, the only importer of tweepy) is imported only
when an account on X is published to.
"""

from __future__ import annotations

from typing import Literal

from bot.adapters.platforms.limits import longest_part, x_weighted_length
from bot.config.accounts import AccountBase
from bot.domain.media import MediaLimits
from bot.domain.platforms import PlatformDescription, PlatformLimit

#: X's limit in weighted characters (URLs 23, CJK and emoji 2), per post of a thread.
MAX_WEIGHTED = 280
CREDENTIALS = ("api_key", "api_secret", "access_token", "access_token_secret")

#: X's pictures (developer docs, "Media best practices" / media upload): images up to 5 MB,
#: JPEG, PNG, WEBP and GIF; up to 4 per post; alt text (``metadata/create`` ``alt_text.text``)
#: up to 1,000 characters. X sets no pixel limit we can rely on; 8192 px is the largest side
#: its uploader documents for images, kept here so a huge scan is resized, not refused.
MEDIA = MediaLimits(
    formats=frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"}),
    max_bytes=5 * 1024 * 1024,
    max_pixels=None,
    max_side=8192,
    max_count=4,
    max_alt=1000,
)


class XAccount(AccountBase):
    """X through tweepy, OAuth 1.0a user context.

    Credentials: api_key, api_secret, access_token, access_token_secret."""

    platform: Literal["x"]


def limit(account: XAccount) -> PlatformLimit:
    """280 weighted characters per post (a ``---`` thread: per part)."""
    return PlatformLimit("x", MAX_WEIGHTED, "weighted", longest_part(x_weighted_length))


PLATFORM = PlatformDescription(
    name="x",
    account=XAccount,
    client="bot.adapters.platforms.x:client",
    credentials=CREDENTIALS,
    limit=limit,
    media=MEDIA,
    errors="bot.adapters.platforms.x:ERRORS",
    summary="X through tweepy (OAuth 1.0a user context); 280 weighted characters",
)
