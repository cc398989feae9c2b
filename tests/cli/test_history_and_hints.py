"""Small things of the hostile pass (finding 16): `bot history --draft N` of no draft exits 1
naming it, as `bot queue show` does; "Xmas Day" is hinted as Christmas Day; a wrong digest
says the digest does not match. Real CLI in a subprocess, real SQLite."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.festivals import validate_holiday
from tests.conftest import run_cli


def test_history_of_a_draft_that_does_not_exist_exits_1(write_config: Any) -> None:
    config = write_config()
    for args in (("db", "upgrade"), ("campaigns", "sync"), ("campaigns", "fire", "promo")):
        assert run_cli(*args, config=config).returncode == 0
    missing = run_cli("history", "--draft", "999", config=config)
    assert missing.returncode == 1 and missing.stdout == ""
    assert missing.stderr == "Error: no draft 999\n", missing.stderr
    there = run_cli("history", "--draft", "1", "--json", config=config)
    assert there.returncode == 0 and json.loads(there.stdout)[0]["entity_id"] == 1


def test_a_wrong_digest_says_it_does_not_match(write_config: Any) -> None:
    config = write_config()
    for args in (("db", "upgrade"), ("campaigns", "sync"), ("campaigns", "fire", "promo")):
        assert run_cli(*args, config=config).returncode == 0
    wrong = run_cli("queue", "approve", "1", "--sha256", "0" * 64, config=config)
    assert wrong.returncode == 1
    assert "draft 1: its text does not match the sha256 given (the digest is wrong" in wrong.stderr, (
        wrong.stderr
    )


def test_xmas_day_is_hinted_as_christmas_day() -> None:
    with pytest.raises(ValueError, match=r"unknown holiday 'Xmas Day' for GB \(did you mean 'Christmas Day'"):
        validate_holiday("Xmas Day", "GB")
