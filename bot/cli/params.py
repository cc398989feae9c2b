"""Click parameter types that validate at the edge: ids, counts, years, instants, names, texts.

Every value a command passes to a service has been range-checked here first, so a mistyped
argument (an id, a count, a date) is a usage error (exit 2) naming the option, never a database
error or a traceback. Text that cannot be stored (control or invisible characters, not UTF-8,
empty, too long) is not a mistyped command line: it is one line naming the option and the
problem, exit 1 (README, "When something goes wrong").
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import click

from bot.domain.text import TextError, clean_name, clean_text, for_display

#: Ids are INTEGER on Postgres: anything larger cannot name a row on any store.
MAX_ID = 2**31 - 1
#: Instants a slot may have: the schedules' range (config check rejects others too).
EARLIEST, LATEST = datetime(1970, 1, 1), datetime(2100, 12, 31, 23, 59, 59)
#: Longest reviewer name (the column holds 200; names are short).
MAX_NAME = 100
#: Longest free text on the command line besides a post (reasons, notes).
MAX_REASON = 2000
#: Longest text a post may be edited to.
MAX_POST = 40_000

#: Formats ``--at`` accepts.
AT_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class Id(click.ParamType[int, Any]):
    """A row id: a whole number from 1 to 2^31-1."""

    name = "id"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            digits = str(value).strip()
            # ASCII digits only: int() would also take "1_000", "٣" and "+7"
            if not (digits.isascii() and digits.isdigit()) or len(digits) > 30:
                self.fail(
                    f"{for_display(str(value)[:40])!r} is not an id (a whole number like 12)", param, ctx
                )
            number = int(digits)
        if not 1 <= number <= MAX_ID:
            self.fail(f"{number} is not an id: ids run from 1 to {MAX_ID}", param, ctx)
        return number


ID = Id()
#: ``--limit``: how many rows at most.
LIMIT = click.IntRange(1, 1_000_000)
#: ``--year`` for calendars.
YEAR = click.IntRange(1970, 2100)


class Instant(click.DateTime):
    """A UTC instant between 1970 and 2100 (aware, tzinfo=UTC)."""

    name = "datetime"

    def __init__(self, formats: list[str] | None = None) -> None:
        super().__init__(formats or AT_FORMATS)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        parsed = super().convert(value, param, ctx)
        naive = parsed.replace(tzinfo=None)
        if not EARLIEST <= naive <= LATEST:
            self.fail(f"{naive:%Y-%m-%d %H:%M:%S} is outside 1970-01-01 .. 2100-12-31", param, ctx)
        return naive.replace(tzinfo=UTC)


INSTANT = Instant()


class TextRefused(click.UsageError):
    """A name or text that cannot be stored: one line naming the option, exit 1, no usage
    banner. A UsageError all the same, so a prompt (``bot queue review``) says it and asks again."""

    exit_code = 1

    def __init__(self, message: str, param: click.Parameter | None) -> None:
        super().__init__(f"{_shown_name(param)}: {message}" if param is not None else message)

    def show(self, file: Any = None) -> None:
        click.echo(f"Error: {self.format_message()}", err=file is None, file=file)


def _shown_name(param: click.Parameter) -> str:
    """``--text`` for an option, ``TEXT`` for an argument."""
    if isinstance(param, click.Option) and param.opts:
        return max(param.opts, key=len)
    return param.human_readable_name


class Name(click.ParamType[str, Any]):
    """A short one-line name (reviewer): printable, 1..MAX_NAME characters."""

    name = "name"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            return clean_name(str(value), _label(param, "the name"), MAX_NAME)
        except TextError as exc:
            raise TextRefused(str(exc), param) from None


class Text(click.ParamType[str, Any]):
    """Free text: valid Unicode, no control characters but newline and tab, NFC, bounded."""

    name = "text"

    def __init__(self, limit: int = MAX_REASON, *, required: bool = False) -> None:
        self.limit = limit
        self.required = required

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            text = clean_text(str(value), _label(param, "the text"))
        except TextError as exc:
            raise TextRefused(str(exc), param) from None
        if self.required and not text.strip():
            raise TextRefused("it is empty; say why", param)
        if len(text) > self.limit:
            raise TextRefused(f"it is {len(text)} characters long; at most {self.limit} are allowed", param)
        return text


class Sha256(click.ParamType[str, Any]):
    """A text digest as ``bot queue show`` prints it: 64 hexadecimal digits."""

    name = "sha256"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        digest = str(value).strip().lower()
        if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            self.fail(f"{for_display(str(value)[:80])!r} is not a sha256 (64 hex digits)", param, ctx)
        return digest


SHA256 = Sha256()
NAME = Name()
TEXT = Text()
#: ``--as NAME``: who acts (the review commands, the publication and account hand tools).
reviewer_option = click.option(
    "--as",
    "reviewer",
    type=NAME,
    default=None,
    metavar="NAME",
    help="Reviewer name (default: your login); a listed one when [[web.reviewers]] are listed.",
)


def reviewer_name(name: str | None) -> str:
    """``--as NAME``, else the login name."""
    from bot.wiring import default_reviewer

    return name or default_reviewer()


#: A reason that must be given (rejecting, cancelling).
REASON = Text(required=True)
#: A post's text (Reddit allows 40,000 characters; every other platform far fewer).
POST_TEXT = Text(MAX_POST)
#: Sampling seeds (the generators take 32-bit seeds).
SEED = click.IntRange(0, 2**32 - 1)


def _label(param: click.Parameter | None, default: str) -> str:
    """The message is prefixed with the option's name ("--as: it contains ..."): it says "it"."""
    return "it" if param is not None else default
