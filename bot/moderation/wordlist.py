"""Word-list scorer: bundled English and Chinese lists plus user lists from the config.

Matching is done on a normalised text (case folded, masking characters such as ``*``, ``@``,
``$`` and digits-for-letters undone, spaces between letters removed) so that ``i.d.i.o.t``
and ``id*ot`` still match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cached_property
from importlib import resources
from pathlib import Path

from bot.errors import ConfigError

_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
)
_SEPARATORS = re.compile(r"[\s.\-_*·•]+")


def normalise(text: str) -> str:
    return _SEPARATORS.sub("", text.casefold().translate(_LEET))


class WordlistScorer:
    """Label ``match``: 1.0 if a listed term occurs in the text, else 0.0."""

    name = "wordlist"

    def __init__(self, extra_files: Iterable[Path] = ()) -> None:
        self._extra = tuple(extra_files)

    @property
    def version(self) -> str:
        return f"wordlist {len(self.terms)} terms"

    @cached_property
    def terms(self) -> tuple[str, ...]:
        terms: set[str] = set()
        for name in ("en.txt", "zh.txt"):
            terms.update(_lines(resources.files("bot.moderation.data").joinpath(name).read_text("utf-8")))
        for path in self._extra:
            try:
                terms.update(_lines(path.read_text("utf-8")))
            except OSError as exc:
                raise ConfigError(f"moderation.wordlist.files: cannot read {path}: {exc.strerror}") from None
        return tuple(sorted(normalise(t) for t in terms if normalise(t)))

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        return [{"match": 1.0 if self._hit(text) else 0.0} for text in texts]

    def _hit(self, text: str) -> bool:
        flat = normalise(text)
        return any(term in flat for term in self.terms)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
