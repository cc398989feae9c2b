"""The curated data shipped with the package: festival names and greeting/promo templates.

Loaded once from ``bot/services/drafting/templates/*.toml``. The festival name lists serve two
purposes: the "no wrong festival named" check, and choosing fallback greetings.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import regex


@dataclass(frozen=True)
class Festival:
    """One festival: its names in English and Chinese and its curated greetings."""

    key: str
    names: tuple[str, ...]
    names_zh: tuple[str, ...]
    also_ok: tuple[str, ...]
    templates: dict[str, tuple[str, ...]]

    @property
    def display_name(self) -> str:
        return self.names[0]

    def name_for(self, holiday: str) -> str:
        """The first name ("Christmas" for "Christmas Day"), unless ``holiday`` is another of
        the festival's names that does not hold it ("Eid al-Adha", not "Eid al-Fitr")."""
        wanted = _norm(holiday)
        if _norm(self.display_name) in wanted:
            return self.display_name
        return next((n for n in self.names if _norm(n) == wanted), self.display_name)


#: Days of remembrance: a greeting on them wishes peace, never "happy" or "merry".
SOLEMN = frozenset({"qingming", "memorial-day"})


def is_solemn(holiday: str) -> bool:
    """Whether ``holiday`` (any of its names) is a day of remembrance."""
    festival = find_festival(holiday) if holiday else None
    return festival is not None and festival.key in SOLEMN


def _load(name: str) -> dict[str, Any]:
    text = resources.files("bot.services.drafting").joinpath("templates", name).read_text(encoding="utf-8")
    return tomllib.loads(text)


@lru_cache(maxsize=1)
def festivals() -> tuple[Festival, ...]:
    """Every festival the package knows, in file order."""
    return tuple(
        Festival(
            key=item["key"],
            names=tuple(item["names"]),
            names_zh=tuple(item.get("names_zh", ())),
            also_ok=tuple(item.get("also_ok", ())),
            templates={"en": tuple(item.get("en", ())), "zh": tuple(item.get("zh", ()))},
        )
        for item in _load("festivals.toml")["festival"]
    )


@lru_cache(maxsize=1)
def kind_templates() -> dict[str, dict[str, tuple[str, ...]]]:
    """Promo and announcement templates: ``{kind: {language: templates}}``."""
    data = _load("promos.toml")
    return {kind: {lang: tuple(texts) for lang, texts in langs.items()} for kind, langs in data.items()}


def find_festival(name: str) -> Festival | None:
    """The festival a holiday name (from a trigger or the ``holidays`` package) refers to."""
    wanted = _norm(name)
    for festival in festivals():
        if wanted in {_norm(n) for n in (*festival.names, *festival.names_zh)}:
            return festival
    for festival in festivals():  # "Mid-Autumn Festival (observed)" and similar
        if any(_norm(n) in wanted for n in festival.names if len(n) > 6):
            return festival
    return None


def mentioned_festivals(text: str, ignore: tuple[str, ...] = ()) -> dict[str, str]:
    """Festivals named in ``text``: ``{festival key: the name as written}``.

    Longer names are matched first and blanked out, so "Chinese New Year" is not also read
    as "New Year". Names in ``ignore`` are blanked out before anything is matched.
    """
    work = text
    found: dict[str, str] = {}
    pairs = [*((name, "") for name in ignore), *_names_longest_first()]
    for name, key in sorted(pairs, key=lambda p: len(p[0]), reverse=True):
        pattern = _pattern(name)
        match = pattern.search(work)
        if match:
            if key:
                found.setdefault(key, match.group(0))
            work = pattern.sub(" ", work)
    return found


#: Words of holiday names that are plain English too ("a bright new year", "the winter
#: solstice"): a name made only of them may be written in lower case.
_PLAIN_WORDS = frozenset(
    {
        *("new", "year", "year's", "years", "day", "eve", "festival", "spring", "lunar", "national"),
        *("golden", "week", "winter", "solstice", "moon", "may", "good", "friday", "sunday", "monday"),
        *("of", "the"),
    }
)


def misnamed(text: str, names: tuple[str, ...], written: tuple[str, ...] = ()) -> str | None:
    """A holiday's name written wrong in ``text``: in the wrong case ("your labor day"), with a
    word changed ("the festive Canadian Day") or cut short after "happy" ("a happy Canada!").
    ``names`` are the holiday's English names; forms found in ``written`` (the campaign's own
    texts) are accepted as the user wrote them."""
    own = " ".join(written)
    for name in sorted((n for n in names if n and not regex.search(r"\p{Han}", n)), key=len, reverse=True):
        words = name.split()
        if any(w.casefold() not in _PLAIN_WORDS for w in words):
            for match in _pattern(name).finditer(text):
                found = match.group(0).replace("’", "'")
                if found != name.replace("’", "'") and found not in own:
                    return str(found)
        if (
            len(words) >= 2
            and words[-1] == "Day"
            and words[0].casefold() not in _PLAIN_WORDS  # "happy new beginnings"
            and not words[0].endswith(("'s", "s'"))
        ):
            first, rest = regex.escape(words[0]), r"\s+".join(map(regex.escape, words[1:]))
            for cut in regex.finditer(rf"\bhappy\s+({first})\b", text, regex.IGNORECASE):
                after = text[cut.start(1) :]
                if not any(_pattern(n).match(after) for n in names):  # "Happy Christmas" is a name
                    return str(cut.group(0))
            if len(words[0]) >= 5:
                stem = regex.escape(words[0][:5])
                changed = regex.search(rf"\b(?!{first}\b){stem}\p{{L}}*\s+{rest}\b", text, regex.IGNORECASE)
                if changed:
                    return str(changed.group(0))
    return None


@lru_cache(maxsize=1)
def _names_longest_first() -> tuple[tuple[str, str], ...]:
    pairs = [(n, f.key) for f in festivals() for n in (*f.names, *f.names_zh)]
    return tuple(sorted(pairs, key=lambda p: len(p[0]), reverse=True))


@lru_cache(maxsize=512)
def _pattern(name: str) -> regex.Pattern[str]:
    escaped = regex.escape(name).replace("'", "['’]?")
    if regex.search(r"\p{Han}", name):
        return regex.compile(escaped)
    return regex.compile(rf"(?<![\p{{L}}\p{{N}}]){escaped}(?![\p{{L}}\p{{N}}])", regex.IGNORECASE)


def _norm(name: str) -> str:
    return " ".join(name.casefold().replace("’", "'").replace("-", " ").split())
