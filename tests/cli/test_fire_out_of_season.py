"""A holiday campaign fired (or previewed) on a day that is neither its slot's nor its
holiday's says so: the holiday and its next real slot (the hostile pass's finding 8: a New
Year greeting fired on 6 December said nothing). Real CLI in a subprocess, real SQLite, the
clock set by ``BOT_FAKE_NOW``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.config import load_settings
from bot.services.firing import off_season
from tests.conftest import run_cli

GREETINGS = """
[[campaigns]]
name = "new-year"
kind = "greeting"
when = { holiday = "New Year's Day", country = "GB", at = "10:00" }
timezone = "Europe/London"
accounts = ["outbox"]
brief = "Happy new year from {{ brand }}."

[[campaigns]]
name = "mid-autumn"
kind = "greeting"
when = { holiday = "Mid-Autumn Festival", country = "CN", offset = "-1d", at = "09:00" }
accounts = ["outbox"]
brief = "A Mid-Autumn greeting from {{ brand }}."
"""

DECEMBER = {"BOT_FAKE_NOW": "2026-12-06T16:53:00+00:00"}


def _ready(write_config: Any) -> Path:
    config = write_config(GREETINGS)
    for args in (("db", "upgrade"), ("campaigns", "sync")):
        done = run_cli(*args, config=config, env=DECEMBER)
        assert done.returncode == 0, done.stderr
    return config


def test_a_new_year_greeting_fired_in_december_names_its_next_slot(write_config: Any) -> None:
    config = _ready(write_config)
    fired = run_cli("campaigns", "fire", "new-year", config=config, env=DECEMBER)
    assert fired.returncode == 0, fired.stderr
    assert (
        "warning: new-year is a New Year's Day greeting; its next slot is 2027-01-01 10:00 UTC "
        "(2027-01-01 10:00 Europe/London); firing it now drafts it for today, 2026-12-06\n"
    ) in fired.stderr
    assert fired.stdout.startswith("slot 1 at 2026-12-06 16:53 UTC: draft ids: ")

    on_the_day = run_cli(
        "campaigns", "fire", "new-year", "--at", "2027-01-01 10:00", config=config, env=DECEMBER
    )
    assert on_the_day.returncode == 0, on_the_day.stderr
    assert "warning" not in on_the_day.stderr

    as_json = run_cli(
        "campaigns", "fire", "new-year", "--at", "2026-12-31 10:00", "--json", config=config, env=DECEMBER
    )
    assert as_json.returncode == 0 and as_json.stderr == "", as_json.stderr
    assert json.loads(as_json.stdout)["out_of_season"] == (
        "new-year is a New Year's Day greeting; its next slot is 2027-01-01 10:00 UTC "
        "(2027-01-01 10:00 Europe/London); firing it --at 2026-12-31 10:00 drafts it for 2026-12-31"
    )


def test_a_promo_and_a_greeting_in_season_say_nothing(write_config: Any) -> None:
    config = _ready(write_config)
    promo = run_cli("campaigns", "fire", "promo", "--json", config=config, env=DECEMBER)
    assert json.loads(promo.stdout)["out_of_season"] is None
    # the Mid-Autumn Festival 2027 is 15 September (CN); the campaign's slot is the eve, 09:00
    # Shanghai time; fired on the festival itself, it is still the festival's greeting
    day = run_cli("campaigns", "fire", "mid-autumn", "--at", "2027-09-15 03:00", config=config, env=DECEMBER)
    assert day.returncode == 0 and "warning" not in day.stderr, day.stderr


def test_a_preview_out_of_season_warns_too(write_config: Any) -> None:
    config = _ready(write_config)
    shown = run_cli("drafts", "preview", "mid-autumn", config=config, env=DECEMBER)
    assert shown.returncode == 0, shown.stderr
    assert (
        "warning: mid-autumn is a Mid-Autumn Festival greeting; its next slot is 2027-09-14 01:00 UTC "
        "(2027-09-14 09:00 Asia/Shanghai); previewing it now drafts it for today, 2026-12-07\n"
    ) in shown.stderr


def test_off_season_reads_the_campaign_time_zone(write_config: Any) -> None:
    settings = load_settings(write_config(GREETINGS))
    # 23:30 UTC on 31 December is already New Year's Day in Shanghai, not in London
    late = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    season = off_season(settings, "new-year", late)
    assert season is not None and season.day.isoformat() == "2026-12-31"
    assert off_season(settings, "new-year", datetime(2027, 1, 1, 0, 30, tzinfo=UTC)) is None
    assert off_season(settings, "promo", late) is None
