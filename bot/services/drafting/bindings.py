"""A fact's numbers keep their meaning: the words that qualify them and the things they belong to.

The fact check (:mod:`facts`) sees that "$35" is in the post; it does not see that the campaign
said "from $35" and the draft says "$35 each", or that "drop-off 8:00-9:00, pick-up 17:00"
became "pick up at 8:00". A reviewer rejects both. :func:`meaning` fails a draft when

- a **qualifier** of a fact's price, percentage, number or time is dropped or turned around:
  "from $35" (a lowest price) written as "$35"; "up to 30% off" as "30% off"; "until 11:00" as
  "from 11:00";
- a **label** moves: a time, price, percentage, date or day that the facts give to one thing
  ("pick-up") is written next to the word of another of the same kind ("drop-off").

A label is the content words just before the number in its clause (at most :data:`LABEL_WORDS`,
no further back than a comma, an "and" or another number). Both rules only look at numbers the
facts themselves qualify or label, so a campaign whose facts say "$35" leaves "$35 each" alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import regex

from bot.domain import CheckResult
from bot.services.drafting.facts import STOP_WORDS, claim_spans, describe

#: How many content words before a number name what it belongs to.
LABEL_WORDS = 3
#: Claim kinds that end a clause when looking back for a label (offer and state words such as
#: "opens" or "closed" are labels themselves).
_HARD = ("time", "price", "pct", "date", "day", "num", "code", "month")
#: Kinds whose labels are compared (a bare number is too often a count of something else).
_LABELED = ("time", "price", "pct", "date", "day")
_BOUNDARY = regex.compile(r"[,;:.!?\n()\[\]—–]|\b(?:and|or|but|then|while|&)\b", regex.IGNORECASE)
_LETTERS = regex.compile(r"\p{L}+")

#: Qualifiers and the group each belongs to; a group's words mean the same thing.
_QUALIFIERS = {
    "from": "least",
    "starting at": "least",
    "starting from": "least",
    "starting": "least",
    "beginning": "least",
    "starts at": "least",
    "as low as": "least",
    "prices from": "least",
    "up to": "most",
    "at most": "most",
    "no more than": "most",
    "max": "most",
    "maximum": "most",
    "under": "under",
    "less than": "under",
    "below": "under",
    "over": "over",
    "more than": "over",
    "at least": "over",
    "minimum": "over",
    "min": "over",
    "until": "before",
    "till": "before",
    "til": "before",
    "before": "before",
    "by": "before",
    "after": "after",
    "since": "after",
}
#: Words that end a range of times, days or dates ("9:00 to 17:00", "Monday through Friday").
_RANGE_END = ("to", "through", "thru")
#: What a qualifier means for a time, a day or a date: "from 9:00" starts a range and "until"
#: or "to" ends it; dropping either is no change of meaning ("9:00-17:00"), turning one into
#: the other is ("from 17:00" for "until 17:00", "Saturday to Monday" for "Monday to Saturday").
_WHEN_GROUPS = {"least": "after", "before": "before", "after": "after", "end": "before"}
_QUALIFIER = regex.compile(
    r"(?:\b(?:"
    + "|".join(sorted((regex.escape(q) for q in (*_QUALIFIERS, *_RANGE_END)), key=len, reverse=True))
    + r")|[-–])\s*$",
    regex.IGNORECASE,
)
#: Between the two ends of a range.
_RANGE_GAP = regex.compile(r"^\s*(?:to|through|thru|until|till|-|–)\s*$", regex.IGNORECASE)
_WHEN = ("time", "day", "date")


@dataclass(frozen=True)
class _Use:
    """One number as a text writes it: its claim, its qualifier group and its label stems."""

    claim: str
    #: The qualifier's group ("least", "most", "under", "over", "before", "after"), and as written.
    qualifier: str | None
    qualifier_text: str
    #: The label's words as written, and their stems (first five letters) for comparing.
    words: tuple[str, ...]
    #: A date that starts something with no end given ("from Sunday, March 7 we open on
    #: Sundays"): dropping its "from" turns a change into a one-day event.
    opens: bool = False

    @property
    def label(self) -> frozenset[str]:
        return frozenset(w[:5] for w in self.words)


def _uses(text: str) -> list[_Use]:
    hard = [span for span in claim_spans(text) if span[2].partition(":")[0] in _HARD]
    out = []
    for i, (start, end, claim) in enumerate(hard):
        kind = claim.partition(":")[0]
        if kind not in _LABELED and kind != "num":
            continue
        before = text[hard[i - 1][1] if i else 0 : start]
        after = text[end : hard[i + 1][0] if i + 1 < len(hard) else len(text)]
        starts_range = (
            i + 1 < len(hard) and hard[i + 1][2].startswith(kind + ":") and bool(_RANGE_GAP.match(after))
        )
        qualifier = _QUALIFIER.search(before)
        if (
            qualifier is None
            and kind == "date"
            and i
            and hard[i - 1][2].startswith("day:")
            and _DAY_GAP.match(before)
        ):
            # "from Sunday, March 7": the day's qualifier is the date's
            qualifier = _QUALIFIER.search(text[hard[i - 2][1] if i > 1 else 0 : hard[i - 1][0]])
        written = " ".join(qualifier.group(0).lower().split()) if qualifier else ""
        group = _qualifier(kind, written, starts_range)
        if group is None and starts_range and kind in _WHEN:
            group = "after"
        opens = kind == "date" and group == "after" and not starts_range and written in _OPENERS
        out.append(_Use(claim, group, written, _label(before) or _label_after(after), opens))
    return out


#: What may stand between a day's name and its date ("Sunday, March 7").
_DAY_GAP = regex.compile(r"^[\s,]*$")
#: The qualifiers that start an open period.
_OPENERS = ("from", "starting", "starting from", "beginning", "since")


def _qualifier(kind: str, written: str, starts_range: bool) -> str | None:
    if not written:
        return None
    group = "end" if written in _RANGE_END or written in ("-", "–") else _QUALIFIERS[written]
    if kind in _WHEN:
        return _WHEN_GROUPS.get(group)
    if group == "least" and starts_range:
        return None  # "from $10 to $20" is a range, not a lowest price
    return group if group in ("least", "most", "under", "over") else None


def _content(clause: str) -> list[str]:
    words = [w.lower() for w in _LETTERS.findall(clause)]
    return [w for w in words if len(w) >= 3 and w not in STOP_WORDS and w not in _QUALIFIERS]


def _label(before: str) -> tuple[str, ...]:
    return tuple(_content(_BOUNDARY.split(before)[-1])[-LABEL_WORDS:])


def _label_after(after: str) -> tuple[str, ...]:
    """ "20% off wool coats": with nothing before it, a number belongs to what follows it."""
    return tuple(_content(_BOUNDARY.split(after)[0])[:LABEL_WORDS])


def meaning(body: str, facts: Sequence[str]) -> CheckResult:
    """Fails a draft that drops or turns a fact's qualifier, or moves a fact's number to
    another thing's label (see the module docstring)."""
    given = [use for fact in facts for use in _uses(fact)]
    if not given:
        return CheckResult("meaning", True)
    for use in _uses(body):
        same = [g for g in given if g.claim == use.claim]
        if not same:
            continue
        problem = _qualifier_problem(use, same) or _label_problem(use, same, given)
        if problem:
            return CheckResult("meaning", False, problem)
    return CheckResult("meaning", True)


