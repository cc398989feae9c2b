"""What a draft says that the campaign did not give it.

A reviewer approves posts that state the campaign's facts in the stock phrasing of a post
("Happy New Year's Day from Northside Roasters! May your day be filled with warmth and joy.",
"Good news from Petal & Stem: ... Treat yourself!") and rejects the ones where a small model
rambles in its own words: "a new chapter in the story of the brand", "we always make sure to
give them to our friends", "a tradition passed down through generations". Those sentences
are rarely false in a way the fact check can see (no number, day or code), but each adds
content words that no fact, no brief, no product and no holiday name backs.

:func:`additions` lists those words: content words of the post whose stem is not in the
backing texts, not a function word and not a stock word of greetings and promotions (this
module's :data:`STOCK`). :data:`MOST` of them is enough to fail the ``adds`` check; fewer
still lower a draft's rank (:func:`bot.services.drafting.checks.soft_score`).
"""

from __future__ import annotations

from collections.abc import Sequence

import regex

from bot.domain import CheckResult
from bot.services.drafting.facts import CALENDAR_WORDS, STOP_WORDS

#: This many added words (distinct stems) fail the check. Two was allowed until the fourth
#: held-out split passed "at their new location" (two words the campaign never gave); with one
#: allowed, dev loses no top draft and its precision goes from 0.967 to 0.981.
MOST = 2
#: Stems are a word's first letters, so "mornings" matches "morning" and "celebrating" "celebrate".
STEM = 5

_WORD = regex.compile(r"[\p{L}][\p{L}'’-]*")

#: Words of grammar that carry no claim of their own (with facts.STOP_WORDS).
_FUNCTION = frozenset(
    [
        "have",
        "has",
        "had",
        "having",
        "been",
        "being",
        "was",
        "were",
        "am",
        "do",
        "does",
        "did",
        "done",
        "don't",
        "doesn't",
        "didn't",
        "it's",
        "that's",
        "there's",
        "here's",
        "what's",
        "we're",
        "we've",
        "we'll",
        "we'd",
        "you're",
        "you've",
        "you'll",
        "you'd",
        "they're",
        "let's",
        "who",
        "what",
        "which",
        "whom",
        "whose",
        "how",
        "why",
        "when",
        "where",
        "while",
        "about",
        "through",
        "down",
        "around",
        "again",
        "one",
        "ones",
        "some",
        "such",
        "own",
        "other",
        "another",
        "both",
        "many",
        "much",
        "few",
        "lot",
        "lots",
        "even",
        "still",
        "yet",
        "ever",
        "too",
        "not",
        "no",
        "nor",
        "if",
        "because",
        "since",
        "though",
        "although",
        "whether",
        "ya",
    ]
)

#: Stock words of greetings, promotions and announcements: a post may use them freely.
STOCK = frozenset(
    [
        "happy",
        "merry",
        "wishing",
        "wish",
        "wishes",
        "greetings",
        "greeting",
        "celebrate",
        "celebrating",
        "celebration",
        "season",
        "seasons",
        "holiday",
        "holidays",
        "day",
        "days",
        "year",
        "joy",
        "joyful",
        "joyous",
        "laughter",
        "warmth",
        "warm",
        "warmest",
        "love",
        "loved",
        "lovely",
        "smiles",
        "smile",
        "peace",
        "peaceful",
        "health",
        "healthy",
        "happiness",
        "cheer",
        "cheers",
        "cheerful",
        "bright",
        "sunshine",
        "filled",
        "full",
        "family",
        "families",
        "friends",
        "together",
        "home",
        "sweet",
        "sweetest",
        "delicious",
        "wonderful",
        "beautiful",
        "news",
        "good",
        "great",
        "big",
        "awesome",
        "exciting",
        "excited",
        "treat",
        "treats",
        "yourself",
        "see",
        "soon",
        "available",
        "come",
        "visit",
        "stop",
        "drop",
        "join",
        "enjoy",
        "grab",
        "miss",
        "favorite",
        "favourite",
        "thanks",
        "thank",
        "everyone",
        "people",
        "shared",
        "waiting",
        "hope",
        "look",
        "forward",
        "welcome",
        "cozy",
        "fresh",
        "best",
        "use",
        "ready",
    ]
)
_STOCK_STEMS = frozenset(w[:STEM] for w in STOCK)
_IGNORED = frozenset(w[:STEM] for w in (*STOP_WORDS, *_FUNCTION))


def _stem(word: str) -> str:
    low = word.casefold().strip("'’-")
    if low.endswith(("'s", "’s")):
        low = low[:-2]
    return low[:STEM]


#: A stock lead that makes no claim ("Something new at <brand>: the bay is closed").
_LEAD = regex.compile(r"^\s*something new\b", regex.IGNORECASE)


def additions(body: str, backing: Sequence[str]) -> list[str]:
    """Content words of ``body`` (first spelling of each stem) no backing text gives."""
    backed = {_stem(w) for text in backing for w in _WORD.findall(text or "")}
    found: dict[str, str] = {}
    for word in _WORD.findall(_LEAD.sub("", body)):
        low = word.casefold().strip("'’-")
        stem = _stem(word)
        if len(low) < 3 or low in STOP_WORDS or low in _FUNCTION or stem in _IGNORED:
            continue
        if stem in backed or stem in _STOCK_STEMS or stem in found:
            continue
        found[stem] = low
    return list(found.values())


def adds(body: str, backing: Sequence[str]) -> CheckResult:
    """Fails an English post that adds :data:`MOST` or more words of its own."""
    if regex.search(r"\p{Han}", body):
        return CheckResult("adds", True)
    extra = additions(body, backing)
    if len(extra) >= MOST:
        return CheckResult(
            "adds", False, f"says what the campaign did not give: {', '.join(extra)} (at most {MOST - 1})"
        )
    return CheckResult("adds", True, ", ".join(extra))


#: Capitalised words inside a sentence ("at Sunny Side Cafe", "on Elm Road"), or a sentence's
#: first word when it owns something ("Tina's code"): a name.
_NAME = regex.compile(
    r"(?<=[\p{L},]\s)\p{Lu}\p{Ll}{2,}(?:\s\p{Lu}\p{Ll}+)*|(?:^|(?<=[.!?]\s))\p{Lu}\p{Ll}{2,}(?=['’]s\b)"
)


def unknown_names(body: str, backing: Sequence[str]) -> CheckResult:
    """Fails an English post naming a person, place or business the campaign never names: a
    capitalised word that no backing text gives and is no stock word. On the quality set's dev
    split every such draft was one a reviewer rejected (another shop's name from the prompt's
    examples, "Elm Road", "Santa Maria Del Mar", an invented groomer)."""
    if regex.search(r"\p{Han}", body):
        return CheckResult("unknown_name", True)
    added = {_stem(word) for word in additions(body, backing)}
    names = [
        m.group(0)
        for m in _NAME.finditer(body)
        if any(_stem(word) in added and word.casefold() not in CALENDAR_WORDS for word in m.group(0).split())
    ]
    if names:
        return CheckResult(
            "unknown_name", False, f"names what the campaign does not: {', '.join(dict.fromkeys(names))}"
        )
    return CheckResult("unknown_name", True)
