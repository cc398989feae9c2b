"""English words the bundled model's tokenizer holds whole, and the swapped-letter typos they
reveal ("thier", "lovley"): the spelling check fails a draft that has one, and a brief's are
read (and stated) as meant.
"""

from __future__ import annotations

import functools
from importlib import resources

import regex

#: Endings a known word takes ("carols", "baked", "tuning"): the tokenizer's list holds few.
_ENDINGS = ("s", "es", "ed", "d", "ing", "er", "ers", "ly", "est")
#: A lower-case word long enough for a swap to be told from a name ("thier", not "teh").
_PLAIN_WORD = regex.compile(r"(?<![\w'’-])[a-z]{5,}(?![\w'’-])")


@functools.cache
def known() -> frozenset[str]:
    """English words the bundled model's tokenizer holds whole (bot/data/words.txt)."""
    text = resources.files("bot.data").joinpath("words.txt").read_text(encoding="utf-8")
    return frozenset(text.split())


def inflected(word: str, shortest_stem: int = 3) -> bool:
    """Whether ``word`` (lower case) is a known word with an ending ("carols": "carol";
    "tuning": "tune"), its stem at least ``shortest_stem`` letters long."""
    words = known()
    for ending in _ENDINGS:
        stem = word[: -len(ending)]
        if word.endswith(ending) and len(stem) >= shortest_stem and (stem in words or stem + "e" in words):
            return True
    return False


def unswapped(word: str) -> str | None:
    """The known word ``word`` is with two neighbouring letters swapped back ("thier" ->
    "their"), or None when ``word`` is known itself, a known word of four letters or more with
    an ending, or no swap makes it a known word ("thier" is no "thi" + "er")."""
    if word in known() or inflected(word, shortest_stem=4):
        return None
    for i in range(len(word) - 1):
        if word[i:] == "re":
            continue  # "kilometre", "theatre": the British spelling, no typo
        swapped = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        if swapped != word and swapped in known():
            return swapped
    return None


def respelled(text: str, own: frozenset[str] = frozenset()) -> str:
    """``text`` with its lower-case swapped-letter typos put right ("make sure we have thier
    cell number" -> "their"); words in ``own`` (the campaign's names) are left alone."""
    return str(
        _PLAIN_WORD.sub(
            lambda m: m.group(0) if m.group(0) in own else unswapped(m.group(0)) or m.group(0), text
        )
    )


#: Names an owner types in lower case that a post writes with a capital: days, months (not
#: "may", and "march" only beside a date or another month), the holidays of one word.
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = ("january", "february", "april", "june", "july", "august", "september", "october")
_MONTHS_MORE = ("november", "december")
_HOLIDAYS = ("easter", "christmas", "diwali", "hanukkah", "ramadan", "thanksgiving", "halloween", "hogmanay")
_PROPER = regex.compile(
    r"(?<![\w'’/.@#-])(?:"
    + "|".join(
        (*(d + "s?" for d in _DAYS), *_MONTHS, *_MONTHS_MORE, *_HOLIDAYS, "mon", "tues", "thurs", "fri")
    )
    + r"|march(?=\s+\d|\s+(?:and|or|to|-|–)\s+(?:april|february))|(?<=\d\s+|\b(?:in|and|or|to)\s+)march)"
    r"(?![\w'’/@-])"
)


def capitalized(text: str) -> str:
    """``text`` with the days, months and one-word holidays an owner typed in lower case
    capitalised ("march and april only, NOT easter week" -> "March and April only, NOT Easter
    week"); "may", "sat" and "sun" are left alone."""
    return str(_PROPER.sub(lambda m: m.group(0).capitalize(), text))
