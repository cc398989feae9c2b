"""Reviewers teach the gate: reject --because toxic -> export -> train --add -> --accept."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

from bot.adapters.store import engine as engines
from bot.config import load_settings
from bot.domain import CampaignSpec
from bot.domain.ports import FixedClock
from bot.wiring import Wiring
from tests.conftest import run_cli

NOW = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)
#: The CLI reads the drafts' clock: on the real one they would be past their expiry (refused).
CLOCK = {"BOT_FAKE_NOW": NOW.isoformat()}


def _drafts(config: Any) -> list[int]:
    settings = load_settings(config)
    engines.upgrade(settings.database_url)
    app = Wiring(settings, clock=FixedClock(NOW))
    try:
        specs = [CampaignSpec(c.name, c.kind, c.model_dump(mode="json")) for c in settings.campaigns]
        app.store.sync_campaigns(specs, NOW, "test")
        slot = app.store.create_slot(app.store.get_campaign("promo").id, NOW, NOW, "test")
        assert slot is not None
        return app.drafting.draft_slot(slot)
    finally:
        app.close()


def _semantic_version(config: Any) -> str:
    out = run_cli("moderation", "scorers", "--json", config=config)
    assert out.returncode == 0, out.stderr
    return next(s["version"] for s in json.loads(out.stdout) if s["scorer"] == "semantic")


def test_train_export_add_accept_loop(write_config: Any, tmp_path: Any) -> None:
    config = write_config()
    first, second = _drafts(config)[:2]
    out = run_cli(
        "queue", "reject", str(first), "--reason", "rude", "--because", "toxic", "--as", "ann", config=config
    )
    assert out.returncode == 0, out.stderr
    out = run_cli("queue", "reject", str(second), "--reason", "wrong", "--because", "nonsense", config=config)
    assert out.returncode == 2 and "--because" in out.stderr
    out = run_cli("queue", "approve", str(second), "--as", "ann", config=config, env=CLOCK)
    assert out.returncode == 0, out.stderr

    exported = tmp_path / "reviewed.csv"
    out = run_cli("moderation", "export", "--out", str(exported), config=config)
    assert out.returncode == 0, out.stderr
    assert "2 reviewed texts (1 toxic)" in out.stderr
    rows = {int(r["draft_id"]): r for r in csv.DictReader(io.StringIO(exported.read_text("utf-8")))}
    assert rows[first]["decision"] == "rejected" and rows[first]["category"] == "toxic"
    assert rows[first]["label"] in {"threat", "identity_attack", "insult", "self_harm", "sexual"}
    assert (rows[second]["decision"], rows[second]["label"]) == ("approved", "benign")

    shipped = _semantic_version(config)
    out = run_cli("moderation", "train", "--add", str(exported), "--json", config=config)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["added_rows"] == 2 and report["in_force"] == "bundled"
    assert {f["language"] for f in report["dev"]["candidate"]} == {"en", "zh"}
    assert all(0 <= f["recall"] <= 1 and 0 <= f["fpr"] <= 1 for f in report["dev"]["candidate"])
    candidate = report["candidate"]["model"]
    assert candidate not in shipped
    assert _semantic_version(config) == shipped  # not in force before --accept

    out = run_cli("moderation", "train", "--accept", config=config)
    assert out.returncode == 0, out.stderr
    assert "dev split" in out.stdout and "accepted" in out.stdout
    assert candidate in _semantic_version(config)
    out = run_cli("moderation", "check", "--json", "Happy holidays", config=config)
    assert candidate in json.loads(out.stdout)[0]["scorers"]["semantic"]
    out = run_cli("moderation", "train", "--accept", config=config)
    assert out.returncode == 1 and "no candidate model" in out.stderr
    assert "Traceback" not in out.stderr


def test_training_on_a_file_with_no_rows_is_refused_and_leaves_no_candidate(
    write_config: Any, tmp_path: Any
) -> None:
    config = write_config()
    empty = tmp_path / "empty.csv"
    empty.write_text("text,label\n", encoding="utf-8")
    out = run_cli("moderation", "train", "--add", str(empty), config=config)
    assert out.returncode == 1
    expected = f"Error: {empty}: no labeled rows in it (columns text,label; one row per text)"
    assert out.stderr.strip() == expected
    assert not list(tmp_path.rglob("semantic-candidate.npz"))


def _in_force(config: Any) -> dict[str, Any]:
    out = run_cli("config", "show", config=config)
    assert out.returncode == 0, out.stderr
    return {row["scorer"]: row for row in json.loads(out.stdout)["moderation"]["in_force"]}


def test_config_show_names_the_moderation_model_in_force(write_config: Any, tmp_path: Any) -> None:
    """``bot config show``: the word lists and the semantic model file in force (shipped,
    accepted, or named in the config) with the hashes the audit records and `moderation
    scorers` show; a detoxify checkpoint is named without being loaded (no torch)."""
    import shutil
    import subprocess
    import sys
    from importlib import resources

    config = write_config()
    shown = _in_force(config)
    assert shown["wordlist"]["files"] == ["bundled en.txt", "bundled zh.txt"]
    semantic = shown["semantic"]
    assert semantic["from"] == "shipped in the package" and semantic["model"].startswith("bundled ")
    version = _semantic_version(config)
    assert f"model {semantic['model_sha256'][:12]}" in version
    assert f"data {semantic['data_sha256'][:12]}" in version

    shipped = resources.files("bot.adapters.moderation").joinpath("data/semantic.npz")
    accepted = tmp_path / "data" / "moderation" / "semantic.npz"
    accepted.parent.mkdir(parents=True, exist_ok=True)
    accepted.write_bytes(shipped.read_bytes())
    semantic = _in_force(config)["semantic"]
    assert semantic["from"] == "accepted (bot moderation train --accept)"
    assert semantic["model"] == str(accepted)
    accepted.write_bytes(b"not a model")
    semantic = _in_force(config)["semantic"]
    assert "not a readable semantic model" in semantic["error"] and "model_sha256" not in semantic

    own = tmp_path / "own.npz"
    shutil.copyfile(str(shipped), own)
    extra = tmp_path / "extra.txt"
    extra.write_text("badword\n", encoding="utf-8")
    config = write_config(
        '[moderation]\nscorers = ["wordlist", "semantic", "detoxify"]\n'
        '[moderation.semantic]\nmodel = "own.npz"\n[moderation.wordlist]\nfiles = ["extra.txt"]\n'
        '[moderation.detoxify]\ncheckpoint = "models/tox.ckpt"\nmodel_dir = "models/tox"\n'
    )
    shown = _in_force(config)
    assert shown["semantic"]["model"] == str(own) and shown["semantic"]["from"].startswith("config")
    assert shown["wordlist"]["files"][-1] == str(extra)
    assert shown["detoxify"]["checkpoint"] == str(tmp_path / "models" / "tox.ckpt")
    probe = (
        "import sys\nfrom bot.cli.main import cli\n"
        f"cli.main(['--config', {str(config)!r}, 'config', 'show'], standalone_mode=False)\n"
        "print('torch' in sys.modules, file=sys.stderr)\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, timeout=120
    )
    assert ran.returncode == 0 and ran.stderr.strip().endswith("False"), ran.stderr
