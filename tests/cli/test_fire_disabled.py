"""A disabled campaign is not fired by hand: its drafts could not be approved, so the model run
would be for nothing (hostile user, 2026-12-07). `bot db upgrade REVISION` never claims a
downgrade it did not do, and `bot accounts check` with no accounts says so."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner

from bot.cli.main import cli
from tests.conftest import BASE_CONFIG


def test_firing_a_disabled_campaign_is_refused_before_any_slot(write_config: Any) -> None:
    config = write_config(base=BASE_CONFIG.replace('kind = "promo"', 'kind = "promo"\nenabled = false'))
    base = ["--config", str(config)]
    assert CliRunner().invoke(cli, [*base, "db", "upgrade"]).exit_code == 0
    assert CliRunner().invoke(cli, [*base, "campaigns", "sync"]).exit_code == 0
    fired = CliRunner().invoke(cli, [*base, "campaigns", "fire", "promo"])
    assert fired.exit_code == 1
    assert "campaign 'promo' is disabled (enabled = false in" in fired.output
    assert "bot drafts preview promo" in fired.output
    slots = CliRunner().invoke(cli, [*base, "history", "--entity", "slot", "--json"])
    assert slots.exit_code == 0 and json.loads(slots.output) == []  # no slot was made


def test_upgrade_to_an_older_revision_says_it_did_not_downgrade(write_config: Any) -> None:
    config = write_config()
    base = ["--config", str(config)]
    assert "database at 0005:" in CliRunner().invoke(cli, [*base, "db", "upgrade"]).output
    older = CliRunner().invoke(cli, [*base, "db", "upgrade", "0001"])
    assert older.exit_code == 1
    assert "the database is at revision 0005, not 0001: `bot db upgrade` does not downgrade" in older.output


def test_accounts_check_with_no_accounts_says_so(write_config: Any) -> None:
    config = write_config(base=BASE_CONFIG.split("[[accounts]]")[0])
    checked = CliRunner().invoke(cli, ["--config", str(config), "accounts", "check"])
    assert checked.exit_code == 0 and "no accounts configured" in checked.output, checked.output
