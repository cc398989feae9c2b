"""Word-list scorer: bundled English and Chinese lists plus user lists from the config.

List format, one entry per line (``#`` starts a comment line):

- ``idiot``: a whole word, also with an English ending (idiots, idiotic is NOT matched:
  endings are s, es, d, ed, er, ers, ing, z). Whole words keep ``Scunthorpe`` and
  ``class`` innocent.
- ``fuck*``: any word starting with it; ``*fuck*`` (or ``*fuck``): any word containing it.
- ``kill yourself``: consecutive words (the last may take an ending).
- ``傻逼``: an entry with Chinese characters matches anywhere in the text (Chinese has no
  spaces), after masks and separators between the characters are removed.
- ``!去死皮``: an allowed phrase, removed before matching (``去死皮`` is exfoliation, not
  ``去死``).

Matching runs on the normalised text (see :mod:`bot.adapters.moderation.normalise`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from bot.adapters.moderation.normalise import MASKS, Normalised, fold, is_masked, normalise
from bot.domain.errors import ConfigError
from bot.domain.ports import ScorerBackend

BUNDLED = ("en.txt", "zh.txt")
_ENDINGS = ("", "s", "es", "ed", "er", "ers", "ing", "z")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
#: At most this many readings of a text with masked words are tried against the phrases.
_MAX_READINGS = 32


def forms(term: str) -> set[str]:
    """A whole-word term and its English endings."""
    found = {term + ending for ending in _ENDINGS}
    if term.endswith("e"):
        found |= {term + "d", term[:-1] + "ing"}
    return found


@dataclass
class Terms:
    """A parsed word list."""

    words: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    infixes: set[str] = field(default_factory=set)
    phrases: set[str] = field(default_factory=set)
    chinese: set[str] = field(default_factory=set)
    allowed: set[str] = field(default_factory=set)

    def add(self, entry: str) -> None:
        """Add one list line (the caller skips blanks and comments)."""
        if entry.startswith("!"):
            self.allowed.add(fold(entry[1:].strip()))
            return
        folded = fold(entry).strip()
        if _CJK.search(folded):
            self.chinese.add(re.sub(r"\s+", "", folded))
            return
        core = " ".join(normalise(folded.strip("*")).words)  # read like the texts are
        if not core:
            return
        if folded.startswith("*"):
            self.infixes.add(core)
        elif folded.endswith("*"):
            self.prefixes.add(core)
        elif " " in core:
            self.phrases.add(core)
        else:
            self.words.add(core)

    def count(self) -> int:
        """How many terms (allowed phrases not counted)."""
        parts = (self.words, self.prefixes, self.infixes, self.phrases, self.chinese)
        return sum(len(p) for p in parts)


class Matcher:
    """Finds listed terms in a text; returns the terms found (for the audit reasons)."""

    def __init__(self, terms: Terms) -> None:
        self._forms = {form: word for word in terms.words for form in forms(word)}
        self._prefixes = tuple(sorted(terms.prefixes))
        self._infixes = tuple(sorted(terms.infixes))
        self._chinese = _alternation(terms.chinese)
        self._allowed = tuple(sorted(terms.allowed, key=len, reverse=True))
        self._phrases = _phrase_pattern(terms.phrases)
        self._substrings = tuple(t for t in (*terms.words, *self._prefixes, *self._infixes) if len(t) >= 4)
        self._phrase_words = tuple(sorted({w for phrase in terms.phrases for w in phrase.split()}))

    def find(self, text: str) -> list[str]:
        folded = fold(text)
        for allowed in self._allowed:
            folded = folded.replace(allowed, " ")
        norm = normalise(folded)
        found: list[str] = []
        for word in norm.words:
            hit = self._word(word)
            if hit:
                found.append(hit)
        found += self._spelled(norm)
        found += self._phrases_in(norm.words)
        if self._chinese is not None:
            found += [m.group() for m in self._chinese.finditer(norm.compact)]
        return list(dict.fromkeys(found))

    def _phrases_in(self, words: tuple[str, ...]) -> list[str]:
        """Listed phrases, also with a masked word read as any phrase word it fits
        ("up your a**" -> "up your ass")."""
        if self._phrases is None:
            return []
        readings: list[list[str]] = [[]]
        for word in words:
            options = [word]
            if is_masked(word):
                options += [w for w in self._phrase_words if _fits(word, w)][:12]
            readings = [[*r, o] for r in readings for o in options][:_MAX_READINGS]
        found = []
        for reading in readings:
            found += [m.group(1) for m in self._phrases.finditer(" ".join(reading))]
        return found

    def _word(self, word: str) -> str | None:
        if word in self._forms:
            return self._forms[word]
        if word.startswith(self._prefixes):
            return next(p + "*" for p in self._prefixes if word.startswith(p))
        for infix in self._infixes:
            if infix in word:
                return f"*{infix}*"
        if any(c in MASKS for c in word) and is_masked(word):
            return self._masked(word)
        return None

    def _masked(self, word: str) -> str | None:
        """Read each mask as one hidden letter: a whole listed word, or a listed stem at the
        start (``fuck*``) or anywhere (``*shit``) of the word."""
        for stem in self._infixes:
            if any(_fits(word[i : i + len(stem)], stem) for i in range(len(word) - len(stem) + 1)):
                return f"*{stem}*"
        for stem in self._prefixes:
            if _fits(word[: len(stem)], stem):
                return stem + "*"
        for form, term in sorted(self._forms.items()):
            if _fits(word, form):
                return term
        return None

    def _spelled(self, norm: Normalised) -> list[str]:
        found = []
        for joined in norm.spelled:
            hit = self._word(joined) or next((t for t in self._substrings if t in joined), None)
            if hit:
                found.append(hit)
        return found


def _fits(masked: str, word: str) -> bool:
    """Whether ``word`` can be read from ``masked`` (same length, masks stand for letters)."""
    return len(masked) == len(word) and all(
        m == c or (m in MASKS and c.isalpha()) for m, c in zip(masked, word, strict=True)
    )


def _alternation(terms: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for many substrings (longest first, so the fullest term is reported)."""
    ordered = sorted(terms, key=lambda t: (-len(t), t))
    return re.compile("|".join(re.escape(t) for t in ordered)) if ordered else None


