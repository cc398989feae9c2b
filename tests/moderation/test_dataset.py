"""The default gate on the labeled texts in tests/data/moderation.csv (quality, not speed:
speed is measured in bench/moderation_eval.py)."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from bot.config.moderation import ModerationSettings
from bot.moderation.factory import build_gate
from bot.moderation.gate import ModerationGate

DATA = Path(__file__).resolve().parents[1] / "data" / "moderation.csv"


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with DATA.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def gate() -> ModerationGate:
    return build_gate(ModerationSettings())


def test_the_data_set_is_balanced_and_bilingual(rows: list[dict[str, str]]) -> None:
    assert len(rows) >= 150
    counts = Counter((r["language"], r["label"]) for r in rows)
    for lang in ("en", "zh"):
        toxic, benign = counts[(lang, "toxic")], counts[(lang, "benign")]
        assert toxic >= 40 and benign >= 40 and abs(toxic - benign) <= 10
    assert {r["split"] for r in rows} == {"dev", "test"}
    assert len({r["text"] for r in rows}) == len(rows)


def test_no_hard_benign_marketing_text_is_flagged_in_the_fixed_subset(
    rows: list[dict[str, str]], gate: ModerationGate
) -> None:
    subset = [
        "Killer deals on mooncakes this weekend only!",
        "Insane prices on our autumn tea collection.",
        "This sale is sick, don't miss it!",
        "Damn good coffee, brewed fresh every morning.",
        "Have a damn good holiday from all of us.",
        "Scunthorpe customers: free delivery this week!",
        "Spic and span: our shop just got a makeover.",
        "今日你可享受会员双倍积分。",
        "去死皮磨砂膏买一送一。",
        "清仓贱卖，最后三天！",
    ]
    known = {r["text"]: r["label"] for r in rows}
    assert all(known[text] == "benign" for text in subset)
    flagged = [t for t, v in zip(subset, gate.check(subset), strict=True) if v.flagged]
    assert flagged == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_recall_and_false_positive_rate_meet_the_target(
    rows: list[dict[str, str]], gate: ModerationGate, lang: str
) -> None:
    picked = [r for r in rows if r["language"] == lang]
    verdicts = gate.check([r["text"] for r in picked])
    toxic = [v.flagged for r, v in zip(picked, verdicts, strict=True) if r["label"] == "toxic"]
    benign = [v.flagged for r, v in zip(picked, verdicts, strict=True) if r["label"] == "benign"]
    assert sum(toxic) / len(toxic) >= 0.90
    assert sum(benign) / len(benign) <= 0.05
