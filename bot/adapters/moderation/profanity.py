"""The embedded default scorer: alt-profanity-check's trained linear model (in its wheel).

It reads English only: Chinese text gets a constant low score, which is why the default
gate pairs it with the word lists.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from importlib import metadata
from typing import Any

from bot.domain.errors import ConfigError
from bot.domain.ports import ScorerBackend


class ProfanityScorer:
    """Label ``profanity``: probability that the text is offensive (English only)."""

    name = "profanity"

    def __init__(self) -> None:
        self._predict = _load()

    @cached_property
    def version(self) -> str:
        """The package version (its model ships inside the wheel)."""
        return f"alt-profanity-check {metadata.version('alt-profanity-check')}"

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """One probability per text, in one batched call."""
        if not texts:
            return []
        probabilities = self._predict(list(texts))
        return [{"profanity": float(p)} for p in probabilities]


def _load() -> Callable[[list[str]], Any]:
    try:
        from profanity_check import predict_prob
    except ImportError as exc:
        raise ConfigError(f"moderation.scorers: 'profanity' needs alt-profanity-check: {exc}") from exc
    return predict_prob  # type: ignore[no-any-return]


#: The ``profanity`` scorer: alt-profanity-check's English model (label ``profanity``).
SCORER = ScorerBackend(
    "profanity", build=lambda _settings, _base, _data_dir=None: ProfanityScorer(), labels=("profanity",)
)