def _qualifier_problem(use: _Use, same: Sequence[_Use]) -> str | None:
    wanted = {g.qualifier for g in same}
    if len(wanted) != 1:
        return None  # the facts write it both ways (or not at all)
    (want,) = wanted
    if want is None or use.qualifier == want:
        return None
    what = describe(use.claim)
    if use.claim.partition(":")[0] in _WHEN:
        if use.qualifier is None and any(g.opens for g in same):
            said = same[0].qualifier_text
            return f"the facts say {said!r} {what} (a start); the draft drops {said!r}"
        if use.qualifier is None:
            return None  # "9:00-17:00" for "from 9:00 until 17:00"
        return f"the facts give {what} as {_ENDS[want]}; the draft as {_ENDS[use.qualifier]}"
    said = f"the facts say {same[0].qualifier_text!r} {what}"
    if use.qualifier is None:
        return f"{said}; the draft drops {same[0].qualifier_text!r}"
    return f"{said}; the draft says {use.qualifier_text!r}"


_ENDS = {"after": "a start ('from')", "before": "an end ('until')"}


def _label_problem(use: _Use, same: Sequence[_Use], given: Sequence[_Use]) -> str | None:
    if not use.label or use.claim.partition(":")[0] not in _LABELED:
        return None
    kind = use.claim.partition(":")[0]
    own = frozenset().union(*(g.label for g in same))
    others = frozenset().union(
        *(g.label for g in given if g.claim != use.claim and g.claim.startswith(kind + ":"))
    )
    foreign = [w for w in use.words if w[:5] in others and w[:5] not in own]
    if not foreign:
        return None
    return f"{describe(use.claim)} is written next to {foreign[0]!r}, which the facts give another {kind}"
