"""`bot calendar` over its longest window with a campaign firing every minute: it read 3.8 GB
and ran past a minute (hostile user, 2026-12-07); it lists the first slots and says so."""

from __future__ import annotations

import json
import time
from typing import Any

from click.testing import CliRunner

from bot.cli.main import cli
from bot.services.calendar import MAX_SLOTS
from tests.conftest import BASE_CONFIG


def test_a_ten_year_calendar_of_a_campaign_every_minute_is_bounded(write_config: Any, caplog: Any) -> None:
    config = write_config(base=BASE_CONFIG.replace('cron = "0 10 * * FRI"', 'every = "1m"'))
    started = time.monotonic()
    shown = CliRunner().invoke(cli, ["--config", str(config), "calendar", "--days", "3660", "--json"])
    assert shown.exit_code == 0, shown.output
    slots = json.loads(shown.stdout)["slots"]
    assert len(slots) == MAX_SLOTS
    assert "showing the first 10000 slots only" in caplog.text
    print(f"took {time.monotonic() - started:.1f} s")
