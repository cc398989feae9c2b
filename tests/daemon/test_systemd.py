"""The systemd unit: hardened as promised, and accepted by ``systemd-analyze verify``."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNIT = Path(__file__).resolve().parents[2] / "systemd" / "bot.service"


def _settings() -> dict[str, str]:
    values = {}
    for line in UNIT.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def test_unit_is_hardened() -> None:
    unit = _settings()
    assert unit["Type"] == "notify" and unit["WatchdogSec"]
    assert unit["User"] == "bot" and unit["ProtectSystem"] == "strict"
    assert unit["StateDirectory"] == "bot" and unit["EnvironmentFile"] == "/etc/bot/bot.env"
    assert unit["NoNewPrivileges"] == "yes"
    assert unit["ExecReload"] == "/bin/kill -HUP $MAINPID"
    assert " run" in unit["ExecStart"]


def test_restart_policy_never_gives_up() -> None:
    """A long database outage (or any crash loop) must not leave the daemon stopped for good."""
    unit = _settings()
    assert unit["Restart"] == "always"
    assert unit["StartLimitIntervalSec"] == "0", "systemd must never stop restarting it"
    assert "StartLimitBurst" not in unit
    restart = unit["RestartSec"]
    assert restart.endswith("s") and 1 <= int(restart[:-1]) <= 60, restart


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_verify(tmp_path: Path) -> None:
    bot = Path(sys.executable).with_name("bot")
    if not bot.exists():
        pytest.skip("the bot console script is not installed in this environment")
    unit = tmp_path / "bot.service"
    unit.write_text(UNIT.read_text().replace("/opt/bot/.venv/bin/bot", str(bot)))
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "bot.service" not in result.stderr, result.stderr
