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
    """Raise ValueError unless ``name`` is a holiday of ``country``, naming what to write: a
    close spelling of one of its holidays; else the countries whose calendars have it ("Chinese
    New Year" is not AU's, it is SG's and CN's); else the holidays it most likely means."""
    code = validate_country(country)
    names = known_holiday_names(code)
    if _key(name) in {_key(n) for n in names}:
        return
    close = close_spellings(name, names) or (holiday_suggestions(name, names) if _season(name, names) else [])
    elsewhere = [] if close else holiday_elsewhere(name, exclude=code)
    if elsewhere:
        raise ValueError(_elsewhere_message(name, code, elsewhere))
    close = close or holiday_suggestions(name, names)
    hint = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
    raise ValueError(f"unknown holiday {name!r} for {code}{hint}")


#: Countries searched for a holiday that is not in the campaign's country: where the festivals
#: a business greets its customers for (lunar, Indian, Islamic, Jewish ...) are public holidays.
ELSEWHERE = (
    "CN", "SG", "HK", "MY", "TW", "MO", "KR", "VN", "ID", "PH", "TH", "JP", "IN", "LK", "NP",
    "PK", "BD", "AE", "SA", "TR", "EG", "IL", "US", "CA", "MX", "BR", "GB", "IE", "FR", "DE",
    "IT", "ES", "NL", "AU", "NZ", "ZA", "NG", "KE",
)  # fmt: skip
#: Other names of a festival, as calendars write it ("Deepavali" is Diwali).
_ALIASES = {
    "deepavali": ("diwali",),
    "divali": ("diwali",),
    "lunar new year": ("chinese new year", "korean new year"),
    "chinese new year": ("lunar new year",),
    "spring festival": ("chinese new year",),
    "tet": ("lunar new year",),
    "seollal": ("korean new year",),
    "hari raya puasa": ("eid al-fitr",),
    "hari raya aidilfitri": ("eid al-fitr",),
    "hari raya haji": ("eid al-adha",),
    "passover": ("pesach",),
    "moon festival": ("mid-autumn festival",),
}


def close_spellings(name: str, names: frozenset[str] | set[str], limit: int = 3) -> list[str]:
    """The ``names`` that are the same name spelt a little differently (``Chrismas Day``), or
    that hold it whole (``Christmas``: Christmas Day); not names that merely share a word."""
    wanted = _key(name)
    by_key = {_key(n): n for n in names}
    inside = [k for k in sorted(by_key) if wanted and re.search(rf"(?<!\w){re.escape(wanted)}(?!\w)", k)]
    cores = {" ".join(sorted(_words(k))): k for k in sorted(by_key) if _words(k)}
    core = " ".join(sorted(_words(name)))
    spelled = [cores[c] for c in difflib.get_close_matches(core, list(cores), n=limit, cutoff=0.88)]
    return [by_key[k] for k in dict.fromkeys(spelled + inside)][:limit]


def _season(name: str, names: frozenset[str] | set[str]) -> list[str]:
    """The ``names`` of the same season as ``name`` ("Easter Sunday": Good Friday)."""
    words = _words(name)
    return [n for n in sorted(names) if any(n.casefold() in _RELATED.get(w, ()) for w in words)]


def holiday_elsewhere(name: str, exclude: str = "", year: int | None = None) -> list[tuple[str, str]]:
    """(country, the name its calendar gives) for each country of :data:`ELSEWHERE` (but
    ``exclude``) that has ``name`` (or an alias) as a public holiday in ``year``: the countries
    that name it (the same, or with a note in brackets) first, in the order of ELSEWHERE."""
    wanted = _key(name)
    keys = {wanted, *_ALIASES.get(wanted, ())}
    year = year or date.today().year
    found: list[tuple[int, str, str]] = []
    for country in ELSEWHERE:
        if country == exclude:
            continue
        matches = {n for entry in calendar(country, year) for n in entry.names if not _is_substitute(n)}
        ranked = sorted((_rank(n, wanted, keys), n) for n in matches)
        if ranked and ranked[0][0] < _NO_MATCH:
            found.append((ranked[0][0], country, ranked[0][1].removesuffix(_ESTIMATED)))
    return [(country, holiday) for _, country, holiday in sorted(found, key=lambda f: f[0] >= 2)]


_NO_MATCH = 3
#: Notes in brackets that name another day ("Eid al-Fitr (Second Day)"), not another name.
_OTHER_DAY = re.compile(r"\b(day|eve|holiday|additional|estimated)\b")


def _rank(name: str, wanted: str, keys: set[str]) -> int:
    """How well calendar name ``name`` names holiday ``wanted`` (or one of its ``keys``): 0 the
    same, 1 with " Day" added (Thanksgiving) or a note in brackets (CN's "Chinese New Year
    (Spring Festival)"), 2 an alias ("Deepavali": Diwali), 3 not at all."""
    key = _key(name)
    forms = {key, key.removesuffix(" day")}
    bracketed = re.fullmatch(r"(.+?) \((.+)\)", key)
    if bracketed and not _OTHER_DAY.search(bracketed.group(2)):
        forms |= {bracketed.group(1), bracketed.group(2)}
    if key == wanted:
        return 0
    if wanted in forms:
        return 1
    return 2 if forms & keys else _NO_MATCH


def _elsewhere_message(name: str, code: str, found: list[tuple[str, str]], limit: int = 6) -> str:
    """``'Chinese New Year' is not a public holiday in AU's calendar; it is in SG ('Chinese New
    Year') and CN ('Chinese New Year (Spring Festival)'): use ...``."""
    shown = found[:limit]
    by_name: dict[str, list[str]] = {}
    for country, holiday in shown:
        by_name.setdefault(holiday, []).append(country)
    places = [f"{' '.join(countries)} ({holiday!r})" for holiday, countries in by_name.items()]
    extra = len(found) - limit
    more = f"; {extra} more {'country' if extra == 1 else 'countries'}" if extra > 0 else ""
    country, holiday = shown[0]
    return (
        f"{name!r} is not a public holiday in {code}'s calendar; it is in "
        f"{'; '.join(places)}{more}: to greet on that day, write "
        f'holiday = "{holiday}", country = "{country}" (or another of those countries, with its name)'
    )


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
