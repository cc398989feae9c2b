"""X, described (entry point ``bot.platforms: x``): the account model, credentials, limit.

The publisher (:mod:`bot.adapters.platforms.x`, the only importer of tweepy) is imported only
when an account on X is published to.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from bot.adapters.platforms.limits import longest_part, x_weighted_length
from bot.config.accounts import AccountBase
from bot.domain.platforms import CredentialSource, ErrorTable, PlatformDescription, PlatformLimit
from bot.domain.ports import Publisher

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


def _client(account: XAccount, credentials: CredentialSource, data_dir: Path) -> Publisher:
    from bot.adapters.platforms.x import XPublisher

    return XPublisher(account, credentials)


def _errors() -> ErrorTable:
    from bot.adapters.platforms.x import ERRORS

    return ERRORS


PLATFORM = PlatformDescription(
    name="x",
    account=XAccount,
    client=_client,
    credentials=CREDENTIALS,
    limit=limit,
    errors=_errors,
    summary="X through tweepy (OAuth 1.0a user context); 280 weighted characters",
)
