"""The built wheel works on its own: built offline from a copy of the source tree, installed
(not editable) into a fresh virtualenv that borrows the current environment's dependencies
(nothing is downloaded), it upgrades a database with the migrations it carries, syncs the
config and lists the queue."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = """
[brand]
name = "Wheel Test Shop"

[model]
backend = "canned"

[[accounts]]
name = "outbox"
platform = "dryrun"

[[campaigns]]
name = "promo"
kind = "promo"
when = { cron = "0 10 * * FRI" }
accounts = ["outbox"]
brief = "Write a promo for {{ brand }}."
"""

pytestmark = pytest.mark.slow


def _run(cmd: list[str | Path], cwd: Path, env: dict[str, str]) -> str:
    result = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, f"{cmd}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def test_the_wheel_carries_its_migrations_and_runs(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "BOT_CONFIG")}
    env.update(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1", HF_HUB_OFFLINE="1")
    source = tmp_path / "src"  # building in place would leave build/ in the checkout
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(".venv", ".git", "tests", "bench", "*.egg-info", "build", "dist", ".*"),
    )
    wheels = tmp_path / "wheels"
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", wheels, source],
        tmp_path,
        env,
    )
    (wheel,) = wheels.glob("bot-*.whl")

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], tmp_path, env)
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", wheel], tmp_path, env)
    # The dependencies come from this environment: its site-packages after the venv's own, as a
    # plain path (its .pth files, such as the editable install of the checkout, are not run).
    site = Path(
        _run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], tmp_path, env).strip()
    )
    (site / "borrowed-deps.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")

    where = _run(
        [
            python,
            "-c",
            "import bot, bot.adapters.store.schema as s; print(bot.__file__); print(s.migrations_dir())",
        ],
        tmp_path,
        env,
    )
    package, migrations = where.split()
    assert Path(package).is_relative_to(venv) and Path(migrations) == Path(package).parent / "_migrations"

    work = tmp_path / "work"
    work.mkdir()
    (work / "bot.toml").write_text(CONFIG, encoding="utf-8")
    bot = venv / "bin" / "bot"
    _run([bot, "db", "upgrade"], work, env)
    assert json.loads(_run([bot, "campaigns", "sync", "--json"], work, env))["added"] == ["promo"]
    assert json.loads(_run([bot, "queue", "--json"], work, env)) == []
    assert (work / "data" / "bot.db").is_file()
