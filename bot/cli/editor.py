"""Editing a text in the user's ``$EDITOR``, reading back bytes we check ourselves.

``click.edit(text)`` decodes whatever the editor saved and raises on anything but UTF-8; here
the file is read as bytes and decoded by :func:`bot.domain.text.decode_text`, so Latin-1 bytes,
a NUL or a stray escape sequence are a one-line error naming the problem.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

from bot.domain.text import decode_text


def edit_text(current: str, what: str = "the edited text") -> str | None:
    """The text the user saved in ``$EDITOR``, or None if they left it unchanged."""
    fd, name = tempfile.mkstemp(prefix="bot-edit-", suffix=".txt")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(current.encode("utf-8"))
        click.edit(filename=str(path))
        data = path.read_bytes()
    finally:
        path.unlink(missing_ok=True)
    if data == current.encode("utf-8"):
        return None
    return decode_text(data, what)
