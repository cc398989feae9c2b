"""The holiday calendar, on top of the ``holidays`` package.

Named ``festivals`` so as not to shadow the package. A holiday-relative trigger fires once per
occurrence: on the first day of a multi-day festival, never on observed or substitute days.
"""

from __future__ import annotations

import difflib
from datetime import date
from functools import lru_cache

import holidays


def holiday_occurrences(name: str, country: str, first_year: int, last_year: int) -> list[date]:
    """First days of each occurrence of holiday ``name`` in ``country`` between the years."""
    wanted = name.casefold()
    days: list[date] = []
    for year in range(first_year, last_year + 1):
        for day, label in sorted(_calendar(country, year).items()):
            names = [part.strip().casefold() for part in str(label).split(";")]
            if wanted in names:
                days.append(day)
    return _first_days(days)


def _first_days(days: list[date]) -> list[date]:
    firsts: list[date] = []
    for i, day in enumerate(days):
        if i == 0 or (day - days[i - 1]).days > 1:
            firsts.append(day)
    return firsts


@lru_cache(maxsize=256)
def _calendar(country: str, year: int) -> dict[date, str]:
    return dict(holidays.country_holidays(country, years=year, observed=False, language="en_US"))


def validate_holiday(name: str, country: str) -> None:
    """Raise ValueError naming close matches unless ``name`` is a holiday of ``country``."""
    if country.upper() not in holidays.list_supported_countries():
        close = difflib.get_close_matches(country.upper(), holidays.list_supported_countries(), n=3)
        raise ValueError(
            f"unknown country {country!r}" + (f" (did you mean {', '.join(close)}?)" if close else "")
        )
    names = known_holiday_names(country)
    if name.casefold() not in {n.casefold() for n in names}:
        close = difflib.get_close_matches(name, sorted(names), n=3, cutoff=0.5)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise ValueError(f"unknown holiday {name!r} for {country}{hint}")


def known_holiday_names(country: str) -> set[str]:
    names: set[str] = set()
    for year in range(2024, 2032):
        for label in _calendar(country, year).values():
            names.update(part.strip() for part in str(label).split(";"))
    return names
