"""How platforms count a post's length; the one place that imports twitter-text.

- X: weighted length from ``twitter-text-parser`` (URLs count 23, CJK and emoji count 2).
- Bluesky: extended grapheme clusters (user-perceived characters).
- Mastodon, Reddit: characters.

Which counter and maximum an account gets is its platform description's ``limit`` (see the
``*_platform`` modules); the drafting checks and the publishers both call it, so they agree.
Pure functions, no SDK imports.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from typing import Any

from bot.adapters.platforms._text import split_parts
from bot.domain.platforms import PlatformLimit
from bot.plugins import limit_for

__all__ = ["PlatformLimit", "grapheme_count", "limit_for", "longest_part", "parse_tweet", "x_weighted_length"]


def x_weighted_length(text: str) -> int:
    """X's weighted length of a post."""
    return int(parse_tweet(text).weightedLength)


def parse_tweet(text: str) -> Any:
    """twitter-text's parse of ``text`` (weighted length, validity)."""
    return _parse_tweet()(text)


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
    return len(_grapheme().findall(text))


@lru_cache(maxsize=1)
def _grapheme() -> Any:
    import regex  # only when a length is measured: the config loads this module

    return regex.compile(r"\X")


def longest_part(count: Callable[[str], int]) -> Callable[[str], int]:
    """A counter for platforms that post a ``---`` thread part by part: its longest part."""

    def longest(text: str) -> int:
        return max(count(part) for part in split_parts(text))

    return longest
