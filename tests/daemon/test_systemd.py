"""The systemd unit: hardened as promised, and accepted by ``systemd-analyze verify``."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNIT = Path(__file__).resolve().parents[2] / "systemd" / "bot.service"
WEB_UNIT = UNIT.with_name("bot-web.service")


def _settings(unit: Path = UNIT) -> dict[str, str]:
    values = {}
    for line in unit.read_text().splitlines():
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


def test_web_unit_is_hardened_and_runs_bot_web() -> None:
    unit = _settings(WEB_UNIT)
    assert unit["ExecStart"].endswith(" web")
    assert unit["User"] == "bot" and unit["ProtectSystem"] == "strict" and unit["NoNewPrivileges"] == "yes"
    assert unit["CapabilityBoundingSet"] == "" and unit["MemoryDenyWriteExecute"] == "yes"
    assert unit["Restart"] == "always" and unit["StartLimitIntervalSec"] == "0"
    assert unit["UMask"] == "0077"  # the secrets file it may write is the owner's only
    daemon = _settings()
    assert {k: daemon[k] for k in ("StateDirectory", "EnvironmentFile")} == {
        k: unit[k] for k in ("StateDirectory", "EnvironmentFile")
    }


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
@pytest.mark.parametrize("source", [UNIT, WEB_UNIT], ids=lambda p: p.name)
def test_systemd_analyze_verify(tmp_path: Path, source: Path) -> None:
    bot = Path(sys.executable).with_name("bot")
    if not bot.exists():
        pytest.skip("the bot console script is not installed in this environment")
    unit = tmp_path / source.name
    unit.write_text(source.read_text().replace("/opt/bot/.venv/bin/bot", str(bot)))
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert source.name not in result.stderr, result.stderr
