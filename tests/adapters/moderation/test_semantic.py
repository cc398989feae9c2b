"""The semantic scorer: meaning in English and Chinese, explained by labeled neighbours."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from bot.adapters.moderation import labeled, semantic, training
from bot.adapters.moderation.semantic_model import load
from bot.config.moderation import ModerationSettings
from bot.domain.errors import ConfigError
from bot.services.moderation import ModerationGate
from bot.wiring import build_gate


@pytest.fixture(scope="module")
def gate() -> ModerationGate:
    return build_gate(ModerationSettings())


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Keep talking and see what happens to your car", "threat"),
        ("Nobody would miss you if you vanished tomorrow", "self_harm"),
        ("你再敢说一句，小心你的店", "threat"),
        ("这种人就不配活在这个城市", "identity_attack"),
    ],
)
def test_threats_with_no_listed_word_are_flagged_with_the_label_that_caught_them(
    gate: ModerationGate, text: str, kind: str
) -> None:
    (verdict,) = gate.check([text])
    assert verdict.flagged
    assert verdict.scores["wordlist"] == {"match": 0.0}
    assert any(r.startswith("semantic.toxic ") and f"most like {kind}" in r for r in verdict.reasons)
    assert any('near "' in r for r in verdict.reasons)


@pytest.mark.parametrize(
    "text",
    [
        "This kick-ass espresso will wake you right up.",
        "Our mooncakes are to die for.",
        "Killer deals, insane prices, all weekend.",
        "杀价到底，爆款奶茶第二杯半价！",
    ],
)
def test_marketing_slang_passes(gate: ModerationGate, text: str) -> None:
    (verdict,) = gate.check([text])
    assert not verdict.flagged, verdict.reasons


@pytest.mark.parametrize(
    "text", ["FRIDAYTEA", "BREW2", "Use code SPRINGSALE at the till.", "本周五买一送一，优惠码FRIDAYTEA。"]
)
def test_promo_codes_in_capitals_are_not_read_as_rare_threats(gate: ModerationGate, text: str) -> None:
    # the demo's own promo code was held for review as "most like self_harm"
    (verdict,) = gate.check([text])
    assert not verdict.flagged, verdict.reasons


@pytest.mark.parametrize(
    "text", ["Store front", "Logo", "Team", "Shop window", "Opening hours", "Voucher", "其他", "橱窗"]
)
def test_short_fragments_such_as_alt_texts_are_not_flagged_or_held(gate: ModerationGate, text: str) -> None:
    """Held out (dev and final splits): "Store front" as a picture's alt text flagged a draft
    (0.70, "most like threat") and "Logo" was held, before short benign fragments were labeled."""
    (verdict,) = gate.check([text])
    assert not verdict.flagged and verdict.auto_approvable, verdict.reasons


@pytest.mark.parametrize(
    "text", ["NOBODY WOULD MISS YOU IF YOU VANISHED", "KEEP TALKING AND SEE WHAT HAPPENS TO YOUR CAR"]
)
def test_shouted_threats_are_still_flagged_by_meaning(gate: ModerationGate, text: str) -> None:
    (verdict,) = gate.check([text])
    assert verdict.flagged
    assert any(r.startswith("semantic.toxic ") for r in verdict.reasons)


#: Held out of the labeled set: everyday business copy and threats in the same idioms.
EVERYDAY = Path(__file__).resolve().parents[3] / "bench" / "data" / "moderation" / "everyday.csv"


@pytest.mark.parametrize(
    "text",
    [
        "Flat tyre? We'll fix you up in no time.",
        "Crush your goals with our 6am bootcamp.",
        "Shoot us a message to book your cake tasting.",
        "Drop-dead gorgeous cakes for every wedding.",
        "Fight the flu: jabs available at the counter, no appointment needed.",
        "Walk-ins welcome: we'll knock out a fade in twenty minutes.",
        "补胎换胎，十分钟搞定，随到随修。",
        "专业灭蟑灭鼠，一次搞定，无效退款。",
    ],
)
def test_everyday_business_idioms_are_not_flagged(gate: ModerationGate, text: str) -> None:
    (verdict,) = gate.check([text])
    assert not verdict.flagged, verdict.reasons


@pytest.mark.parametrize(
    "text",
    [
        "Flat tyre? That'll be the least of your problems if you come back here.",
        "Fix your prices or we'll fix your face.",
        "你的价格再这么低，我们就让你的脸也打折。",
        "再来砍价，我们砍的就是你。",
    ],
)
def test_threats_in_the_same_idioms_are_still_flagged_by_meaning(gate: ModerationGate, text: str) -> None:
    (verdict,) = gate.check([text])
    assert verdict.flagged
    assert verdict.scores["wordlist"] == {"match": 0.0}
    assert any(r.startswith("semantic.toxic ") for r in verdict.reasons)


def test_the_everyday_check_set_is_held_out_of_the_labeled_set() -> None:
    with EVERYDAY.open(encoding="utf-8", newline="") as f:
        held_out = {row["text"] for row in csv.DictReader(f)}
    assert len(held_out) >= 60
    assert not held_out & {r.text for r in labeled.bundled()}


def test_the_labeled_set_is_big_balanced_and_split_before_tuning() -> None:
    rows = labeled.bundled()
    assert len(rows) >= 800
    languages = Counter(r.language for r in rows)
    assert abs(languages["en"] - languages["zh"]) < 0.1 * len(rows)
    assert {r.label for r in rows} == set(labeled.LABELS)
    splits = Counter(r.split for r in rows)
    assert splits["final"] >= 0.15 * len(rows) and splits["dev"] >= 0.15 * len(rows)
    assert len({r.text for r in rows}) == len(rows)


def test_the_shipped_model_was_trained_on_the_shipped_train_split() -> None:
    model = semantic.bundled_model()
    assert model.data_sha256 == labeled.fingerprint(labeled.split_of(labeled.bundled(), "train"))


def test_a_saved_model_reads_back_and_a_bad_file_is_a_config_error(tmp_path: Path) -> None:
    model = semantic.bundled_model()
    model.save(tmp_path / "m.npz")
    again = load(tmp_path / "m.npz")
    assert again.sha256 == model.sha256 and again.example_texts == model.example_texts
    (tmp_path / "bad.npz").write_bytes(b"not a model")
    with pytest.raises(ConfigError, match="not a readable semantic model"):
        load(tmp_path / "bad.npz")
    with pytest.raises(ConfigError, match="not a readable semantic model"):
        build_gate(ModerationSettings(semantic={"model": tmp_path / "missing.npz"}))


def test_an_accepted_model_in_the_data_dir_is_used(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="no candidate model"):
        training.accept(tmp_path)
    rows = [labeled.LabeledText("Your cat will vanish if you complain again.", "threat", "en")]
    model = training.fit(rows)
    model.save(training.candidate_path(tmp_path))
    before = build_gate(ModerationSettings(), data_dir=tmp_path).versions["semantic"]
    training.accept(tmp_path)
    after = build_gate(ModerationSettings(), data_dir=tmp_path).versions["semantic"]
    assert model.sha256[:12] not in before and model.sha256[:12] in after


def test_a_damaged_accepted_model_is_a_config_error_naming_the_file(tmp_path: Path) -> None:
    accepted = tmp_path / semantic.ACCEPTED
    accepted.parent.mkdir(parents=True)
    accepted.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ConfigError, match=r"semantic\.npz: not a readable semantic model .*move it aside"):
        build_gate(ModerationSettings(), data_dir=tmp_path)


def test_a_running_gate_picks_up_a_newly_accepted_model(tmp_path: Path) -> None:
    gate = build_gate(ModerationSettings(), data_dir=tmp_path)
    before = gate.check(["Happy holidays"])[0].scorers["semantic"]
    model = training.fit([labeled.LabeledText("Your van will burn tonight.", "threat", "en")])
    model.save(training.candidate_path(tmp_path))
    training.accept(tmp_path)
    after = gate.check(["Happy holidays"])[0].scorers["semantic"]
    assert model.sha256[:12] not in before and model.sha256[:12] in after
    (tmp_path / semantic.ACCEPTED).write_bytes(b"damaged")
    (verdict,) = gate.check(["Happy holidays"])
    assert verdict.flagged and any("scorer semantic failed" in r for r in verdict.reasons)


def test_a_spreadsheet_csv_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "reviewed.csv"
    path.write_bytes("text,label\nKiller deals all week,benign\n".encode("utf-8-sig"))
    assert [(r.text, r.label) for r in labeled.read(path)] == [("Killer deals all week", "benign")]
