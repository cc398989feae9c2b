"""Publishers, one module per platform; each is the only importer of its SDK.

A platform is described by a :class:`~bot.domain.platforms.PlatformDescription` registered in
the entry point group ``bot.platforms`` (built-ins in this project's ``pyproject.toml``, exactly
as a third-party package registers its own). The built-in descriptions live in light modules
(``x_platform``, ``reddit_platform``, ``mastodon_platform``, ``bluesky_platform``, ``dryrun``)
that import no SDK: the config loads them. :func:`build_publisher` asks the description for
the client, which imports the adapter module (and its SDK) only then.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot import plugins
from bot.adapters.platforms.credentials import Credentials
from bot.domain.ports import Publisher


def build_publisher(account: Any, data_dir: Path) -> Publisher:
    """The publisher for one configured account.

    Raises:
        ConfigError: unknown platform or missing credentials (named, never shown).
    """
    described = plugins.platform(account.platform)
    factory = plugins.resolve(described.client)
    publisher: Publisher = factory(account, Credentials(account), data_dir)
    return publisher
