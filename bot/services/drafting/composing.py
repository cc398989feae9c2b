"""Composed drafts: the campaign's facts stated as written, framed by one model-written line.

When no model-written candidate passes, the sentences the model did get right are still
useful: an opening such as "Happy Mid-Autumn Festival from Lotus Leaf Tea House!" is kept
and the facts follow it word for word ("Second coffee half price. Mornings until 11:00.").
If no sentence of the model is usable, a stock lead for the kind of post frames the facts.
A composed draft is checked like any other and saved with origin ``composed``; it comes
before the generic curated templates, which know nothing of the campaign's facts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import combinations, pairwise

import regex

from bot.services.drafting import cleaning, trimming
from bot.services.drafting.facts import CALL_VERBS

#: Most composed drafts written for one slot.
MOST = 3
#: Most posts of a composed thread: facts that need more are an essay, not a post.
MOST_PARTS = 3
#: Where a thread's parts are joined (a line holding only ``---``, as a person writes one).
PART_BREAK = "\n---\n"
#: A model sentence longer than this is not used as an opening.
LONGEST_OPENING = 140

#: Stock leads per kind, taken in turn (a weekly promo with the same facts must not repeat
#: last week's post word for word). None adds a claim: no day, time, "new" or offer word.
_LEADS = {
    "promo": (
        "{brand} offer: {facts}",
        "Good news from {brand}: {facts}",
        "Treat yourself at {brand}: {facts}",
        "From {brand}: {facts}",
    ),
    "announcement": (
        "News from {brand}: {facts}",
        "An update from {brand}: {facts}",
        "A note from {brand}: {facts}",
        "From all of us at {brand}: {facts}",
    ),
    "greeting": (
        "{greeting}From all of us at {brand}: {facts}",
        "{greeting}Warm wishes from everyone at {brand}: {facts}",
        "{greeting}With love from {brand}: {facts}",
        "{greeting}Everyone at {brand} wishes you well: {facts}",
    ),
}


#: Leads of a promo whose facts never name its product (also taken in turn).
_PRODUCT_LEADS = (
    "{Product} at {brand}: {facts}",
    "{brand} offer on {product}: {facts}",
    "Good news from {brand} about {product}: {facts}",
    "Treat yourself to {product} at {brand}: {facts}",
)

#: Leads of an announcement whose facts never name what the owner asked to write about
#: ("can u write something about the new podcast studio??"), taken in turn.
_TOPIC_LEADS = (
    "{Product} at {brand}: {facts}",
    "News from {brand} about {product}: {facts}",
    "An update from {brand} on {product}: {facts}",
    "{Product} at {brand}, in short: {facts}",
)

#: First words of a fact written as a sentence that read lower-case after a colon.
_LOWER_AFTER_COLON = frozenset(
    {"It", "The", "A", "An", "We", "We're", "We've", "We'll", "Our", "This", "There", "All", "Every"}
    | {verb.split()[0].capitalize() for verb in CALL_VERBS}  # "News from <brand>: bring in ..."
)


#: A fact that only says from when ("from Monday, June 2"): it opens the next fact's sentence
#: ("From Monday, June 2, Tuesdays and Thursdays ...") instead of standing alone.
_ONLY_WHEN = regex.compile(
    r"^(?:from|starting|beginning|as\s+of)\s+(?:[\w,.'’-]+\s*){1,4}$", regex.IGNORECASE
)


def state(facts: Sequence[str]) -> str:
    """The facts as sentences, words as written: "second coffee half price" ->
    "Second coffee half price."; a fact that only says from when opens the next one's."""
    listed = [f.strip() for f in facts if f.strip()]
    out: list[str] = []
    opener = ""
    for i, fact in enumerate(listed):
        if not opener and i + 1 < len(listed) and _ONLY_WHEN.match(fact.rstrip(".")):
            opener = fact.rstrip(".")
            continue
        sentence = f"{opener}, {fact}" if opener else fact
        opener = ""
        sentence = sentence[0].upper() + sentence[1:]
        out.append(sentence if sentence[-1] in ".!?" else f"{sentence}.")
    return " ".join(out)


def openings(bodies: Sequence[str], usable: Callable[[str], bool], brand: str) -> list[str]:
    """First sentences of model bodies that pass ``usable``, those naming the brand first."""
    seen: dict[str, None] = {}
    for body in bodies:
        parts = cleaning.sentences(body)
        if not parts:
            continue
        first = parts[0].strip()
        if (
            len(first) <= LONGEST_OPENING
            and first.casefold() not in {s.casefold() for s in seen}
            and usable(first)
        ):
            seen[first] = None
    found = list(seen)
    return sorted(found, key=lambda s: brand.casefold() not in s.casefold()) if brand else found


