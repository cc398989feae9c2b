"""Publishers, one module per platform; each is the only importer of its SDK.

:func:`build_publisher` imports the adapter for an account lazily (from :data:`REGISTRY`), so
commands that do not publish never import tweepy, praw, Mastodon.py or atproto. A new platform
registers the same way: ``REGISTRY["name"] = "package.module:Class"``; the class takes the
account settings and a :class:`~bot.adapters.platforms.credentials.Credentials`.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from bot.adapters.platforms.credentials import Credentials
from bot.config.accounts import AccountSettings, DryRunAccount
from bot.domain.errors import ConfigError
from bot.domain.ports import Publisher

#: platform -> "module:Class" of its adapter.
REGISTRY: dict[str, str] = {
    "x": "bot.adapters.platforms.x:XPublisher",
    "reddit": "bot.adapters.platforms.reddit:RedditPublisher",
    "mastodon": "bot.adapters.platforms.mastodon:MastodonPublisher",
    "bluesky": "bot.adapters.platforms.bluesky:BlueskyPublisher",
}

#: The credentials each platform needs (``bot accounts list`` shows whether they are set).
CREDENTIAL_NAMES: dict[str, tuple[str, ...]] = {
    "dryrun": (),
    "x": ("api_key", "api_secret", "access_token", "access_token_secret"),
    "reddit": ("client_id", "client_secret", "username", "password"),
    "mastodon": ("access_token",),
    "bluesky": ("app_password",),
}


def build_publisher(account: AccountSettings, data_dir: Path) -> Publisher:
    """The publisher for one configured account.

    Raises:
        ConfigError: unknown platform or missing credentials (named, never shown).
    """
    if isinstance(account, DryRunAccount):
        from bot.adapters.platforms.dryrun import DryRunPublisher

        return DryRunPublisher(account.name, account.outbox or data_dir / "outbox.jsonl")
    target = REGISTRY.get(account.platform)
    if target is None:
        raise ConfigError(f"accounts.{account.name}: no publisher for platform {account.platform!r}")
    module, _, name = target.partition(":")
    cls: Any = getattr(importlib.import_module(module), name)
    publisher: Publisher = cls(account, Credentials(account))
    return publisher
