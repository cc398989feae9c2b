"""Text normalisation for word-list matching: undo the usual ways people mask a word.

Handled: case and width (NFKC), accents and look-alike Cyrillic letters, zero-width
characters, leetspeak (``1d10t``, ``$hit``, ``@ss``), letters spelled out with separators
(``f u c k``, ``i.d.i.o.t``, ``f-u-c-k``), stretched letters (``fuuuuck``), masked letters
(``id*ot``, ``f**k``: each ``*`` or ``#`` stands for one letter) and, for Chinese, separators
or masks between characters (``傻*逼``, ``傻 逼``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: Digits and symbols read as letters inside a word that also has letters.
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
)
#: Cyrillic and Greek letters that look like Latin ones.
_HOMOGLYPHS = str.maketrans(
    {"а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j", "ο": "o"}
)
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060\ufeff]")
_CONTRACTIONS = (
    (re.compile(r"['’]re\b"), " are"),
    (re.compile(r"['’]ll\b"), " will"),
    (re.compile(r"['’]m\b"), " am"),
    # 's is "is" only after these; elsewhere it is a possessive and is simply dropped
    (re.compile(r"\b(it|that|what|he|she|there|who|this)['’]s\b"), r"\1 is"),
)
#: Single letters or digits separated by spacing or punctuation: "f u c k", "i.d.i.o.t".
_SPELLED = re.compile(r"(?<![a-z0-9])(?:[a-z0-9][\s.\-_·•/|,+~]+){2,}[a-z0-9](?![a-z0-9])")
#: A word: letters, digits, leet symbols, masks and apostrophes; or a sentence break.
_WORD = re.compile(r"[a-z0-9@$!*#'’]+|\|")
#: The end of a sentence: phrases are not matched across it ("we kill. you win").
_BREAK = re.compile(r"[.?!;:。？！]+(?=\s|$)")
BREAK = "|"
_STRETCH = re.compile(r"([a-z])\1{2,}")
MASKS = frozenset("*#")
#: Characters removed between Chinese characters: spacing, masks, separators, Latin fill.
_CJK_FILL = re.compile(r"[\s*#.\-_·•~^|/\\+='\"`@$%&()\[\]{}<>]+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class Normalised:
    """A text ready for matching."""

    #: Words after undoing leetspeak, stretching and contractions (masks kept as ``*``),
    #: with ``BREAK`` between sentences.
    words: tuple[str, ...]
    #: Letters that were spelled out one by one, joined ("f u c k" -> "fuck").
    spelled: tuple[str, ...]
    #: The text with separators and masks between characters removed (for Chinese).
    compact: str


def fold(text: str) -> str:
    """Case, width, accents, look-alikes and invisible characters."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _INVISIBLE.sub("", text).translate(_HOMOGLYPHS)
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped)


def normalise(text: str) -> Normalised:
    """Fold the text and split it into the forms the matchers use."""
    folded = fold(text)
    spelled = tuple(_word(re.sub(r"[^a-z0-9]", "", m.group())) for m in _SPELLED.finditer(folded))
    rest = _SPELLED.sub(" ", folded)
    for pattern, replacement in _CONTRACTIONS:
        rest = pattern.sub(replacement, rest)
    rest = _BREAK.sub(f" {BREAK} ", rest)
    words = tuple(w for w in (_word(raw) for raw in _WORD.findall(rest)) if w)
    return Normalised(words=words, spelled=spelled, compact=compact(folded))


def compact(folded: str) -> str:
    """Drop separators and masks that sit between Chinese characters (keeps sentence marks)."""
    if not _CJK.search(folded):
        return folded
    return _CJK_FILL.sub("", folded)


def _word(raw: str) -> str:
    word = raw.replace("'", "").replace("’", "")
    if word.startswith("*") or word.startswith("#"):
        word = word.strip("*#")  # markdown emphasis or a hashtag, not a mask
    word = word.rstrip("!").lstrip("!")
    if any(c.isalpha() for c in word):
        word = word.translate(_LEET)
    return _STRETCH.sub(r"\1", word)


def is_masked(word: str) -> bool:
    """A word with hidden letters that is long enough to be read (``f**k``, ``id*ot``)."""
    letters = sum(c.isalpha() for c in word)
    return len(word) >= 3 and letters >= 1 and any(c in MASKS for c in word)
