"""Hostile pass finding 17: `bot queue regenerate` of a rejected draft said only "draft 5 is
rejected, not flagged or pending_review". Now it names the way on: its slot's draft that is
waiting, or, with nothing of the slot left, `bot campaigns fire NAME`. The web page's request
says the same. Real SQLite, the real CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.cli.main import cli
from bot.domain.errors import StateConflict


def bot(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--config", str(config), *args])
    return result.exit_code, result.output


def test_regenerating_a_rejected_draft_says_how_to_go_on(write_config: Any) -> None:
    config = write_config()
    for args in (("db", "upgrade"), ("campaigns", "sync"), ("campaigns", "fire", "promo")):
        code, output = bot(config, *args)
        assert code == 0, output
    assert "draft ids: 1, 2" in output  # two alternatives of one slot
    assert bot(config, "queue", "reject", "1", "--reason", "off", "--as", "jo")[0] == 0

    code, output = bot(config, "queue", "regenerate", "1", "--as", "jo")
    assert code == 1
    assert (
        "draft 1 is rejected; only a draft waiting for review can be regenerated. Its slot's draft 2 "
        "is waiting: review or regenerate it (`bot queue show 2`)"
    ) in output, output

    assert bot(config, "queue", "reject", "2", "--reason", "off", "--as", "jo")[0] == 0
    code, output = bot(config, "queue", "regenerate", "2", "--as", "jo")
    assert code == 1
    assert (
        "draft 2 is rejected; only a draft waiting for review can be regenerated, and nothing else "
        "of its slot is waiting. For a new draft, fire the campaign again: `bot campaigns fire promo`"
    ) in output, output


def test_the_web_request_says_the_same(write_config: Any) -> None:
    from bot.config import load_settings
    from bot.wiring import Wiring

    config = write_config()
    for args in (("db", "upgrade"), ("campaigns", "sync"), ("campaigns", "fire", "promo")):
        assert bot(config, *args)[0] == 0
    for draft in ("1", "2"):
        assert bot(config, "queue", "reject", draft, "--reason", "off", "--as", "jo")[0] == 0
    app = Wiring(load_settings(config))
    try:
        with pytest.raises(StateConflict, match=r"fire the campaign again: `bot campaigns fire promo`"):
            app.requests.regenerate(2, "jo")
    finally:
        app.close()
