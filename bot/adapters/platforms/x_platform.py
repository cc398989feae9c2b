"""X, described (entry point ``bot.platforms: x``): the account model, credentials, limit.

The publisher (:mod:`bot.adapters.platforms.x`, the only importer of tweepy) is imported only
when an account on X is published to.
"""

from __future__ import annotations

from typing import Literal

from bot.adapters.platforms.limits import longest_part, x_weighted_length
from bot.config.accounts import AccountBase
from bot.domain.platforms import PlatformDescription, PlatformLimit

#: X's limit in weighted characters (URLs 23, CJK and emoji 2), per post of a thread.
MAX_WEIGHTED = 280
CREDENTIALS = ("api_key", "api_secret", "access_token", "access_token_secret")


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
    errors="bot.adapters.platforms.x:ERRORS",
    summary="X through tweepy (OAuth 1.0a user context); 280 weighted characters",
)
