"""Ranking a slot's candidates, and choosing the ones kept as drafts.

The checks come first: unflagged before flagged, passing before failing, failing ones by their
number of failed checks (the one a reviewer fixes most easily first); then the origin: a
passing composed draft (the campaign's facts and the brief's asks as written, after a line the
model got right or a stock lead) before the model's own, then curated templates in their
rotation order. The composed draft is true by construction; a model draft that passes the
checks was publishable 21 times in 61 on briefs the checks had never seen (the first runs
of nine held-out splits of ``bench/data/quality``; composed top drafts, 44 in 60): it stays
in the queue as an alternative, and a slot that auto-approves its top draft approves the
composed one. Within that, a candidate's
merit is its soft score (:func:`bot.services.drafting.checks.soft_score`) plus
:data:`RELEVANCE_WEIGHT` times its relevance: the cosine of its body to the brief and facts,
in sentence embeddings (:class:`bot.domain.ports.TextEmbedder`).

Choosing the ``keep`` drafts of a slot is maximal marginal relevance: each next pick's merit
loses :data:`DIVERSITY_WEIGHT` times its highest cosine to the drafts already chosen, and a
candidate too close to one of them (:data:`KEEP_SIMILARITY` in characters, :data:`KEEP_COSINE`
in meaning) is not kept. Without embeddings (``[model] ranking = "checks"``) relevance and the
penalty are 0: the checks' order and the soft score alone. Deterministic: cosines are rounded,
and ties keep the candidates' order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from bot.domain import Candidate, DraftOrigin, ModerationVerdict
from bot.services.drafting import checks

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from bot.domain.ports import TextEmbedder

#: Two kept drafts of one slot must differ at least this much in characters (trigram Jaccard).
KEEP_SIMILARITY = 0.6
#: ... and in meaning: a candidate this close (cosine) to a kept draft says the same thing.
KEEP_COSINE = 0.95
#: Relevance's weight beside the soft score: a cosine gap of 0.2 to the brief weighs as much
#: as one word the campaign did not give (0.05 of soft score).
RELEVANCE_WEIGHT = 0.25
#: The penalty per unit of cosine to the closest draft already chosen (same scale).
DIVERSITY_WEIGHT = 0.25
#: Cosines are rounded so that the last bits of a float never decide a rank.
_DIGITS = 4

#: Among passing candidates: composed ones first, then the model's own, then templates.
_ORIGIN_RANK = {DraftOrigin.COMPOSED: 2, DraftOrigin.MODEL: 1}


@dataclass(frozen=True)
class ScoredCandidate:
    """A checked and moderated candidate, with its place in meaning (when ranked by it)."""

    candidate: Candidate
    verdict: ModerationVerdict
    #: Cosine of the body to the brief and facts (0.0 when not ranked by meaning).
    relevance: float = 0.0
    #: The candidate's own words: its text without what every draft of the slot shares (the
    #: link, hashtags and facts as written), which :func:`choose` compares. Empty: the text.
    own_words: str = ""
    #: The body's unit sentence vector (None when not ranked by meaning).
    vector: NDArray[np.float32] | None = field(default=None, compare=False, repr=False)
    #: The own words' unit sentence vector, what closeness in meaning is measured on.
    own_vector: NDArray[np.float32] | None = field(default=None, compare=False, repr=False)


def by_meaning(
    scored: Sequence[ScoredCandidate], bodies: Sequence[str], target: str, embedder: TextEmbedder
) -> list[ScoredCandidate]:
    """Each candidate with its relevance to ``target`` (the brief and the facts: its body's
    cosine to them, also recorded in its settings record) and the vector of its own words (the
    drafts of a slot all state the facts: closeness is measured on the rest). One batch."""
    n = len(scored)
    vectors = embedder.encode([target, *bodies, *(_own(s) for s in scored)])
    out = []
    for item, body, own in zip(scored, vectors[1 : n + 1], vectors[n + 1 :], strict=True):
        relevance = round(float(body @ vectors[0]), _DIGITS)
        candidate = replace(item.candidate, settings={**item.candidate.settings, "relevance": relevance})
        out.append(replace(item, candidate=candidate, relevance=relevance, vector=body, own_vector=own))
    return out


def rank(scored: Sequence[ScoredCandidate]) -> list[ScoredCandidate]:
    """Best first (the order of equals is kept)."""
    return sorted(scored, key=lambda s: _key(s, ()), reverse=True)


def choose(scored: Sequence[ScoredCandidate], keep: int) -> list[ScoredCandidate]:
    """Up to ``keep`` passing candidates of a ranked list, each next one the best after its
    closeness to those already chosen; none near-identical. The best failing one if none pass."""
    pool = [s for s in scored if s.candidate.passed]
    chosen: list[ScoredCandidate] = []
    while pool and len(chosen) < keep:
        best = max(pool, key=lambda s: _key(s, chosen))  # the first of equals
        chosen.append(best)
        pool = [s for s in pool if s is not best and not _too_close(s, best)]
    return chosen or list(scored[:1])


def _key(
    item: ScoredCandidate, chosen: Sequence[ScoredCandidate]
) -> tuple[bool, bool, bool, int, int, int, float]:
    candidate = item.candidate
    origin = _ORIGIN_RANK.get(candidate.origin, 0)
    order = -int(candidate.settings.get("order", 0)) if candidate.origin is DraftOrigin.TEMPLATE else 0
    failed = sum(not c.passed for c in candidate.checks)
    merit = candidate.score + RELEVANCE_WEIGHT * item.relevance - DIVERSITY_WEIGHT * _closest(item, chosen)
    verdict = item.verdict
    return (
        not verdict.flagged,
        candidate.passed,
        not verdict.held,
        -failed,
        origin,
        order,
        round(merit, _DIGITS),
    )


def _closest(item: ScoredCandidate, chosen: Sequence[ScoredCandidate]) -> float:
    """The highest cosine of ``item``'s own words to a chosen draft's (0.0 without vectors)."""
    return max((_cosine(item, c) for c in chosen), default=0.0)


def _cosine(a: ScoredCandidate, b: ScoredCandidate) -> float:
    if a.own_vector is None or b.own_vector is None:
        return 0.0
    return round(float(a.own_vector @ b.own_vector), _DIGITS)


def _too_close(item: ScoredCandidate, kept: ScoredCandidate) -> bool:
    """Near-identical in their own words: in characters (every draft of a slot states the same
    facts, link and hashtags: in a short Chinese greeting they made distinct templates look
    alike), or in meaning."""
    return checks.similarity(_own(item), _own(kept)) >= KEEP_SIMILARITY or _cosine(item, kept) >= KEEP_COSINE


def _own(item: ScoredCandidate) -> str:
    return item.own_words or item.candidate.text
