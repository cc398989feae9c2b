"""What a statement can lose and still say what it says: the owner's asides in brackets and
the reasons given after it. A composed draft too long for a platform loses these before it
loses a statement ("Same teachers, same price" stays; ", so nobody has to miss a lesson
because of snow" goes), and a draft that leaves them out still states the fact.
"""

from __future__ import annotations

from collections.abc import Iterator

import regex

#: An aside in brackets that holds no number ("(you lot are amazing)", "(sad but true)"): the
#: owner's colour. "(27th)" and "(2026!!)" stay.
_ASIDE = regex.compile(r"\s*\((?![^()]*\d)[^()]*\)")
#: A reason given after what is said (", so nobody has to miss a lesson", " because the
#: mornings are dark"), to the end of its clause. Not "since" (mostly a time: "since 2019"),
#: not "so" before an ask ("so book early"), not a sentence of its own ("So our hikes are
#: longer that week": what follows from the news is news).
_REASON = regex.compile(
    r"(?<![.!?:;][\p{Extended_Pictographic}\uFE0F]*),?\s+(?:because|so\s+that|so(?=\s+(?:we|we're|you|you're|they|nobody|no\s+one|"
    r"everyone|everybody|the|our|your|it|there|no)\b))\s[^.;:!?()\n]*(?=[.;!?]|$)",
    regex.IGNORECASE,
)


#: An aside of three words or more, even with a number ("(did 3 graduations last month!)"):
#: dropped only after the reasons. "(usually S$79)" stays.
_WORDY_ASIDE = regex.compile(r"\s*\((?=(?:[^()\s]+\s+){2,}[^()\s]+\))[^()]*\)")


def shorter(text: str) -> Iterator[str]:
    """``text``, then ever shorter forms of it: without its asides, then without its reasons
    one by one, longest first, then without its longer asides that hold a number."""
    yield text
    text = _tidy(_ASIDE.sub("", text))
    yield text
    for match in sorted(_REASON.finditer(text), key=lambda m: m.end() - m.start(), reverse=True):
        text = _tidy(text.replace(match.group(0), "", 1))
        yield text
    if _WORDY_ASIDE.search(text):
        yield _tidy(_WORDY_ASIDE.sub("", text))


def core(text: str) -> str:
    """``text`` without its asides and reasons ("we're still closed on Sundays so the bakers
    can sleep" -> "we're still closed on Sundays")."""
    *_, last = shorter(text)
    return last


def _tidy(text: str) -> str:
    """Spaces left before punctuation by a cut ("today , back" -> "today, back")."""
    return str(_BEFORE_MARK.sub(r"\1", _SPACES.sub(" ", text))).strip()


_SPACES = regex.compile(r"[ \t]{2,}")
_BEFORE_MARK = regex.compile(r"\s+([,.;:!?])")
