"""The embedded default scorer: alt-profanity-check's trained linear model (in its wheel)."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import metadata

from bot.errors import ModerationError


class ProfanityScorer:
    """Label ``profanity``: probability that the text is offensive (English only)."""

    name = "profanity"

    @property
    def version(self) -> str:
        return f"alt-profanity-check {metadata.version('alt-profanity-check')}"

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        if not texts:
            return []
        try:
            from profanity_check import predict_prob
        except ImportError as exc:
            raise ModerationError(f"alt-profanity-check is not installed: {exc}") from exc
        probabilities = predict_prob(list(texts))
        return [{"profanity": float(p)} for p in probabilities]
