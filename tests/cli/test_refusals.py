"""Refusals and reports that name the problem (hostile user, 2026-12-07): a disabled campaign
is not fired by hand (its drafts could not be approved, so the model run would be for
nothing); `bot db upgrade REVISION` never claims a downgrade it did not do; `bot accounts`
says why a credential is unusable, and that there are no accounts to check."""

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


def test_accounts_list_says_why_a_credential_is_unusable(write_config: Any) -> None:
    config = write_config(
        '\n[[accounts]]\nname = "masto"\nplatform = "mastodon"\nbase_url = "https://m.example"\n'
    )
    assert CliRunner().invoke(cli, ["--config", str(config), "db", "upgrade"]).exit_code == 0
    listed = CliRunner().invoke(
        cli, ["--config", str(config), "accounts", "list"], env={"BOT_MASTO_ACCESS_TOKEN": "abc "}
    )
    assert listed.exit_code == 0, listed.output
    assert "unusable: accounts.masto: credential access_token in $BOT_MASTO_ACCESS_TOKEN has trailing" in (
        listed.output
    )
    assert "abc" not in listed.output
