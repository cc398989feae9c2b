"""The rules scorer: exclusion of a group, demeaning generalisations and threats are found
(English and Chinese, masked or not); ordinary promo language is left alone."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.adapters.moderation.rules import STRONG, WEAK, RulesScorer, find

LOOKALIKES = Path(__file__).resolve().parents[3] / "bench" / "data" / "moderation" / "lookalikes.csv"


@pytest.fixture(scope="module")
def rules() -> RulesScorer:
    return RulesScorer()


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # the hostile user's texts (notes/hostile.md S1-1)
        ("Crumb & Co Bakery: cinnamon buns 2 for £5 today. No immigrants.", "exclusion"),
        ("Cinnamon buns 2 for £5 today, no immigrants served.", "exclusion"),
        ("Cinnamon buns 2 for £5 today. Gypsies not welcome.", "exclusion"),
        ("Cinnamon buns 2 for £5. Fat people should stay home.", "exclusion"),
        ("Cinnamon buns 2 for £5 today. Women can't bake anyway.", "demeaning"),
        ("Buns 2 for £5. We'll find where you live if you leave a bad review.", "threat"),
        ("Crumb & Co Bakery: cinnamon buns 2 for £5 today. We know where you live.", "threat"),
        # more of each class
        ("We don't serve Muslims.", "exclusion"),
        ("No foreigners please", "exclusion"),
        ("Black people need not apply.", "exclusion"),
        ("Go back to your own country.", "exclusion"),
        ("N0 1mm1grants", "exclusion"),  # leetspeak
        ("Immigrants are lazy.", "demeaning"),
        ("Girls are bad at maths anyway.", "demeaning"),
        ("The Chinese are dirty.", "demeaning"),
        ("Leave us one star and we'll find you.", "threat"),
        ("Post a bad review and you'll regret it.", "threat"),  # weak, made strong by the review
        ("Would be a shame if something happened to your shop.", "threat"),
        ("We will hunt you down.", "threat"),
        ("月饼买二送一。不欢迎外地人。", "exclusion"),
        ("女人不会做生意。", "demeaning"),
        ("敢给差评，我们知道你住在哪里。", "threat"),
    ],
)
def test_flags_exclusion_demeaning_and_threats(rules: RulesScorer, text: str, label: str) -> None:
    (scores,) = rules.score([text])
    assert scores[label] == STRONG, (text, scores, rules.explain(text))
    assert any(e.startswith(f"{label}: ") for e in rules.explain(text))


@pytest.mark.parametrize(
    "text",
    [
        "No booking needed: just walk in.",
        "No queues with online ordering.",
        "Dogs welcome on the terrace!",
        "Kids eat free every Sunday.",
        "We'll see you soon!",
        "You'll love it.",
        "You won't regret it!",
        "Members only: early access to the winter sale.",
        "Adults only swim from 8 to 9pm.",
        "Kids can't resist our chocolate muffins!",
        "We'll find you the perfect gift.",
        "We deliver wherever you live in Leeds.",
        "No Irish butter in stock this week.",
        "No Chinese New Year closure: we are open as usual.",
        "Gel nails with no polish chips for two weeks.",
        "Immigrants and locals alike love our jollof rice.",
        "Wheelchair users welcome: step-free access.",
        "Men's haircut £15, women's from £25.",
        "Stay home and order in: free delivery tonight.",
        "Our chilli is hot. We'll be waiting for you with cold beer.",
        "宠物禁止入内，导盲犬除外。",
        "我们知道你会喜欢的！",
    ],
)
def test_ordinary_promo_language_scores_nothing(rules: RulesScorer, text: str) -> None:
    (scores,) = rules.score([text])
    assert set(scores.values()) == {0.0}, (text, rules.explain(text))


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # age limits for children are routine (safety, alcohol): a person decides
        ("Kids not allowed on the wheel without an adult.", "exclusion"),
        ("Under-18s not served alcohol.", "exclusion"),
        # marketing pressure as often as a threat, without a review or complaint in the text
        ("Miss this sale and you'll be sorry!", "threat"),
        ("不来你会后悔的：全场五折只限今天。", "threat"),
    ],
)
def test_judgment_calls_are_weak_held_for_review_not_flagged(
    rules: RulesScorer, text: str, label: str
) -> None:
    (scores,) = rules.score([text])
    assert scores[label] == WEAK, (text, scores)
    assert all(e.endswith("held for review") for e in rules.explain(text))


def test_explain_names_the_rule_and_the_words() -> None:
    (hit,) = find("Cinnamon buns 2 for £5 today, no immigrants served.")
    assert hit.describe() == 'exclusion: no X "no immigrants served"'


def test_every_toxic_lookalike_is_caught_and_no_benign_one_flagged(rules: RulesScorer) -> None:
    """The bench's look-alike set (bench/data/moderation/lookalikes.csv), rules alone."""
    with LOOKALIKES.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    scores = rules.score([r["text"] for r in rows])
    missed = [
        r["text"] for r, s in zip(rows, scores, strict=True) if r["label"] == "toxic" and max(s.values()) < 1
    ]
    flagged = [
        r["text"]
        for r, s in zip(rows, scores, strict=True)
        if r["label"] == "benign" and max(s.values()) >= 1
    ]
    assert (missed, flagged) == ([], [])
