"""Plugins: a third-party platform installed from its own package works end to end through the
CLI with no change to ``bot/``; the built-in platforms register the same way."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot import plugins
from bot.domain.errors import ConfigError
from bot.domain.platforms import PlatformDescription
from tests.conftest import ROOT, run_cli

PACKAGE = Path(__file__).parent / "plugins" / "bot-fileplatform"

FILE_ACCOUNT = """
[[accounts]]
name = "notes"
platform = "file"
path = "{path}"
max_chars = 400

[[campaigns]]
name = "jotting"
kind = "promo"
when = {{ cron = "0 10 * * FRI" }}
accounts = ["notes"]
brief = "Write a promo for {{{{ brand }}}}."
"""


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The plugin package installed with pip into a directory of its own (offline, no deps)."""
    work = tmp_path_factory.mktemp("plugin")
    source = work / "src"
    shutil.copytree(PACKAGE, source)  # building writes build/ and egg-info beside the sources
    site = work / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", "--target", str(site), str(source)],
        check=True, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    return site


def _cli(*args: str, config: Path, site: Path | None, token: bool = True) -> subprocess.CompletedProcess[str]:
    path = os.pathsep.join([str(site), str(ROOT)]) if site else str(ROOT)
    env = {"PYTHONPATH": path}
    if token:
        env["BOT_NOTES_TOKEN"] = "s3cret"
    return run_cli(*args, config=config, env=env)


def _ok(*args: str, config: Path, site: Path) -> Any:
    result = _cli(*args, config=config, site=site)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if "--json" in args else result.stdout


def test_a_plugin_platform_syncs_drafts_approves_and_publishes(
    plugin_site: Path, write_config: Any, tmp_path: Path
) -> None:
    posts = tmp_path / "posts.jsonl"
    config = write_config(FILE_ACCOUNT.format(path=posts))

    listed = _ok("plugins", "--json", config=config, site=plugin_site)
    platforms = {p["name"]: p for p in listed if p["group"] == "bot.platforms"}
    assert {"file", "dryrun", "x", "reddit", "mastodon", "bluesky"} <= set(platforms)
    assert platforms["file"]["package"] == "bot-fileplatform"

    _ok("db", "upgrade", config=config, site=plugin_site)
    accounts = {a["name"]: a for a in _ok("accounts", "list", "--json", config=config, site=plugin_site)}
    assert accounts["notes"]["platform"] == "file" and accounts["notes"]["credentials"] == {"token": True}
    _ok("campaigns", "sync", config=config, site=plugin_site)
    fired = _ok("campaigns", "fire", "jotting", "--json", config=config, site=plugin_site)
    assert fired, fired
    queue = _ok("queue", "--json", config=config, site=plugin_site)
    draft = next(d for d in queue if d["campaign"] == "jotting")
    assert any(c["name"] == "limit:notes" and c["passed"] for c in draft["checks"]), draft["checks"]
    _ok("queue", "approve", str(draft["id"]), "--as", "ann", config=config, site=plugin_site)
    report = _ok("run", "--once", "--json", config=config, site=plugin_site)
    assert len(report["published"]) == 1, report

    [line] = [json.loads(text) for text in posts.read_text().splitlines()]
    assert line["text"] == draft["text"] and line["signed"] == "s3"


def test_without_the_plugin_the_account_names_the_missing_platform(write_config: Any, tmp_path: Path) -> None:
    config = write_config(FILE_ACCOUNT.format(path=tmp_path / "posts.jsonl"))
    result = _cli("config", "check", config=config, site=None)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "accounts[1] (notes).platform = 'file': no platform named 'file' is installed" in result.stderr


def test_builtin_platforms_are_descriptions_registered_as_entry_points() -> None:
    for name in ("dryrun", "x", "reddit", "mastodon", "bluesky"):
        described = plugins.platform(name)
        assert isinstance(described, PlatformDescription) and described.name == name
        assert plugins.available(plugins.PLATFORMS)[name].package == "bot"
    with pytest.raises(ConfigError, match="no platform named 'myspace'"):
        plugins.platform("myspace")
