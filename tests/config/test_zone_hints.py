"""Hostile pass findings 11 and 17: a zone abbreviation is hinted with its places' zones (never
a spelling match such as AEST -> EST, fixed UTC-5), a fixed-offset zone name is a warning, a
config saved with a byte-order mark loads, and a UTF-16 one says so. Real config files, the
real CLI (in-process, and once in a subprocess)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import available_timezones

import pytest
from click.testing import CliRunner

from bot.cli.main import cli
from bot.config.types import parse_timezone
from bot.config.zones import ABBREVIATIONS, FIXED_ABBREVIATIONS, place_suggestions
from tests.conftest import run_cli


def check(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--config", str(config), *(args or ("config", "check"))])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("zone", "places"),
    [
        ("AEST", "Australia/Sydney, Australia/Melbourne or Australia/Brisbane"),
        ("AEDT", "Australia/Sydney, Australia/Melbourne or Australia/Brisbane"),
        ("ACST", "Australia/Adelaide or Australia/Darwin"),
        ("AWST", "Australia/Perth"),
        ("NZST", "Pacific/Auckland"),
        ("NZDT", "Pacific/Auckland"),
        ("SGT", "Asia/Singapore"),
        ("HKT", "Asia/Hong_Kong"),
        ("JST", "Asia/Tokyo"),
        ("KST", "Asia/Seoul"),
        ("IST", "Asia/Kolkata"),
        ("CST", "America/Chicago, Asia/Shanghai"),
        ("BST", "Europe/London"),
        ("CEST", "Europe/Berlin"),
        ("PST", "America/Los_Angeles"),
        ("PDT", "America/Los_Angeles"),
        ("EDT", "America/New_York"),
        ("aest", "Australia/Sydney"),
    ],
)
def test_an_abbreviation_is_hinted_with_its_places(write_config: Any, zone: str, places: str) -> None:
    config = write_config().with_name("bot.toml")
    config.write_text(config.read_text().replace('"Asia/Shanghai"', f'"{zone}"'))
    code, output = check(config)
    assert code == 1, output
    assert f"bot.timezone = '{zone}': unknown time zone: {zone} is an abbreviation" in output, output
    assert places in output, output
    assert "did you mean" not in output, output


def test_every_hinted_zone_is_a_place_zone() -> None:
    known = available_timezones()
    for abbreviation, (_, zones) in {**ABBREVIATIONS, **FIXED_ABBREVIATIONS}.items():
        assert all(z in known and "/" in z for z in zones), abbreviation
    assert not set(ABBREVIATIONS) & known  # a valid name never reaches the table


@pytest.mark.parametrize("typo", ["AEST", "BST", "HKT", "ESTT", "Eastern", "CEDT", "Zulu Time", "GMT8", "ET"])
def test_no_hint_names_a_zone_without_its_place(typo: str) -> None:
    with pytest.raises(ValueError, match="unknown time zone") as err:
        parse_timezone(typo)
    hinted = str(err.value).partition("(did you mean ")[2]
    names = [name.strip(" ?)") for name in hinted.split(",") if name.strip()]
    assert all("/" in name and not name.startswith("Etc/") for name in names), err.value
    assert "EST?" not in str(err.value) and "EST," not in str(err.value)


def test_a_city_alone_is_hinted_with_its_zone() -> None:
    assert place_suggestions("Melbourne")[0] == "Australia/Melbourne"
    assert place_suggestions("sydney")[0] == "Australia/Sydney"
    assert place_suggestions("new york")[0] == "America/New_York"


def test_a_fixed_offset_zone_is_a_warning_not_an_error(write_config: Any) -> None:
    config = write_config('timezone = "EST"\n')  # appended to the base campaign
    code, output = check(config)
    assert code == 0, output
    assert (
        "warning: campaigns[0] (promo).timezone = 'EST': UTC-5 all year, with no summer time; "
        "for a place, write its zone, which keeps its summer time: America/New_York or America/Toronto"
    ) in output, output


def test_a_config_with_a_byte_order_mark_loads(write_config: Any) -> None:
    config = write_config()
    config.write_bytes(b"\xef\xbb\xbf" + config.read_bytes().replace(b"\n", b"\r\n"))
    done = run_cli("config", "check", config=config)
    assert done.returncode == 0, done.stderr
    for args in (("db", "upgrade"), ("campaigns", "sync")):
        done = run_cli(*args, config=config)
        assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_config_says_so(write_config: Any, encoding: str) -> None:
    config = write_config()
    config.write_bytes(config.read_text().encode(encoding))
    code, output = check(config)
    assert code == 1
    assert f"{config}: the file is UTF-16; save it as UTF-8" in output, output
    assert "Invalid statement" not in output and "codec" not in output