def compose_facts(
    facts: Sequence[str],
    opening_lines: Sequence[str],
    *,
    brand: str,
    kind: str,
    holiday: str,
    turn: int = 0,
    product: str = "",
    topic: str = "",
    solemn: bool = False,
) -> list[str]:
    """Up to :data:`MOST` bodies: each usable opening followed by the facts, then a stock lead
    (the ``turn``-th of the kind's leads, so successive composed drafts are worded apart). A
    lead names the promo's ``product``, or the ``topic`` the owner asked to write about, when
    the facts do not."""
    facts = [f for f in facts if f.strip()]
    stated = state(facts)
    if not stated:
        return []
    # "it's finally done": what the owner asked to write about must come first
    topic = topic if kind != "greeting" and topic and not _names(facts[:1], topic) else ""
    bodies = []
    for line in opening_lines:
        if brand and brand.casefold() not in line.casefold():
            continue  # the stock lead names the brand; an opening without it adds little
        if topic and not _names([line], topic):
            continue
        bodies.append(f"{line} {stated}")
        if len(bodies) >= MOST - 1:
            break
    leads = _LEADS.get(kind, _LEADS["announcement"])
    lead = leads[turn % len(leads)]
    first = facts[0].strip()
    # after a colon, the first fact as written ("It costs $89" from a brief's sentence: "it costs")
    opening = first.split()[0]
    # a plain word that only opens the sentence ("Alterations start from $45"), not a name
    plain = {w for f in (*facts, product) for w in f.split()[1:] if w.islower()}
    lower = opening in _LOWER_AFTER_COLON or opening.casefold() in plain
    start = first[0].lower() if lower else first[0]
    as_written = start + stated[1:]
    if kind != "greeting" and product and not _names(facts, product):
        lead = _PRODUCT_LEADS[turn % len(_PRODUCT_LEADS)]  # "Full detail at <brand>: it costs $89"
    elif topic:
        leads = _PRODUCT_LEADS if kind == "promo" else _TOPIC_LEADS
        lead, product = leads[turn % len(leads)], topic
    # a day of remembrance is not "happy" (Memorial Day, Qingming)
    wish = f"Wishing you a peaceful {holiday}. " if solemn else f"Happy {holiday}! "
    greeting = wish if holiday else "Warm wishes! "
    if brand and brand.casefold() in facts[0].casefold():  # "Silver Comb Salon has new hours"
        bodies.append(f"{greeting}{stated}" if kind == "greeting" else stated)
    else:
        if _HEADED.match(first) and lead.endswith(": {facts}"):  # "something new: we now make ..."
            lead, as_written = lead[: -len(": {facts}")] + ". {facts}", stated
        bodies.append(
            lead.format(
                brand=brand or "us",
                facts=as_written,
                greeting=greeting,
                product=product,
                Product=product[:1].upper() + product[1:],
            )
        )
    return bodies


#: A first fact with a headline of its own ("something new: we now make ..."): a lead ending in
#: a colon would give the post two.
_HEADED = regex.compile(r"^(?:[^\s:]+\s+){0,4}[^\s:]+:\s")


def _names(facts: Sequence[str], subject: str) -> bool:
    """Whether a fact names ``subject`` ("the new vans" is named by "3 new vans in April")."""
    bare = regex.sub(r"^(?:the|our|my|a|an)\s+", "", subject.strip(), flags=regex.IGNORECASE).casefold()
    return any(bare in f.casefold() for f in facts)


def fit(body: str, fits: Callable[[str], bool]) -> str:
    """``body`` made to fit by dropping what only colours it before any statement goes: first
    asides in brackets, then reasons, longest first. Returns ``body`` when it fits as it is or
    when nothing dropped makes it fit (then whole sentences go, as for any draft)."""
    for shorter in trimming.shorter(body):
        if fits(shorter):
            return shorter
    return body


#: A sentence's end where a thread may be cut: after ".", "!" or "?" (and any emoji), before
#: a space ("£5.50" and "4.45am" are not ends).
_SENTENCE_END = regex.compile(r"(?<=[.!?][\p{Extended_Pictographic}\uFE0F]*)\s+(?=\S)")


def thread(body: str, fits: Callable[[str], bool], most: int = MOST_PARTS) -> str | None:
    """``body`` cut at sentence ends into the fewest parts (at most ``most``) with which
    ``fits`` the whole thread, the parts as even as they can be; None when no cut fits. Of
    two forms that need as many parts, the one that keeps more of the body (its reasons and
    asides with a number, see :func:`fit`) is taken; asides without a number always go.

    A composed draft whose facts need more room than one post has is posted as a thread rather
    than leaving a statement out (the platforms post the parts as replies, in order)."""
    # the owner's asides without a number go first (a thread has room, not for colour)
    forms = list(dict.fromkeys(list(trimming.shorter(body.strip()))[1:]))
    for count in range(2, most + 1):
        for form in forms:
            if found := _cut(form, fits, count):
                return found
    return None


def _cut(body: str, fits: Callable[[str], bool], count: int) -> str | None:
    """``body`` in ``count`` parts cut at sentence ends, the most even cut that fits."""
    pieces = [p for p in _SENTENCE_END.split(body) if p]
    cuts = sorted(combinations(range(1, len(pieces)), count - 1), key=lambda at: _longest_part(pieces, at))
    for at in cuts:
        text = PART_BREAK.join(_parts(pieces, at))
        if fits(text):
            return text
    return None


def _parts(pieces: Sequence[str], at: Sequence[int]) -> list[str]:
    bounds = (0, *at, len(pieces))
    return [" ".join(pieces[a:b]) for a, b in pairwise(bounds)]


def _longest_part(pieces: Sequence[str], at: Sequence[int]) -> int:
    return max(len(p) for p in _parts(pieces, at))
