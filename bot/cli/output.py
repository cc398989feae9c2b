"""Output for people (rich tables on a TTY, plain text otherwise) and for scripts (--json)."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

import click

from bot.domain.text import for_display

F = TypeVar("F", bound=Callable[..., Any])

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON with stable keys.")


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def print_json(data: Any) -> None:
    """Indented for a person at a terminal; compact (and much faster) for a pipe."""
    indent = 2 if sys.stdout.isatty() else None
    click.echo(safe_json(json.dumps(data, indent=indent, ensure_ascii=False, default=_default)))


def safe_json(text: str) -> str:
    """JSON text with the characters a terminal acts on and JSON encoders leave raw (DEL, C1
    controls, bidi controls) written as ``\\u`` escapes: the same JSON, safe to ``cat``."""
    if text.isascii() and "\x7f" not in text:  # the common case, checked at memory speed
        return text
    return text.translate(_JSON_UNSAFE) if _JSON_UNSAFE_RE.search(text) else text


_UNSAFE_CODES = (0x7F, *range(0x80, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_JSON_UNSAFE = {code: f"\\u{code:04x}" for code in _UNSAFE_CODES}
_JSON_UNSAFE_RE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def print_table(
    title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, empty: str | None = None
) -> None:
    """A rich table on a terminal, tab-separated lines otherwise; ``empty``, when given, is
    what is said instead of a table with no rows (a header alone reads as a failure)."""
    if not rows and empty is not None:
        click.echo(empty)
        return
    cells = [[_cell(v) for v in row] for row in rows]
    if not sys.stdout.isatty():
        click.echo("\t".join(columns))
        for row in cells:
            click.echo("\t".join(c.replace("\n", " ") for c in row))
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in cells:
        table.add_row(*(Text(c) for c in row))  # Text: a stored "[black on black]" is not markup
    Console().print(table)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, Enum):
        return str(value.value)
    return for_display(str(value))


def plain(value: Any) -> str:
    """A value as a person reads it, not as Python prints it: a mapping as ``key value, ...``
    (empty values left out), a list as ``a, b``, None as ``-``."""
    if isinstance(value, dict):
        parts = [f"{key} {plain(v)}" for key, v in value.items() if v not in (None, "", [], {})]
        return ", ".join(parts) or "-"
    if isinstance(value, list | tuple):
        return ", ".join(plain(v) for v in value) or "-"
    return _cell(value)


def short(text: str, width: int = 70) -> str:
    flat = for_display(" ".join(text.split()))
    return flat if len(flat) <= width else flat[: width - 1] + "…"
