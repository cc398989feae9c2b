"""Platform length limits, measured the way each platform counts.

- X: weighted length from ``twitter-text-parser`` (URLs count 23, CJK and emoji count 2), 280.
- Reddit: the post title, 300 characters (the draft text is used as the title unless the
  account names a title template; a self-post body may be far longer).
- Mastodon: 500 characters, or the instance's ``max_chars`` from the account config.
- Bluesky: 300 graphemes (the server enforces it; we check first).
- Dry-run: no limit.

Pure functions, no SDK imports: the drafting checks and the publishers both use them.
"""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import regex

from bot.config.accounts import (
    AccountSettings,
    BlueskyAccount,
    MastodonAccount,
    RedditAccount,
    XAccount,
)

X_MAX_WEIGHTED = 280
REDDIT_TITLE_MAX = 300
REDDIT_BODY_MAX = 40_000
MASTODON_DEFAULT_MAX = 500
BLUESKY_MAX_GRAPHEMES = 300

_GRAPHEME = regex.compile(r"\X")


@dataclass(frozen=True)
class PlatformLimit:
    """How long a text may be on one platform, and in which unit it is counted."""

    platform: str
    maximum: int | None
    unit: str

    def measure(self, text: str) -> int:
        """The length of ``text`` in this limit's unit."""
        return measure(self.unit, text)

    def fits(self, text: str) -> bool:
        """Whether ``text`` is within the limit (always true without a limit)."""
        return self.maximum is None or self.measure(text) <= self.maximum


def measure(unit: str, text: str) -> int:
    """Length of ``text`` counted as ``weighted`` (X), ``graphemes`` or ``chars``."""
    if unit == "weighted":
        return x_weighted_length(text)
    if unit == "graphemes":
        return grapheme_count(text)
    return len(text)


def x_weighted_length(text: str) -> int:
    """X's weighted length of a post."""
    return int(_parse_tweet()(text).weightedLength)


@lru_cache(maxsize=1)
def _parse_tweet() -> Any:
    """``twitter_text.parse_tweet``, imported with a stand-in for ``pkg_resources``.

    twitter-text-parser 3.0.0 reads its emoji table with ``pkg_resources.resource_string``;
    setuptools >= 81 no longer ships ``pkg_resources`` (and older ones warn on import). A
    one-function stand-in backed by :mod:`importlib.resources` is installed for the import
    only, then the previous module (if any) is put back.
    """
    previous = sys.modules.get("pkg_resources")
    shim = types.ModuleType("pkg_resources")

    def resource_string(module: str, name: str) -> bytes:
        package = sys.modules[module].__package__ or module
        return resources.files(package).joinpath(name).read_bytes()

    shim.resource_string = resource_string  # type: ignore[attr-defined]
    sys.modules["pkg_resources"] = shim
    try:
        from twitter_text import parse_tweet
    finally:
        if previous is None:
            del sys.modules["pkg_resources"]
        else:
            sys.modules["pkg_resources"] = previous
    return parse_tweet


def grapheme_count(text: str) -> int:
    """User-perceived characters (extended grapheme clusters)."""
    return len(_GRAPHEME.findall(text))


def limit_for(account: AccountSettings) -> PlatformLimit:
    """The length limit that applies to a draft posted to ``account``."""
    if isinstance(account, XAccount):
        return PlatformLimit("x", X_MAX_WEIGHTED, "weighted")
    if isinstance(account, RedditAccount):
        if account.title:
            return PlatformLimit("reddit", REDDIT_BODY_MAX, "chars")
        return PlatformLimit("reddit", REDDIT_TITLE_MAX, "chars")
    if isinstance(account, MastodonAccount):
        return PlatformLimit("mastodon", account.max_chars or MASTODON_DEFAULT_MAX, "chars")
    if isinstance(account, BlueskyAccount):
        return PlatformLimit("bluesky", BLUESKY_MAX_GRAPHEMES, "graphemes")
    return PlatformLimit(account.platform, None, "chars")


def tightest_chars(limits: list[PlatformLimit]) -> int | None:
    """A rough character budget for prompts: the smallest maximum (X counts CJK double)."""
    values = [lim.maximum for lim in limits if lim.maximum is not None]
    return min(values) if values else None
