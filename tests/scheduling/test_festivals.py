"""Holiday-relative triggers: known dates 2026-2030 for CN, US and KR; names; errors; the CLI."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.domain.errors import ConfigError
from bot.festivals import holiday_occurrences, validate_holiday
from tests.conftest import run_cli
from tests.scheduling_helpers import campaign, write_config

YEARS = (2026, 2030)


@pytest.mark.parametrize(
    ("country", "name", "expected"),
    [
        # Mid-Autumn Festival: 15th day of the 8th lunar month.
        ("CN", "Mid-Autumn Festival", ["2026-09-25", "2027-09-15", "2028-10-03", "2029-09-22", "2030-09-12"]),
        # Spring Festival is three days long in CN: only the first day (lunar new year) fires.
        (
            "CN",
            "Chinese New Year (Spring Festival)",
            ["2026-02-17", "2027-02-06", "2028-01-26", "2029-02-13", "2030-02-03"],
        ),
        ("CN", "National Day", ["2026-10-01", "2027-10-01", "2028-10-01", "2029-10-01", "2030-10-01"]),
        # Independence Day on a weekend is observed on a Friday/Monday: never fire on those.
        ("US", "Independence Day", ["2026-07-04", "2027-07-04", "2028-07-04", "2029-07-04", "2030-07-04"]),
        ("US", "Thanksgiving Day", ["2026-11-26", "2027-11-25", "2028-11-23", "2029-11-22", "2030-11-28"]),
        ("US", "Christmas Day", ["2026-12-25", "2027-12-25", "2028-12-25", "2029-12-25", "2030-12-25"]),
        ("KR", "Chuseok", ["2026-09-25", "2027-09-15", "2028-10-03", "2029-09-22", "2030-09-12"]),
        ("KR", "Korean New Year", ["2026-02-17", "2027-02-07", "2028-01-27", "2029-02-13", "2030-02-03"]),
    ],
)
def test_known_dates(country: str, name: str, expected: list[str]) -> None:
    days = holiday_occurrences(name, country, *YEARS)
    assert [d.isoformat() for d in days] == expected


def test_merged_names_count_for_both() -> None:
    # 2028: the package lists 3 Oct as "Mid-Autumn Festival; National Day".
    assert date(2028, 10, 3) in holiday_occurrences("Mid-Autumn Festival", "CN", 2028, 2028)
    assert holiday_occurrences("National Day", "CN", 2028, 2028) == [date(2028, 10, 1)]


def test_substitute_days_never_fire() -> None:
    # CN 2026: "Day off (substituted from 01/04/2026)" on 2 Jan is not New Year's Day.
    assert holiday_occurrences("New Year's Day", "CN", 2026, 2026) == [date(2026, 1, 1)]
    with pytest.raises(ValueError, match="unknown holiday"):
        validate_holiday("Day off (substituted from 01/04/2026)", "CN")


def test_names_are_case_insensitive() -> None:
    assert holiday_occurrences("mid-autumn festival", "cn", 2026, 2026) == [date(2026, 9, 25)]


@pytest.mark.parametrize(
    ("name", "country", "message"),
    [
        ("Mid Autumn", "CN", "did you mean 'Mid-Autumn Festival'"),
        ("Thanksgiving", "US", "did you mean 'Thanksgiving Day'"),
        ("Spring Festival", "CN", "'Chinese New Year (Spring Festival)'"),
        ("Mid-Autumn Festival", "XX", "unknown country 'XX'"),
    ],
)
def test_unknown_names_list_close_matches(name: str, country: str, message: str) -> None:
    with pytest.raises(ValueError, match="unknown") as info:
        validate_holiday(name, country)
    assert message in str(info.value)


def test_bad_holiday_is_a_config_error(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        campaign("moon", '{ holiday = "Mid Autum Festival", country = "CN", offset = "-1d", at = "09:00" }'),
    )
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    text = str(info.value)
    assert "campaigns[0] (moon).when" in text
    assert "Mid-Autumn Festival" in text and "bot.toml" in text


def test_an_unknown_holiday_suggests_its_season_not_any_day_through_the_cli(tmp_path: Path) -> None:
    """ "Easter Sunday" is no public holiday in GB: the hint is Good Friday (same season), not
    "New Year's Day" or "May Day" (they only share the word "day")."""
    config = write_config(tmp_path, campaign("easter", '{ holiday = "Easter Sunday", country = "GB" }'))
    out = run_cli("config", "check", config=config)
    assert out.returncode == 1, out.stdout
    assert "unknown holiday 'Easter Sunday' for GB (did you mean 'Good Friday'?)" in out.stderr, out.stderr
    with pytest.raises(ValueError, match=r"did you mean 'Easter Monday', 'Good Friday'\?"):
        validate_holiday("Easter Sunday", "DE")


def test_a_holiday_offset_is_at_most_sixty_days_either_way(tmp_path: Path) -> None:
    """-400d put a Christmas greeting in the November of the year before; 60 days is a countdown."""
    for offset, ok in (("-60d", True), ("+60d", True), ("-61d", False), ("-400d", False), ("+90d", False)):
        when = f'{{ holiday = "Christmas Day", country = "GB", offset = "{offset}" }}'
        out = run_cli("config", "check", config=write_config(tmp_path, campaign("xmas", when)))
        assert (out.returncode == 0) is ok, (offset, out.stderr)
        if not ok:
            assert "campaigns[0] (xmas).when" in out.stderr and "at most 60 days either way" in out.stderr


def test_bad_country_is_a_config_error(tmp_path: Path) -> None:
    path = write_config(tmp_path, campaign("moon", '{ holiday = "Mid-Autumn Festival", country = "CX1" }'))
    with pytest.raises(ConfigError, match="unknown country"):
        load_settings(path)


def test_holidays_list_cli() -> None:
    result = run_cli("holidays", "list", "--country", "CN", "--year", "2027", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["country"] == "CN" and data["year"] == 2027
    by_date = {h["date"]: h for h in data["holidays"]}
    assert by_date["2027-09-15"]["fires_for"] == ["Mid-Autumn Festival"]
    assert by_date["2027-02-06"]["fires_for"] == ["Chinese New Year (Spring Festival)"]
    assert by_date["2027-02-07"]["fires_for"] == []
    plain = run_cli("holidays", "list", "--country", "CN", "--year", "2027")
    assert "Mid-Autumn Festival" in plain.stdout
    bad = run_cli("holidays", "list", "--country", "ZZ")
    assert bad.returncode == 1 and "Traceback" not in bad.stderr and "unknown country" in bad.stderr


def test_a_holiday_of_other_countries_names_them_through_the_cli(tmp_path: Path) -> None:
    """Hostile pass finding 12: "Chinese New Year" for AU hinted "New Year's Day" (a greeting
    on 1 January); now the countries whose calendars have it are named, and how to write it."""
    when = '{ holiday = "Chinese New Year", country = "AU", at = "09:00" }'
    config = write_config(tmp_path, campaign("lunar-new-year", when))
    out = run_cli("config", "check", config=config)
    assert out.returncode == 1, out.stdout
    assert (
        "campaigns[0] (lunar-new-year).when: 'Chinese New Year' is not a public holiday in AU's "
        "calendar; it is in CN ('Chinese New Year (Spring Festival)'); SG HK MY TW PH ('Chinese New Year')"
    ) in out.stderr, out.stderr
    assert 'write holiday = "Chinese New Year (Spring Festival)", country = "CN"' in out.stderr
    assert "New Year's Day" not in out.stderr
    # Taking the hint: the config is good, and the greeting fires on the lunar new year.
    fixed = config.read_text().replace(
        'holiday = "Chinese New Year", country = "AU"', 'holiday = "Chinese New Year", country = "SG"'
    )
    config.write_text(fixed)
    assert run_cli("config", "check", config=config).returncode == 0
    assert holiday_occurrences("Chinese New Year", "SG", 2027, 2027) == [date(2027, 2, 6)]


@pytest.mark.parametrize(
    ("name", "country", "message"),
    [
        ("Diwali", "GB", "it is in SG IN LK ('Diwali')"),
        ("Deepavali", "AU", "it is in SG IN LK ('Diwali')"),  # another name of it
        ("Thanksgiving", "GB", "it is in US ('Thanksgiving Day')"),
        ("Mid-Autumn Festival", "AU", "it is in CN TW ('Mid-Autumn Festival')"),
        ("Hari Raya Puasa", "AU", "('Eid al-Fitr')"),
        (
            "Lunar New Year",
            "US",
            "it is in VN ID ('Lunar New Year'); CN ('Chinese New Year (Spring Festival)')",
        ),
        # a close spelling of the country's own holiday still wins
        ("Chrismas Day", "AU", "(did you mean 'Christmas Day'?)"),
        ("Christmas", "AU", "(did you mean 'Christmas Day'?)"),
        ("Easter Sunday", "GB", "(did you mean 'Good Friday'?)"),
    ],
)
def test_a_holiday_of_other_countries_or_a_close_spelling(name: str, country: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        validate_holiday(name, country)
    assert message in str(info.value)
    if "did you mean" not in message:
        assert "did you mean" not in str(info.value)  # no fuzzy hint to a different festival
