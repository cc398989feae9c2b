"""The holiday calendar, on top of the ``holidays`` package.

Named ``festivals`` so as not to shadow the package. A holiday-relative trigger fires once per
occurrence of its holiday:

- on the **first day** of a multi-day festival (CN "Chinese New Year (Spring Festival)" has
  three consecutive days: the trigger fires on the first);
- never on **observed or substitute** days (the calendar is read with ``observed=False``,
  and entries such as "Day off (substituted from 01/04/2026)" or "... (observed)" are not
  holidays a campaign can name);
- also in years where the package **merges two names** into one entry ("Mid-Autumn
  Festival; National Day" in CN 2028): each part counts as a holiday of its own.

Names are read in English (``en_US``) and matched case-insensitively; a trailing
" (estimated)" (lunar dates the package computes rather than looks up) is ignored.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import holidays

#: Years whose names make up the list of valid holiday names of a country.
NAME_YEARS = range(2024, 2036)
_NOT_A_HOLIDAY = ("day off", "substitute", "(observed)")
_ESTIMATED = " (estimated)"


@dataclass(frozen=True)
class HolidayEntry:
    """One day of a country's calendar, with the names the package gives it."""

    day: date
    names: tuple[str, ...]
    substitute: bool


def holiday_occurrences(name: str, country: str, first_year: int, last_year: int) -> list[date]:
    """First days of each occurrence of holiday ``name`` in ``country`` between the years."""
    wanted = _key(name)
    days = [
        entry.day
        for year in range(first_year, last_year + 1)
        for entry in calendar(country, year)
        if wanted in {_key(n) for n in entry.names if not _is_substitute(n)}
    ]
    return _first_days(days)


def calendar(country: str, year: int) -> tuple[HolidayEntry, ...]:
    """The country's public holidays in ``year`` (observed days excluded), by date."""
    return tuple(
        HolidayEntry(day, names, any(_is_substitute(n) for n in names))
        for day, names in sorted(_calendar(country.upper(), year).items())
    )


def _first_days(days: list[date]) -> list[date]:
    firsts: list[date] = []
    for i, day in enumerate(days):
        if i == 0 or (day - days[i - 1]).days > 1:
            firsts.append(day)
    return firsts


@lru_cache(maxsize=512)
def _calendar(country: str, year: int) -> dict[date, tuple[str, ...]]:
    table = holidays.country_holidays(country, years=year, observed=False, language="en_US")
    return {day: tuple(part.strip() for part in str(label).split(";")) for day, label in table.items()}


def _key(name: str) -> str:
    name = name.strip().casefold()
    return name.removesuffix(_ESTIMATED)


def _is_substitute(name: str) -> bool:
    lowered = name.casefold()
    return any(marker in lowered for marker in _NOT_A_HOLIDAY)


def supported_countries() -> list[str]:
    """ISO codes the ``holidays`` package knows."""
    return sorted(holidays.list_supported_countries())


def validate_country(country: str) -> str:
    """The upper-cased code, or ValueError naming close matches."""
    code = country.strip().upper()
    known = supported_countries()
    if code not in known:
        close = difflib.get_close_matches(code, known, n=3, cutoff=0.5)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise ValueError(f"unknown country {country!r} for holidays{hint}")
    return code


def validate_holiday(name: str, country: str) -> None:
    """Raise ValueError naming close matches unless ``name`` is a holiday of ``country``."""
    code = validate_country(country)
    names = known_holiday_names(code)
    if _key(name) in {_key(n) for n in names}:
        return
    by_key = {n.casefold(): n for n in names}
    close = difflib.get_close_matches(name.casefold(), sorted(by_key), n=3, cutoff=0.5)
    close += [k for k in sorted(by_key) if name.casefold() in k and k not in close]
    hint = f" (did you mean {', '.join(repr(by_key[c]) for c in close[:3])}?)" if close else ""
    raise ValueError(f"unknown holiday {name!r} for {code}{hint}")


@lru_cache(maxsize=64)
def known_holiday_names(country: str) -> frozenset[str]:
    """Every holiday name of ``country`` in the years of :data:`NAME_YEARS` (no substitutes)."""
    return frozenset(
        name.removesuffix(_ESTIMATED)
        for year in NAME_YEARS
        for entry in calendar(country, year)
        for name in entry.names
        if not _is_substitute(name)
    )
