"""Publishers, one module per platform; each is the only importer of its SDK.

:func:`build_publisher` imports the adapter for an account lazily, so commands that do not
publish never import tweepy, praw, Mastodon.py or atproto.
"""

from __future__ import annotations

from pathlib import Path

from bot.config.accounts import AccountSettings, DryRunAccount
from bot.errors import ConfigError
from bot.ports import Publisher


def build_publisher(account: AccountSettings, data_dir: Path) -> Publisher:
    """The publisher for one configured account."""
    if isinstance(account, DryRunAccount):
        from bot.platforms.dryrun import DryRunPublisher

        return DryRunPublisher(account.name, account.outbox or data_dir / "outbox.jsonl")
    raise ConfigError(f"accounts.{account.name}: platform {account.platform!r} is not available yet")
