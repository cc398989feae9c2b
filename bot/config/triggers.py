"""``when = {...}``: the four kinds of trigger a campaign can have.

- ``{ cron = "0 10 * * FRI" }``: a five-field crontab in the campaign's time zone.
- ``{ at = "2026-12-24 09:00" }``: once, at a local date and time.
- ``{ every = "6h", start = "2026-12-01 08:00" }``: at a fixed interval.
- ``{ holiday = "Mid-Autumn Festival", country = "CN", offset = "-1d", at = "09:00" }``:
  relative to a public holiday of the ``holidays`` package, at a local time.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Annotated, Any

from pydantic import Discriminator, Field, Tag, field_validator, model_validator

from bot.config.types import Duration, Strict

_OFFSET = re.compile(r"^([+-]?)(\d+)d$")


class CronTrigger(Strict):
    """A five-field crontab on the campaign's local wall clock."""

    cron: str

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        from bot.schedule import validate_cron

        validate_cron(value)
        return value


class DateTrigger(Strict):
    """Once, at a local date and time."""

    at: datetime

    @field_validator("at")
    @classmethod
    def _naive(cls, value: datetime) -> datetime:
        if value.tzinfo is not None:
            raise ValueError("give a local time without offset; the campaign's timezone applies")
        return value


class IntervalTrigger(Strict):
    """Every ``every`` of elapsed time from ``start`` (local; default 2000-01-01 00:00)."""

    every: Duration
    start: datetime | None = None

    @field_validator("every")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value < timedelta(minutes=1):
            raise ValueError("an interval must be at least 1m")
        return value


class HolidayTrigger(Strict):
    """Fires ``offset`` days from each occurrence of a public holiday, at local time ``at``."""

    holiday: str
    country: str = Field(min_length=2, max_length=3)
    offset: str = "0d"
    at: time = time(9, 0)

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        from bot.festivals import validate_country

        return validate_country(value)

    @model_validator(mode="after")
    def _known_holiday(self) -> HolidayTrigger:
        from bot.festivals import validate_holiday

        validate_holiday(self.holiday, self.country)
        return self

    @field_validator("offset")
    @classmethod
    def _offset(cls, value: str) -> str:
        if not _OFFSET.match(value):
            raise ValueError("expected whole days such as '-1d', '0d' or '+2d'")
        return value

    @property
    def offset_days(self) -> int:
        match = _OFFSET.match(self.offset)
        assert match is not None
        sign = -1 if match.group(1) == "-" else 1
        return sign * int(match.group(2))


_TAGS: dict[type, str] = {
    CronTrigger: "cron",
    DateTrigger: "at",
    IntervalTrigger: "every",
    HolidayTrigger: "holiday",
}


def _trigger_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in ("holiday", "cron", "every"):
            if key in value:
                return key
        if "at" in value:
            return "at"
        return None
    return _TAGS.get(type(value))


Trigger = Annotated[
    Annotated[CronTrigger, Tag("cron")]
    | Annotated[DateTrigger, Tag("at")]
    | Annotated[IntervalTrigger, Tag("every")]
    | Annotated[HolidayTrigger, Tag("holiday")],
    Discriminator(
        _trigger_kind,
        custom_error_type="trigger",
        custom_error_message="expected one of cron, at, every or holiday",
    ),
]
