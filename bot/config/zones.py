"""Hints for a time zone that is not an IANA name: an abbreviation (AEST, CST), a UTC offset
(UTC+8) or a misspelt place.

An abbreviation is never matched by spelling: ``AEST`` is one letter from ``EST``, a fixed
UTC-5 zone 15 to 16 hours away, so the hint for it comes from :data:`ABBREVIATIONS`, which
names the places' zones. Spelling hints only ever name ``Area/City`` zones (never ``EST``,
``MST``, ``HST`` or ``Etc/...``, which keep no summer time).
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from zoneinfo import available_timezones

_AU_EAST = ("Australia/Sydney", "Australia/Melbourne", "Australia/Brisbane")
_AU_CENTRAL = ("Australia/Adelaide", "Australia/Darwin")
_US_EAST = ("America/New_York", "America/Toronto")
_US_CENTRAL = ("America/Chicago", "America/Winnipeg", "America/Mexico_City")
_US_MOUNTAIN = ("America/Denver", "America/Edmonton", "America/Phoenix")
_US_PACIFIC = ("America/Los_Angeles", "America/Vancouver")
_CENTRAL_EUROPE = ("Europe/Berlin", "Europe/Paris", "Europe/Madrid")
_EAST_EUROPE = ("Europe/Athens", "Europe/Helsinki", "Europe/Bucharest")
_NZ = ("Pacific/Auckland",)
_UK = ("Europe/London",)

#: Zone abbreviations people write, with what they stand for and the zones of their places
#: (EST, MST, HST, CET, EET and WET are zone names of their own, so never looked up here).
ABBREVIATIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "AEST": ("Australian Eastern time", _AU_EAST),
    "AEDT": ("Australian Eastern summer time", _AU_EAST),
    "AET": ("Australian Eastern time", _AU_EAST),
    "ACST": ("Australian Central time", _AU_CENTRAL),
    "ACDT": ("Australian Central summer time", _AU_CENTRAL),
    "AWST": ("Australian Western time", ("Australia/Perth",)),
    "NZST": ("New Zealand time", _NZ),
    "NZDT": ("New Zealand summer time", _NZ),
    "NZT": ("New Zealand time", _NZ),
    "SGT": ("Singapore time", ("Asia/Singapore",)),
    "HKT": ("Hong Kong time", ("Asia/Hong_Kong",)),
    "JST": ("Japan time", ("Asia/Tokyo",)),
    "KST": ("Korea time", ("Asia/Seoul",)),
    "IST": ("India, Ireland or Israel time", ("Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem")),
    "CST": ("US Central or China time", ("America/Chicago", "Asia/Shanghai", "Asia/Taipei")),
    "CDT": ("US Central summer time", _US_CENTRAL),
    "CT": ("US Central time", _US_CENTRAL),
    "BST": ("British summer time", _UK),
    "CEST": ("Central European summer time", _CENTRAL_EUROPE),
    "MEZ": ("Central European time", _CENTRAL_EUROPE),
    "EEST": ("Eastern European summer time", _EAST_EUROPE),
    "WEST": ("Western European summer time", ("Europe/Lisbon",)),
    "MSK": ("Moscow time", ("Europe/Moscow",)),
    "EDT": ("US Eastern summer time", _US_EAST),
    "ET": ("US Eastern time", _US_EAST),
    "MDT": ("US Mountain summer time", _US_MOUNTAIN),
    "MT": ("US Mountain time", _US_MOUNTAIN),
    "PST": ("US Pacific time", _US_PACIFIC),
    "PDT": ("US Pacific summer time", _US_PACIFIC),
    "PT": ("US Pacific time", _US_PACIFIC),
    "AKST": ("Alaska time", ("America/Anchorage",)),
    "AKDT": ("Alaska summer time", ("America/Anchorage",)),
    "AST": ("Atlantic or Arabia time", ("America/Halifax", "Asia/Riyadh")),
    "ADT": ("Atlantic summer time", ("America/Halifax",)),
    "NST": ("Newfoundland time", ("America/St_Johns",)),
    "NDT": ("Newfoundland summer time", ("America/St_Johns",)),
    "PHT": ("Philippine time", ("Asia/Manila",)),
    "PHST": ("Philippine time", ("Asia/Manila",)),
    "ICT": ("Indochina time", ("Asia/Bangkok", "Asia/Ho_Chi_Minh")),
    "WIB": ("Western Indonesia time", ("Asia/Jakarta",)),
    "WITA": ("Central Indonesia time", ("Asia/Makassar",)),
    "MYT": ("Malaysia time", ("Asia/Kuala_Lumpur",)),
    "PKT": ("Pakistan time", ("Asia/Karachi",)),
    "NPT": ("Nepal time", ("Asia/Kathmandu",)),
    "GST": ("Gulf time", ("Asia/Dubai",)),
    "IRST": ("Iran time", ("Asia/Tehran",)),
    "TRT": ("Turkey time", ("Europe/Istanbul",)),
    "SAST": ("South Africa time", ("Africa/Johannesburg",)),
    "WAT": ("West Africa time", ("Africa/Lagos",)),
    "CAT": ("Central Africa time", ("Africa/Maputo", "Africa/Harare")),
    "EAT": ("East Africa time", ("Africa/Nairobi",)),
    "BRT": ("Brasilia time", ("America/Sao_Paulo",)),
    "ART": ("Argentina time", ("America/Argentina/Buenos_Aires",)),
}

#: Valid zone names that keep one offset all year although the places people mean by them
#: change their clocks: ``EST`` is UTC-5 in July too, when New York is UTC-4.
FIXED_ABBREVIATIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "EST": ("UTC-5 all year, with no summer time", _US_EAST),
    "MST": (
        "UTC-7 all year, with no summer time (right for Arizona only)",
        ("America/Denver", "America/Phoenix"),
    ),
}

_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)


def zone_hint(value: str) -> str:
    """What to write instead of ``value``, an unknown zone name, as ``: ...`` or `` (did you
    mean ...?)``; "" when nothing close is known."""
    text = value.strip()
    abbreviation = ABBREVIATIONS.get(text.upper())
    if abbreviation:
        meaning, zones = abbreviation
        return (
            f": {text} is an abbreviation ({meaning}), not a zone name; write the zone of the place "
            f"instead (it keeps the place's summer time by itself): {_one_of(zones)}"
        )
    offset = _OFFSET.match(text)
    if offset:
        return _offset_hint(offset)
    if re.fullmatch(r"[A-Z]{2,5}", text):
        return (
            f": {text} looks like a zone abbreviation, which is not a zone name; write the zone of "
            "the place, such as 'Europe/Paris' or 'Australia/Sydney'"
        )
    close = place_suggestions(text)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def fixed_offset_warning(value: str) -> str | None:
    """A warning for a valid zone name that keeps no summer time where its places do (EST)."""
    fixed = FIXED_ABBREVIATIONS.get(value)
    if fixed is None:
        return None
    meaning, zones = fixed
    return f"{meaning}; for a place, write its zone, which keeps its summer time: {_one_of(zones)}"


def place_suggestions(value: str, limit: int = 3) -> list[str]:
    """``Area/City`` zones close to ``value``: by the whole name, then by the city alone
    ("Sydney", "new york")."""
    zones, cities = _places()
    key = _city_key(value)
    exact = [cities[key]] if key in cities else []
    by_city = [cities[c] for c in difflib.get_close_matches(key, list(cities), n=limit, cutoff=0.75)]
    by_name = difflib.get_close_matches(value, zones, n=limit)
    return list(dict.fromkeys(exact + by_name + by_city))[:limit]


@lru_cache(maxsize=1)
def _places() -> tuple[list[str], dict[str, str]]:
    """The ``Area/City`` zones (not ``Etc/``), and each city's key to its zone."""
    zones = sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    cities: dict[str, str] = {}
    for zone in zones:
        cities.setdefault(_city_key(zone.rsplit("/", 1)[1]), zone)
    return zones, cities


def _city_key(name: str) -> str:
    return re.sub(r"[\s_-]+", " ", name.strip().casefold())


def _offset_hint(match: re.Match[str]) -> str:
    sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
    shown = f"UTC{sign}{hours}" + (f":{minutes:02d}" if minutes else "")
    fixed = ""
    if not minutes and 0 < hours <= (14 if sign == "+" else 12):
        inverted = "-" if sign == "+" else "+"
        fixed = f"; for a fixed {shown} all year, 'Etc/GMT{inverted}{hours}' (its sign is inverted)"
    return (
        f": a UTC offset is not a zone name and never follows summer time; write the zone of the "
        f"place, such as 'Asia/Singapore' or 'Europe/Paris'{fixed}"
    )


def _one_of(zones: tuple[str, ...]) -> str:
    return zones[0] if len(zones) == 1 else f"{', '.join(zones[:-1])} or {zones[-1]}"
