"""Text that crosses the edge: decoded, checked and normalised on the way in, escaped on the way out.

A post's text comes from people (``--text``, an ``$EDITOR``) and from the model. On the way in
it must be valid UTF-8 without lone surrogates, NUL bytes, terminal control characters or
invisible format characters (zero-width spaces and joiners, word joiners, a byte-order mark, a
soft hyphen: they hide words from the reviewer, the word lists and the duplicate checks; a
zero-width joiner inside an emoji sequence and a zero-width non-joiner between letters of a
script that needs it are kept); it is
normalised to NFC (so the same words always have the same sha256) and its line endings to
``\\n``. On the way out to a terminal, whatever is stored is shown with control characters
escaped (``\\x1b``), so a stored escape sequence can never move the cursor, recolour the screen
or hide text from a reviewer.

Pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from bot.domain.errors import BotError

#: Characters allowed in a post that Unicode calls control characters.
_ALLOWED_CONTROLS = frozenset("\n\t")
#: Invisible characters that reorder text on a terminal (bidi overrides and isolates).
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ZWJ, _ZWNJ, _BLACK_FLAG = "\u200d", "\u200c", "\U0001f3f4"
#: Tag characters (subdivision flags such as England's follow a black flag with them).
_TAGS = (0xE0020, 0xE007F)
#: Letters that show nothing (Hangul fillers), used to pass for an empty or different word.
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0")


_PART_BREAK = re.compile(r"^\s*---\s*$", re.MULTILINE)


def split_parts(text: str) -> list[str]:
    """A draft's parts: the text split on lines holding only ``---`` (a thread)."""
    parts = [p.strip() for p in _PART_BREAK.split(text)]
    return [p for p in parts if p] or [text.strip()]


class TextError(BotError):
    """A text is not something we can store or post; the message says what is wrong and where."""


def decode_text(data: bytes, what: str = "the text") -> str:
    """``data`` as UTF-8 (a BOM is dropped), checked and normalised with :func:`clean_text`."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1].hex()
        raise TextError(
            f"{what} is not valid UTF-8 (byte 0x{bad} at offset {exc.start}); save it as UTF-8 and try again"
        ) from None
    return clean_text(text, what)


def clean_text(text: str, what: str = "the text") -> str:
    """NFC-normalised ``text`` with ``\\r\\n`` made ``\\n``; TextError on anything unpostable.

    Refused: lone surrogates (what undecodable bytes on a command line become), NUL and every
    other control character except newline and tab (escape sequences included), bidi
    overrides, and invisible format characters (see :func:`unpostable`).
    """
    text = text.replace("\r\n", "\n")
    problem = unpostable(text)
    if problem:
        raise TextError(f"{what} contains {problem}; remove it and try again")
    return unicodedata.normalize("NFC", text)


def unpostable(text: str) -> str | None:
    """The first character of ``text`` that cannot be posted, described with its position
    (``"the invisible character U+200B ZERO WIDTH SPACE at position 5"``), or None."""
    for index, char in enumerate(text):
        problem = _problem(char) or _invisible(text, index)
        if problem:
            return f"{problem} at position {index}"
    return None


def invisible_character(text: str) -> str | None:
    """The first invisible format character of ``text`` (as :func:`unpostable` says it), or None."""
    for index in range(len(text)):
        problem = _invisible(text, index)
        if problem:
            return f"{problem} at position {index}"
    return None


def _invisible(text: str, index: int) -> str:
    """An invisible format character (Unicode category Cf, or a Hangul filler) out of the
    places where it does something visible: a zero-width joiner between emoji, a zero-width
    non-joiner between letters, tag characters after a black flag (subdivision flags)."""
    char = text[index]
    if char not in _FILLERS and unicodedata.category(char) != "Cf":
        return ""
    before = text[index - 1] if index else ""
    after = text[index + 1] if index + 1 < len(text) else ""
    if char == _ZWJ and _emoji_part(before) and _emoji_part(after):
        return ""
    if char == _ZWNJ and _letter(before) and _letter(after):
        return ""
    if _TAGS[0] <= ord(char) <= _TAGS[1] and (before == _BLACK_FLAG or _is_tag(before)):
        return ""
    name = unicodedata.name(char, "")
    return f"the invisible character U+{ord(char):04X}{' ' + name if name else ''}"


def _emoji_part(char: str) -> bool:
    """An emoji, a skin-tone modifier or the emoji presentation selector (FE0F)."""
    return bool(char) and (unicodedata.category(char) in ("So", "Sk") or char == "\ufe0f")


def _letter(char: str) -> bool:
    """A letter or combining mark outside ASCII (scripts that use ZWNJ: Persian, Hindi, ...)."""
    return bool(char) and ord(char) > 0x7F and unicodedata.category(char)[0] in ("L", "M")


def _is_tag(char: str) -> bool:
    return bool(char) and _TAGS[0] <= ord(char) <= _TAGS[1]


def _problem(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # how Python passes an undecodable byte of a command line
        return f"the byte 0x{code - 0xDC00:02x}, which is not valid UTF-8"
    if 0xD800 <= code <= 0xDFFF:
        return f"a lone surrogate U+{code:04X} (not valid UTF-8)"
    if code == 0:
        return "a NUL byte"
    if char in _ALLOWED_CONTROLS:
        return ""
    if unicodedata.category(char) == "Cc":
        return f"the control character {_escape(char)}"
    if char in _BIDI:
        return f"the invisible bidi control {_escape(char)}"
    return ""


def clean_name(name: str, what: str = "the name", limit: int = 100) -> str:
    """A short one-line name (a reviewer, a reason's author): printable, at most ``limit`` chars."""
    name = clean_text(name, what).strip()
    if not name:
        raise TextError(f"{what} is empty")
    if "\n" in name or "\t" in name:
        raise TextError(f"{what} must be one line without tabs")
    if len(name) > limit:
        raise TextError(f"{what} is {len(name)} characters long; at most {limit} are allowed")
    return name


def did_you_mean(word: str, choices: Iterable[str], limit: int = 3) -> str:
    """`` (did you mean 'a', 'b'?)`` naming the choices close to ``word`` (a typo), or ""."""
    import difflib

    close = difflib.get_close_matches(word, sorted(set(choices)), n=limit, cutoff=0.6)
    return f" (did you mean {', '.join(map(repr, close))}?)" if close else ""


def for_display(text: str, *, keep_newlines: bool = True) -> str:
    """``text`` safe to print on a terminal: control characters, bidi controls, lone surrogates
    and invisible format characters (out of an emoji sequence) are shown escaped (``\\x1b``,
    ``\\u202e``, ``\\u200b``); newlines are kept unless asked not to."""
    return "".join(
        _escape(char) if _invisible(text, index) else _shown(char, keep_newlines)
        for index, char in enumerate(text)
    )


def _shown(char: str, keep_newlines: bool) -> str:
    if char == "\n" and keep_newlines:
        return char
    if char == "\t":
        return char
    code = ord(char)
    if unicodedata.category(char) == "Cc" or char in _BIDI or 0xD800 <= code <= 0xDFFF:
        return _escape(char)
    return char


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
