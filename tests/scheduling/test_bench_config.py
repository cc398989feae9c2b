"""``bench/scheduling.py`` never expires: its one-off campaigns are counted from the bot's
clock, so its config passes ``bot config check`` today and years from now (it held one-offs in
2027, which would have made it a config error once they passed)."""

from __future__ import annotations

import importlib.util
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import ROOT, run_cli


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_scheduling", ROOT / "bench" / "scheduling.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("years_ahead", [0, 5])
def test_the_calendar_bench_config_is_valid_whenever_it_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, years_ahead: int
) -> None:
    now = (datetime.now(UTC) + timedelta(days=365 * years_ahead)).replace(microsecond=0)
    monkeypatch.setenv("BOT_FAKE_NOW", now.isoformat())
    bench = _bench()
    config = tmp_path / "bot.toml"
    config.write_text(bench.calendar_config(bench._today()), encoding="utf-8")
    one_offs = re.findall(r'at = "(\d{4}-\d\d-\d\d) 09:30"', config.read_text(encoding="utf-8"))
    days = sorted((date.fromisoformat(d) - now.date()).days for d in one_offs)
    assert len(days) == 100 and days[0] >= 20 and days[-1] <= 320, days
    checked = run_cli("config", "check", config=config, env={"BOT_FAKE_NOW": now.isoformat()})
    assert checked.returncode == 0, checked.stderr[-2000:]
    assert "1000 campaigns" in checked.stdout
