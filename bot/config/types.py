"""Shared field types for the settings: durations, time zones, the strict base model."""

from __future__ import annotations

import math
import re
from datetime import timedelta
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationInfo,
    field_validator,
)

_DURATION = re.compile(r"^\s*(-?\d+(?:\.\d+)?)(ms|s|m|h|d|w)\s*$")
_SPACED = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s+(ms|s|m|h|d|w)\s*$")
_EXAMPLES = "such as '30s', '15m', '6h' or '2d'"
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class Strict(BaseModel):
    """Frozen settings model that refuses unknown keys, and true/false where a number is meant
    (``check_tries = true`` is not 1) or a number or string where true/false is meant."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        if field is None:
            return value
        kinds = _scalar_kinds(field.annotation)
        if isinstance(value, bool) and kinds and bool not in kinds:
            raise ValueError(f"expected a number, not {str(value).lower()}")
        if kinds == {bool} and not isinstance(value, bool):
            raise ValueError("expected true or false")
        return value


def _scalar_kinds(annotation: Any) -> set[type]:
    """Which of int, float and bool an annotation (``int``, ``float | None`` ...) is made of;
    empty for anything else (a duration, a string, a table)."""
    members = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else (annotation,)
    members = tuple(m for m in members if m is not type(None))
    if members and all(m in (int, float, bool) for m in members):
        return set(members)
    return set()


#: Longest duration any setting accepts (ten years).
MAX_DURATION = timedelta(days=3650)


def parse_duration(value: Any) -> timedelta:
    """Parse ``"90s"``, ``"15m"``, ``"6h"``, ``"2d"`` or ``"1w"`` (a timedelta passes through).

    A bare number is refused: ``lease = 2`` could mean 2 seconds or 2 minutes, so the error
    says which unit to write. ``"2 m"`` (a space before the unit) is refused the same way.
    Negative, infinite and absurdly long (over ten years) durations are refused."""
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, bool):
        raise ValueError(f"expected a duration {_EXAMPLES}, not true/false")
    elif isinstance(value, int | float):
        raise ValueError(_bare_number(value))
    elif isinstance(value, str) and (match := _DURATION.match(value)):
        seconds = float(match.group(1)) * _UNITS[match.group(2)]
    elif isinstance(value, str) and (match := _SPACED.match(value)):
        raise ValueError(f"write the unit right after the number: '{match.group(1)}{match.group(2)}'")
    else:
        raise ValueError(f"expected a duration {_EXAMPLES}")
    if not math.isfinite(seconds):
        raise ValueError(f"expected a finite duration {_EXAMPLES}")
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    if seconds > MAX_DURATION.total_seconds():
        raise ValueError(f"a duration must be at most {MAX_DURATION.days}d")
    return timedelta(seconds=seconds)


def _bare_number(value: float) -> str:
    """The error for a duration given as a bare number: which units to choose from."""
    if not math.isfinite(value):
        return f"expected a finite duration {_EXAMPLES}"
    shown = int(value) if float(value).is_integer() and abs(value) < 1e15 else value
    return (
        f"a bare number has no unit: write '{shown}s' for seconds, '{shown}m' for minutes "
        f"or '{shown}h' for hours (a duration is a string {_EXAMPLES})"
    )


def _between(low: timedelta, high: timedelta) -> Any:
    """A validator: the duration is over ``low`` (zero: strictly positive) and at most ``high``."""

    def check(value: timedelta) -> timedelta:
        if value <= low:
            raise ValueError(
                "must be more than zero" if not low else f"must be more than {format_duration(low)}"
            )
        if value > high:
            raise ValueError(f"must be at most {format_duration(high)}")
        return value

    return AfterValidator(check)


def format_duration(value: timedelta) -> str:
    """The inverse of :func:`parse_duration`, for JSON output."""
    seconds = value.total_seconds()
    for unit in ("w", "d", "h", "m", "s"):
        size = _UNITS[unit]
        if seconds and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds}s"


def parse_timezone(value: Any) -> str:
    """Accept an IANA zone name; for an abbreviation (AEST), an offset (UTC+8) or a typo, say
    which zones to write instead (see :mod:`bot.config.zones`)."""
    if not isinstance(value, str) or not value:
        raise ValueError("expected an IANA time zone name such as 'Asia/Shanghai'")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        from bot.config.zones import zone_hint

        raise ValueError(f"unknown time zone{zone_hint(value)}") from None
    return value


Duration = Annotated[
    timedelta, BeforeValidator(parse_duration), PlainSerializer(format_duration, return_type=str)
]
TimeZoneName = Annotated[str, BeforeValidator(parse_timezone)]
#: A duration that must be more than zero (expiry, backoff, lease).
PositiveDuration = Annotated[Duration, _between(timedelta(0), MAX_DURATION)]
#: A network timeout: more than zero, at most 10 minutes.
Timeout = Annotated[Duration, _between(timedelta(0), timedelta(minutes=10))]
#: How often a loop wakes: more than zero, at most a day.
PollInterval = Annotated[Duration, _between(timedelta(0), timedelta(days=1))]

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def parse_log_level(value: Any) -> str:
    """A logging level name, any case (``WARN`` means ``WARNING``)."""
    if isinstance(value, str):
        name = value.strip().upper()
        name = "WARNING" if name == "WARN" else name
        if name in LOG_LEVELS:
            return name
    raise ValueError(f"expected one of {', '.join(LOG_LEVELS)}")


LogLevel = Annotated[str, BeforeValidator(parse_log_level)]

#: Longest template source (brief, curated template, title) accepted; see bot.templating.
MAX_TEMPLATE_CHARS = 20_000
#: A Jinja2 template from the config (rendered by bot.templating under its bounds).
TemplateSource = Annotated[str, Field(max_length=MAX_TEMPLATE_CHARS)]


#: Longest web link or API base URL accepted.
MAX_URL_CHARS = 2_000


def check_web_url(url: str) -> str:
    """An ``http(s)://host[:port]/...`` URL without spaces, or ValueError saying what is wrong."""
    from urllib.parse import urlsplit

    if any(c.isspace() for c in url):
        raise ValueError("a URL cannot contain spaces or line breaks")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (a bad port raises here)
    except ValueError as exc:
        raise ValueError(f"not a URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("expected an http:// or https:// URL with a host, such as https://example.com/shop")
    return url


#: A web link (``brand.link``) or an API base URL (an account's ``base_url``).
WebUrl = Annotated[str, Field(max_length=MAX_URL_CHARS), AfterValidator(check_web_url)]


def check_hashtag(tag: str) -> str:
    """One hashtag, ``#`` optional: letters (any script), digits and ``_``, as the platforms
    read a tag; a space or a hyphen would end the tag early in the published post."""
    body = tag[1:] if tag.startswith("#") else tag
    if not body:
        raise ValueError("a hashtag needs a word after the #")
    if not all(c.isalnum() or c == "_" for c in body):
        joined = "".join(c for c in body if c.isalnum() or c == "_")
        hint = f" such as '#{joined}'" if joined else ""
        raise ValueError(
            "a hashtag is one word of letters, digits and _ (a space, hyphen or punctuation ends the "
            f"tag where it is published){hint}"
        )
    return tag


#: A hashtag of ``hashtags`` lists (``TeaTime`` or ``#TeaTime``).
Hashtag = Annotated[str, Field(max_length=140), AfterValidator(check_hashtag)]


#: Longest name of a secret (``password_secret = "smtp_password"``): a name, not a value.
MAX_SECRET_NAME = 64
_SECRET_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
#: A letter, digits, a letter: twice in one word is how generated passwords and tokens look
#: (``Tr0ub4dor3``), never a name (``smtp_password2``, ``webhookUrl2024``).
_INTERLEAVED = re.compile(r"[A-Za-z]\d+(?=[A-Za-z])")


def secret_value_like(name: str) -> str | None:
    """Why ``name``, given where the NAME of a secret is meant (``password_secret``,
    ``url_secret``), looks like the secret itself, or None when it looks like a name. The
    reason never quotes it: a password pasted there must not be printed back."""
    if len(name) > MAX_SECRET_NAME:
        return f"{len(name)} characters, and a name is at most {MAX_SECRET_NAME}"
    if not _SECRET_NAME.match(name):
        return "it holds characters a name does not, which are letters, digits, _ . and -"
    for word in re.split(r"[_.-]+", name):
        letters, digits = any(c.isalpha() for c in word), any(c.isdigit() for c in word)
        if len(_INTERLEAVED.findall(word)) >= 2 or (len(word) >= 20 and letters and digits):
            return "it looks random, like a password or a token"
    return None


def check_secret_name(name: str) -> str:
    """A secret's name, or ValueError saying it looks like the value (never quoting it)."""
    if why := secret_value_like(name):
        raise ValueError(
            f"this looks like the secret itself, not its name: {why}; value not shown. Write the "
            'NAME here (such as "smtp_password") and the secret in $BOT_NOTIFY_<NAME>, the '
            "secrets_file or the secrets_dir (see README, Notifications). If it was a real "
            "password, change it: it was written in the config file"
        )
    return name


#: The name of a secret (``password_secret``, ``url_secret``): letters, digits, ``_ . -``.
SecretName = Annotated[str, Field(min_length=1), AfterValidator(check_secret_name)]
