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
import re
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
    close = holiday_suggestions(name, names)
    hint = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
    raise ValueError(f"unknown holiday {name!r} for {code}{hint}")


#: Words that do not tell one holiday from another ("New Year's Day" and "May Day" share "day").
_GENERIC = frozenset({"day", "the", "of", "s", "holiday", "bank", "festival", "national", "public"})
#: Holidays of one season whose names share no word: "Easter Sunday" is not a public holiday in
#: GB, but Good Friday is the one a greeting most likely wants.
_RELATED = {
    "easter": ("good friday", "holy saturday", "easter monday", "maundy thursday", "holy thursday"),
    "christmas": ("christmas eve", "boxing day", "saint stephen's day", "second day of christmas"),
    "pentecost": ("whit monday", "whit sunday", "pentecost monday"),
    "whitsun": ("whit monday", "pentecost monday"),
}

#: Short forms people write for a holiday's word ("Xmas Day": Christmas Day).
_SHORT = {"xmas": "christmas"}


def holiday_suggestions(name: str, names: frozenset[str] | set[str], limit: int = 3) -> list[str]:
    """The known ``names`` a mistyped or missing holiday ``name`` most likely means: first those
    sharing a word that tells holidays apart (not "day"), then the same season's ("Easter
    Sunday": Good Friday, Easter Monday), then close spellings of the telling words, then names
    containing it."""
    by_key = {n.casefold(): n for n in names}
    words = _words(name)
    shared = sorted((k for k in by_key if words & _words(k)), key=lambda k: (-len(words & _words(k)), k))
    season = [k for k in sorted(by_key) if any(k in _RELATED.get(w, ()) for w in words)]
    cores = {" ".join(sorted(_words(k))): k for k in sorted(by_key) if _words(k)}
    spelled = [
        cores[c] for c in difflib.get_close_matches(" ".join(sorted(words)), list(cores), n=limit, cutoff=0.6)
    ]
    inside = [k for k in sorted(by_key) if name.casefold().strip() and name.casefold().strip() in k]
    return [by_key[k] for k in dict.fromkeys(shared + season + spelled + inside)][:limit]


def _words(name: str) -> set[str]:
    """The words of a holiday name that tell it apart ("mid", "autumn"; not "day" or "festival")."""
    words = re.findall(r"[^\W_]+", name.casefold())
    return {_SHORT.get(w, w) for w in words if w not in _GENERIC}


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
