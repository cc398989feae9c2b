"""`bot drafts preview` and `bot model prepare|info`, run as a user would (subprocess)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.adapters.generation.gen_configs import write
from tests.conftest import run_cli


def test_preview_shows_candidates_with_checks_and_saves_nothing(tmp_path: Path) -> None:
    config = write(tmp_path)
    assert run_cli("db", "upgrade", config=config).returncode == 0
    result = run_cli("drafts", "preview", "mid-autumn", "--at", "2026-09-24 01:00", "--json", config=config)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["campaign"] == "mid-autumn" and data["slot_at"].startswith("2026-09-24T01:00")
    first = data["candidates"][0]
    assert first["rank"] == 1 and first["origin"] == "model" and first["passed"] is True
    assert {c["name"] for c in first["checks"]} >= {"brand", "limit:teahouse-x"}
    again = run_cli("drafts", "preview", "mid-autumn", "--at", "2026-09-24 01:00", "--json", config=config)
    assert json.loads(again.stdout)["candidates"] == data["candidates"]  # same seed, same drafts
    assert json.loads(run_cli("queue", "--json", config=config).stdout) == []


def test_preview_text_output_and_template_fallback(tmp_path: Path) -> None:
    config = write(tmp_path, model='backend = "embedded"')
    result = run_cli("drafts", "preview", "spring-zh", config=config)
    assert result.returncode == 0, result.stderr
    assert "origin=template" in result.stdout and "[PASS]" in result.stdout


def test_preview_errors_are_one_line(tmp_path: Path) -> None:
    config = write(tmp_path)
    result = run_cli("drafts", "preview", "broken", config=config)
    assert result.returncode == 1
    assert "Error: campaign 'broken': brief line 2" in result.stderr
    assert "Traceback" not in result.stderr
    missing = run_cli("drafts", "preview", "nope", config=config)
    assert missing.returncode == 1 and "no campaign named 'nope' in" in missing.stderr


def test_missing_model_is_reported_at_start(tmp_path: Path) -> None:
    config = write(tmp_path, model=f'backend = "transformers"\npath = "{tmp_path / "absent.gguf"}"')
    for args in (("model", "info"), ("model", "prepare"), ("drafts", "preview", "mid-autumn")):
        result = run_cli(*args, config=config)
        assert result.returncode == 1, args
        assert "Error: model not found" in result.stderr and "Traceback" not in result.stderr


def test_model_prepare_caches_and_info_reports_it(tmp_path: Path, tiny_gguf: Path) -> None:
    config = write(tmp_path, model=f'backend = "transformers"\npath = "{tiny_gguf}"\nthreads = 1')
    before = json.loads(run_cli("model", "info", "--json", config=config).stdout)
    assert before["model_id"] == "tiny-llama" and before["cached"] is False
    assert before["languages"] == ["en", "zh"]
    prepared = run_cli("model", "prepare", "--json", config=config)
    assert prepared.returncode == 0, prepared.stderr
    after = json.loads(run_cli("model", "info", "--json", config=config).stdout)
    assert after["cached"] is True and after["cache"].startswith(str(tmp_path / "data" / "models"))


def test_model_prepare_fails_when_its_cache_cannot_be_written(tmp_path: Path, tiny_gguf: Path) -> None:
    """It said "ready" and printed a cache path that did not exist (hostile user, 2026-12-07)."""
    config = write(tmp_path, model=f'backend = "transformers"\npath = "{tiny_gguf}"\nthreads = 1')
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / "models").write_text("a file where the cache folder goes", encoding="utf-8")
    prepared = run_cli("model", "prepare", config=config)
    assert prepared.returncode == 1, prepared.stdout + prepared.stderr
    assert "its cache could not be written" in prepared.stderr and "Traceback" not in prepared.stderr


def test_model_info_for_the_bundled_model(tmp_path: Path) -> None:
    info = json.loads(run_cli("model", "info", "--json", config=write(tmp_path, model="")).stdout)
    assert info["backend"] == "embedded" and info["model_id"] == "SmolLM2-135M-Instruct"
    assert info["languages"] == ["en"] and info["source"].endswith(".gguf")


def test_preview_shows_what_fire_then_drafts_on_a_new_install(tmp_path: Path, tiny_gguf: Path) -> None:
    """The first preview of an install de-quantizes the model; the firing after it loads the
    cached copy. Same --at, same seed: the same candidates, and the drafts fire saves are the
    preview's best (the campaign keeps the model's best draft, however poor)."""
    model = f'backend = "transformers"\npath = "{tiny_gguf}"\nthreads = 1\nmax_new_tokens = 16'
    config = write(
        tmp_path, model=model, extra="fallback = false\n[campaigns.sampling]\nkeep = 1\ncandidates = 8"
    )
    config.write_text(config.read_text(encoding="utf-8").split('[[campaigns]]\nname = "broken"')[0])
    assert run_cli("db", "upgrade", config=config).returncode == 0
    assert run_cli("campaigns", "sync", config=config).returncode == 0
    at = ("--at", "2026-09-24 01:00")
    first = run_cli("drafts", "preview", "mid-autumn", *at, "--json", config=config, timeout=300)
    assert first.returncode == 0, first.stderr
    again = run_cli("drafts", "preview", "mid-autumn", *at, "--json", config=config, timeout=300)
    previewed = [c["text"] for c in json.loads(first.stdout)["candidates"]]
    assert [c["text"] for c in json.loads(again.stdout)["candidates"]] == previewed
    fired = run_cli("campaigns", "fire", "mid-autumn", *at, "--json", config=config, timeout=300)
    assert fired.returncode == 0, fired.stderr
    drafts = json.loads(run_cli("queue", "--json", config=config).stdout)
    assert [d["text"] for d in drafts] == previewed[:1]
