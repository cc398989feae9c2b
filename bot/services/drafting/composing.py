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

import regex

from bot.services.drafting import cleaning, trimming
from bot.services.drafting.facts import CALL_VERBS

#: Most composed drafts written for one slot.
MOST = 3
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
    solemn: bool = False,
) -> list[str]:
    """Up to :data:`MOST` bodies: each usable opening followed by the facts, then a stock lead
    (the ``turn``-th of the kind's leads, so successive composed drafts are worded apart)."""
    facts = [f for f in facts if f.strip()]
    stated = state(facts)
    if not stated:
        return []
    bodies = []
    for line in opening_lines:
        if brand and brand.casefold() not in line.casefold():
            continue  # the stock lead names the brand; an opening without it adds little
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
    if kind != "greeting" and product and not any(product.casefold() in f.casefold() for f in facts):
        lead = _PRODUCT_LEADS[turn % len(_PRODUCT_LEADS)]  # "Full detail at <brand>: it costs $89"
    # a day of remembrance is not "happy" (Memorial Day, Qingming)
    wish = f"Wishing you a peaceful {holiday}. " if solemn else f"Happy {holiday}! "
    greeting = wish if holiday else "Warm wishes! "
    if brand and brand.casefold() in facts[0].casefold():  # "Silver Comb Salon has new hours"
        bodies.append(f"{greeting}{stated}" if kind == "greeting" else stated)
    else:
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


def fit(body: str, fits: Callable[[str], bool]) -> str:
    """``body`` made to fit by dropping what only colours it before any statement goes: first
    asides in brackets, then reasons, longest first. Returns ``body`` when it fits as it is or
    when nothing dropped makes it fit (then whole sentences go, as for any draft)."""
    for shorter in trimming.shorter(body):
        if fits(shorter):
            return shorter
    return body