def _phrase_pattern(phrases: Iterable[str]) -> re.Pattern[str] | None:
    if not phrases:
        return None
    alternatives = []
    for phrase in sorted(phrases, key=len, reverse=True):
        endings = "|".join(e for e in _ENDINGS if e)
        alternatives.append(re.escape(phrase) + f"(?:{endings})?")
    return re.compile(r"(?<![^\s])(" + "|".join(alternatives) + r")(?![^\s])")


def parse(text: str, terms: Terms | None = None) -> Terms:
    """Parse one word list into ``terms`` (a new Terms if None)."""
    terms = terms or Terms()
    for line in text.splitlines():
        entry = line.strip()
        if entry and not entry.startswith("#"):
            terms.add(entry)
    return terms


class WordlistScorer:
    """Label ``match``: 1.0 if a listed term occurs in the text, else 0.0.

    :meth:`explain` says which terms matched; the gate puts them in the audit reasons.
    """

    name = "wordlist"

    def __init__(self, extra_files: Iterable[Path] = ()) -> None:
        self._extra = tuple(extra_files)
        self._matcher = Matcher(self._terms)

    @cached_property
    def _sources(self) -> list[tuple[str, str]]:
        sources = []
        data = resources.files("bot.adapters.moderation.data")
        for name in BUNDLED:
            sources.append((name, data.joinpath(name).read_text("utf-8")))
        for path in self._extra:
            try:
                sources.append((str(path), path.read_text("utf-8")))
            except OSError as exc:
                raise ConfigError(f"moderation.wordlist.files: cannot read {path}: {exc.strerror}") from None
            except UnicodeDecodeError:
                raise ConfigError(f"moderation.wordlist.files: {path} is not UTF-8 text") from None
        return sources

    @cached_property
    def _terms(self) -> Terms:
        terms = Terms()
        for _, text in self._sources:
            parse(text, terms)
        return terms

    @cached_property
    def version(self) -> str:
        """Term count and a digest of every list's content: a changed list changes it."""
        digest = hashlib.sha256()
        for name, text in self._sources:
            digest.update(f"{Path(name).name}\0{text}\0".encode())
        return f"wordlist {self._terms.count()} terms sha256:{digest.hexdigest()[:12]}"

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        return [{"match": 1.0 if self._matcher.find(text) else 0.0} for text in texts]

    def explain(self, text: str) -> list[str]:
        """The listed terms found in ``text``."""
        return self._matcher.find(text)


def _build(settings: Any, base: Path, data_dir: Path | None = None) -> WordlistScorer:
    return WordlistScorer([base / f for f in settings.wordlist.files])


#: The ``wordlist`` scorer: the bundled English and Chinese lists plus the user's (label ``match``).
SCORER = ScorerBackend("wordlist", build=_build, labels=("match",))
