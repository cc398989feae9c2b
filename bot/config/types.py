"""Shared field types for the settings: durations, time zones, the strict base model."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer

_DURATION = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class Strict(BaseModel):
    """Frozen settings model that refuses unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def parse_duration(value: Any) -> timedelta:
    """Parse ``"90s"``, ``"15m"``, ``"6h"``, ``"2d"``, ``"1w"`` or a number of seconds."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError("expected a duration such as '30s', '15m', '6h' or '2d'")
    if isinstance(value, int | float):
        return timedelta(seconds=value)
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])
    raise ValueError("expected a duration such as '30s', '15m', '6h' or '2d'")


def format_duration(value: timedelta) -> str:
    """The inverse of :func:`parse_duration`, for JSON output."""
    seconds = value.total_seconds()
    for unit in ("w", "d", "h", "m", "s"):
        size = _UNITS[unit]
        if seconds and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds}s"


def parse_timezone(value: Any) -> str:
    """Accept an IANA zone name; suggest close names for a typo."""
    if not isinstance(value, str) or not value:
        raise ValueError("expected an IANA time zone name such as 'Asia/Shanghai'")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        import difflib

        close = difflib.get_close_matches(value, sorted(available_timezones()), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise ValueError(f"unknown time zone{hint}") from None
    return value


Duration = Annotated[
    timedelta, BeforeValidator(parse_duration), PlainSerializer(format_duration, return_type=str)
]
TimeZoneName = Annotated[str, BeforeValidator(parse_timezone)]
