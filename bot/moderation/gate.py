"""The moderation gate: runs every configured scorer and flags a text when any label of any
scorer reaches its threshold. It fails closed: a scorer error flags the text with the error
as the reason, it never lets the text pass."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.domain import ModerationDecision, ModerationVerdict
from bot.ports import ModerationScorer

log = logging.getLogger(__name__)

#: Thresholds used when the config names none for a scorer's label.
DEFAULT_THRESHOLDS: dict[str, dict[str, float]] = {
    "profanity": {"profanity": 0.8},
    "wordlist": {"match": 0.5},
    "detoxify": {
        "toxicity": 0.5,
        "severe_toxicity": 0.3,
        "obscene": 0.5,
        "threat": 0.3,
        "insult": 0.5,
        "identity_attack": 0.3,
        "identity_hate": 0.3,
        "sexual_explicit": 0.5,
    },
}
FALLBACK_THRESHOLD = 0.5


class ModerationGate:
    """Combines scorers with per-label thresholds into one verdict per text."""

    def __init__(
        self, scorers: Sequence[ModerationScorer], thresholds: dict[str, dict[str, float]] | None = None
    ) -> None:
        self.scorers = tuple(scorers)
        self._thresholds = thresholds or {}

    def threshold(self, scorer: str, label: str) -> float:
        configured = self._thresholds.get(scorer, {})
        if label in configured:
            return configured[label]
        return DEFAULT_THRESHOLDS.get(scorer, {}).get(label, FALLBACK_THRESHOLD)

    def check(self, texts: Sequence[str]) -> list[ModerationVerdict]:
        """One verdict per text."""
        scores: list[dict[str, dict[str, float]]] = [{} for _ in texts]
        reasons: list[list[str]] = [[] for _ in texts]
        for scorer in self.scorers:
            try:
                results = scorer.score(texts)
                if len(results) != len(texts):
                    raise ValueError(f"returned {len(results)} results for {len(texts)} texts")
            except Exception as exc:  # fail closed on anything a scorer does wrong
                log.warning("moderation scorer %s failed: %s", scorer.name, exc)
                for r in reasons:
                    r.append(f"scorer {scorer.name} failed: {exc}")
                continue
            for i, labels in enumerate(results):
                scores[i][scorer.name] = {k: round(float(v), 4) for k, v in labels.items()}
        return [self._verdict(s, r) for s, r in zip(scores, reasons, strict=True)]

    def _verdict(self, scores: dict[str, dict[str, float]], reasons: list[str]) -> ModerationVerdict:
        used: dict[str, dict[str, float]] = {}
        for scorer, labels in scores.items():
            used[scorer] = {}
            for label, value in labels.items():
                limit = self.threshold(scorer, label)
                used[scorer][label] = limit
                if value >= limit:
                    reasons.append(f"{scorer}.{label} {value:.2f} >= {limit:.2f}")
        decision = ModerationDecision.FLAG if reasons else ModerationDecision.PASS
        return ModerationVerdict(
            decision=decision,
            scores=scores,
            thresholds=used,
            scorers={s.name: s.version for s in self.scorers},
            reasons=tuple(reasons),
        )
