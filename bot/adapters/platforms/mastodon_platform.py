"""Mastodon, described (entry point ``bot.platforms: mastodon``): account model, credentials, limit.

The publisher (:mod:`bot.adapters.platforms.mastodon`, the only importer of Mastodon.py) is
imported only when an account on Mastodon is published to.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from bot.adapters.platforms.limits import longest_part
from bot.config.accounts import AccountBase
from bot.domain.media import MediaLimits
from bot.domain.platforms import PlatformDescription, PlatformLimit

CREDENTIALS = ("access_token",)

#: Mastodon's defaults for pictures (https://docs.joinmastodon.org/user/posting/#media and
#: app/models/media_attachment.rb): 16 MB per image (``IMAGE_LIMIT = 16.megabytes``), larger
#: images downscaled by the server to 8,294,400 pixels (3840x2160, ``IMAGE_STYLES``), 4
#: attachments per status, descriptions up to 1,500 characters (``MAX_DESCRIPTION_LENGTH``).
#: An instance may allow more (its /api/v2/instance configuration); these are the floor.
MEDIA = MediaLimits(
    formats=frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"}),
    max_bytes=16 * 1024 * 1024,
    max_pixels=3840 * 2160,
    max_side=None,
    max_count=4,
    max_alt=1500,
)


class MastodonAccount(AccountBase):
    """Mastodon through Mastodon.py. Credentials: access_token."""

    platform: Literal["mastodon"]
    visibility: Literal["public", "unlisted", "private", "direct"] = "public"
    max_chars: int = Field(default=500, ge=1)
    #: Whether to send an ``Idempotency-Key`` with each status (Mastodon dedupes on it for
    #: about an hour). It is extra safety only: an unknown outcome is always reconciled by a
    #: search of the account, never re-sent on the strength of the key.
    idempotency_key: bool = True


def limit(account: MastodonAccount) -> PlatformLimit:
    """``max_chars`` (500, or the instance's) characters per post (a thread: per part)."""
    return PlatformLimit("mastodon", account.max_chars, "chars", longest_part(len))


PLATFORM = PlatformDescription(
    name="mastodon",
    account=MastodonAccount,
    client="bot.adapters.platforms.mastodon:client",
    credentials=CREDENTIALS,
    limit=limit,
    media=MEDIA,
    errors="bot.adapters.platforms.mastodon:ERRORS",
    summary="Mastodon through Mastodon.py (access token); 500 characters or max_chars",
)
