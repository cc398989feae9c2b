"""The moderation gate: runs every configured scorer and flags a text when any label of any
scorer reaches its threshold. It fails closed: a scorer error (or an answer it cannot
trust, like a missing text, a missing label or a score that is not a number in [0, 1]) flags
the text with the error as the reason; it never lets the text pass.

Auto-approval trusts the gate less than a person does: a text that no label flags but some
label scores at or over its lower *review* threshold (:data:`REVIEW_THRESHOLDS`, or the
config's ``[moderation] review_thresholds``) gets the decision ``review``. A person may
approve it as it is (it is a ``pending_review`` draft); ``approval = "auto"`` never does.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from typing import Any

from bot.domain import ModerationDecision, ModerationVerdict
from bot.domain.errors import ConfigError
from bot.domain.ports import ModerationScorer

log = logging.getLogger(__name__)

#: Thresholds used when the config names none for a scorer's label.
DEFAULT_THRESHOLDS: dict[str, dict[str, float]] = {
    "profanity": {"profanity": 0.8},
    "wordlist": {"match": 0.5},
    # A strong rule match scores 1.0, a weak one 0.4 (bot/adapters/moderation/rules.py).
    "rules": {"exclusion": 0.5, "demeaning": 0.5, "threat": 0.5},
    # Chosen on the dev split of the shipped labeled set (bench/moderation_eval.py).
    "semantic": {
        "toxic": 0.7,
        "threat": 0.7,
        "identity_attack": 0.7,
        "insult": 0.7,
        "self_harm": 0.7,
        "sexual": 0.7,
    },
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
#: Scores at or over these (and under the flag threshold) hold a text for a person: the
#: decision is ``review`` and ``approval = "auto"`` does not approve it. A label with no
#: review threshold holds nothing. Chosen on the drafts the bundled model really writes
#: (bench/data/quality/candidates.jsonl: semantic toxic >= 0.5 holds 2 of 1,220, profanity
#: >= 0.5 none) and the look-alike set (bench/data/moderation/lookalikes.csv); detoxify's are
#: half its flag thresholds (no released checkpoint could be measured here).
REVIEW_THRESHOLDS: dict[str, dict[str, float]] = {
    "rules": {"exclusion": 0.3, "demeaning": 0.3, "threat": 0.3},
    "profanity": {"profanity": 0.5},
    "semantic": {"toxic": 0.5},
    "detoxify": {
        "toxicity": 0.25,
        "severe_toxicity": 0.15,
        "obscene": 0.25,
        "threat": 0.15,
        "insult": 0.25,
        "identity_attack": 0.15,
        "identity_hate": 0.15,
        "sexual_explicit": 0.25,
    },
}
#: Identity mentions that detoxify's "unbiased" checkpoints report beside the toxicity
#: labels. Naming a group is not toxic, so these are recorded but flag only when the config
#: gives them a threshold.
MENTION_LABELS = frozenset(
    {
        "male",
        "female",
        "homosexual_gay_or_lesbian",
        "christian",
        "jewish",
        "muslim",
        "black",
        "white",
        "psychiatric_or_mental_illness",
    }
)


class ModerationGate:
    """Combines scorers with per-label thresholds into one verdict per text."""

    def __init__(
        self,
        scorers: Sequence[ModerationScorer],
        thresholds: Mapping[str, Mapping[str, float]] | None = None,
        review_thresholds: Mapping[str, Mapping[str, float]] | None = None,
    ) -> None:
        if not scorers:
            raise ConfigError("moderation.scorers: at least one scorer is needed (an empty gate passes all)")
        self.scorers = tuple(scorers)
        self._thresholds = {k: dict(v) for k, v in (thresholds or {}).items()}
        self._review = {k: dict(v) for k, v in (review_thresholds or {}).items()}

    def threshold(self, scorer: str, label: str) -> float | None:
        """The threshold in force for one label: the config's, else the default; None for
        an identity-mention label the config gives no threshold (recorded, never flags)."""
        configured = self._thresholds.get(scorer, {})
        if label in configured:
            return configured[label]
        if label in MENTION_LABELS:
            return None
        return DEFAULT_THRESHOLDS.get(scorer, {}).get(label, FALLBACK_THRESHOLD)

    def review_threshold(self, scorer: str, label: str) -> float | None:
        """The review threshold in force for one label: the config's, else the default; None
        when the label holds nothing (or its flag threshold is as low: it flags instead)."""
        configured = self._review.get(scorer, {})
        limit = configured[label] if label in configured else REVIEW_THRESHOLDS.get(scorer, {}).get(label)
        flag = self.threshold(scorer, label)
        if limit is None or (flag is not None and limit >= flag):
            return None
        return limit

    @property
    def versions(self) -> dict[str, str]:
        """Each scorer's id and version, as recorded in every audit record."""
        return {s.name: s.version for s in self.scorers}

    def check(self, texts: Sequence[str]) -> list[ModerationVerdict]:
        """One verdict per text (the same order)."""
        texts = list(texts)
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
                    r.append(f"scorer {scorer.name} failed: {_describe(exc)}")
                continue
            for i, labels in enumerate(results):
                scores[i][scorer.name] = self._labels(scorer, labels, reasons[i])
        versions = self.versions
        verdicts = [self._verdict(t, s, r, versions) for t, s, r in zip(texts, scores, reasons, strict=True)]
        flagged = sum(v.flagged for v in verdicts)
        log.debug("moderation: %d texts, %d flagged", len(texts), flagged)
        return verdicts

    def _labels(self, scorer: ModerationScorer, labels: Any, reasons: list[str]) -> dict[str, float]:
        """Check one scorer's answer for one text; anything untrustworthy becomes a reason."""
        if not isinstance(labels, Mapping) or not labels:
            reasons.append(f"scorer {scorer.name} failed: no scores for this text ({labels!r})")
            return {}
        clean: dict[str, float] = {}
        for label, value in labels.items():
            try:
                number = float(value)
            except (TypeError, ValueError):
                number = math.nan
            if not 0.0 <= number <= 1.0:  # also catches NaN
                reasons.append(f"scorer {scorer.name} failed: {label} score {value!r} is not in [0, 1]")
                continue
            clean[str(label)] = round(number, 4)
        return clean

    def _verdict(
        self, text: str, scores: dict[str, dict[str, float]], reasons: list[str], versions: dict[str, str]
    ) -> ModerationVerdict:
        used: dict[str, dict[str, float]] = {}
        holds: list[str] = []
        for scorer in self.scorers:
            labels = scores.get(scorer.name, {})
            used[scorer.name] = {}
            for label, value in labels.items():
                limit = self.threshold(scorer.name, label)
                if limit is not None:
                    used[scorer.name][label] = limit
                    if value >= limit:
                        reasons.append(
                            f"{scorer.name}.{label} {value:.2f} >= {limit:.2f}{_why(scorer, text)}"
                        )
                        continue
                review = self.review_threshold(scorer.name, label)
                if review is not None and value >= review:
                    holds.append(
                        f"{scorer.name}.{label} {value:.2f} >= review {review:.2f}{_why(scorer, text)}"
                    )
        if reasons:
            decision = ModerationDecision.FLAG
        else:
            decision = ModerationDecision.REVIEW if holds else ModerationDecision.PASS
        return ModerationVerdict(
            decision=decision,
            scores=scores,
            thresholds=used,
            scorers=versions,
            reasons=tuple(reasons),
            holds=tuple(holds),
        )


def _why(scorer: ModerationScorer, text: str) -> str:
    """What a scorer that can explain itself found (e.g. the listed words)."""
    explain = getattr(scorer, "explain", None)
    if explain is None:
        return ""
    try:
        found = explain(text)
    except Exception:  # an explanation is a nicety; the flag stands without it
        return ""
    return f" ({', '.join(found)})" if found else ""


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 300 else text[:299] + "…"
