"""Prompts: the campaign brief is a Jinja2 template rendered in a bounded sandbox
(:mod:`bot.templating`), then wrapped in a chat with a system prompt and one worked example
turn for the campaign's kind.

Small models copy the shape of the example closely, so the example is rendered with the
campaign's own holiday (a copied festival name is then the right one) and a made-up shop
whose name and product the checks refuse if they leak into the post. Several examples per
kind exist; candidate ``i`` gets example ``i % len(examples)``, which makes the batch more
varied than sampling alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot import templating
from bot.domain.ports import ChatMessage

SYSTEM = (
    "You write one short social media post for a brand. Reply with the post only: "
    "no quotes, no explanations, no hashtags, no @mentions, no links."
)
LANGUAGE_NAMES = {"en": "English", "zh": "Simplified Chinese"}


@dataclass(frozen=True)
class Example:
    """One worked example: a brief and the post we would like for it.

    ``facts`` (with ``short``, the brief without them) is the shape used for campaigns that
    list facts: the example then shows the same "facts to state" block as the real request.
    """

    brief: str
    post: str
    short: str = ""
    facts: tuple[str, ...] = ()


#: Made-up shops used in examples; a post that names them copied the example.
EXAMPLE_WORDS = (
    "Maple Street Bakery",
    "Maple Street",
    "apple pie",
    "apple pies",
    "Blue Harbor Books",
    "Blue Harbor",
    "Sunny Side Cafe",
    "Sunny Side",
    "PIE10",
    "READ15",
    "poem",
    "poems",
    "poetry",
    "reading",
    "slice",
    "cinnamon",
    "gift card",
    "gift cards",
    "Elm Road",
    "oven",
    "bakery",
    "bookshop",
    "bookstore",
    "books",
)

_GREETING = (
    Example(
        "Write a warm greeting for {holiday} from Maple Street Bakery. Mention our apple pie.",
        "Happy {holiday} from all of us at Maple Street Bakery! May your day be full of warmth, "
        "laughter and apple pie shared with the people you love.",
        "Write a warm greeting for {holiday} from Maple Street Bakery.",
        ("our apple pie is baked fresh for the holiday",),
    ),
    Example(
        "Write a short, friendly {holiday} greeting from Blue Harbor Books. Mention our gift cards.",
        "Wishing you a joyful {holiday}! Everyone at Blue Harbor Books hopes you find time to rest, "
        "read and celebrate. Our gift cards make a lovely surprise for someone special.",
        "Write a short, friendly {holiday} greeting from Blue Harbor Books.",
        ("gift cards make a lovely surprise",),
    ),
    Example(
        "Write a cheerful {holiday} message from Sunny Side Cafe. Mention our cinnamon rolls.",
        "{holiday} is here! Sunny Side Cafe wishes you and your family a bright and happy day. "
        "Stop by for warm cinnamon rolls and good company.",
        "Write a cheerful {holiday} message from Sunny Side Cafe.",
        ("warm cinnamon rolls",),
    ),
)
_GREETING_PLAIN = (
    Example(
        "Write a warm good-morning greeting from Maple Street Bakery. Mention our apple pie.",
        "Good morning from Maple Street Bakery! Start your day with something warm: our apple pie "
        "is fresh out of the oven and waiting for you.",
        "Write a warm good-morning greeting from Maple Street Bakery.",
        ("apple pie fresh out of the oven",),
    ),
)
_PROMO = (
    Example(
        "Write a short weekend promotion for Maple Street Bakery: apple pie is 10% off this weekend "
        "with the code PIE10.",
        "Weekend treat! Our apple pie is 10% off at Maple Street Bakery this weekend. Use the code "
        "PIE10 at checkout. See you soon!",
        "Write a short promotion for Maple Street Bakery.",
        ("apple pie 10% off", "this weekend only", "code PIE10 at checkout"),
    ),
    Example(
        "Write a short promotion for Blue Harbor Books: poetry collections are 15% off with the code READ15.",
        "Good news from Blue Harbor Books: poetry collections are 15% off this week with the code "
        "READ15. Treat yourself!",
        "Write a short promotion for Blue Harbor Books.",
        ("poetry collections 15% off", "all this week", "code READ15"),
    ),
)
_ANNOUNCEMENT = (
    Example(
        "Announce that Maple Street Bakery opens a second shop on Elm Road on June 3.",
        "Big news: Maple Street Bakery is opening a second shop on Elm Road on June 3! Come say hello, "
        "try a fresh apple pie and celebrate with us.",
        "Write a short announcement for Maple Street Bakery.",
        ("a second shop opens on Elm Road", "opening day June 3"),
    ),
    Example(
        "Announce that Blue Harbor Books will host a poetry night every Thursday from next week.",
        "Something new at Blue Harbor Books: starting next week, we host a poetry night every Thursday. "
        "Bring a favourite poem or just come to listen. Everyone is welcome!",
        "Write a short announcement for Blue Harbor Books.",
        ("a poetry night every Thursday", "starting next week"),
    ),
)


def render_brief(campaign: str, brief: str, variables: dict[str, Any]) -> str:
    """Render a brief under the template bounds; errors name the campaign and the line."""
    return templating.render(f"campaign {campaign!r}: brief", brief, variables)


def render_fact(campaign: str, index: int, fact: str, variables: dict[str, Any]) -> str:
    """Render one of a campaign's facts like the brief; errors name the campaign and the fact."""
    return templating.render(f"campaign {campaign!r}: facts[{index}]", fact, variables)


def render_template(template: str, variables: dict[str, Any], where: str = "template") -> str:
    """Render a curated template under the template bounds; TemplateError when it fails."""
    return templating.render(where, template, variables)


def examples_for(kind: str, holiday: str) -> tuple[Example, ...]:
    """The worked examples for a campaign kind, with the campaign's holiday filled in."""
    if kind == "greeting":
        if not holiday:
            return _GREETING_PLAIN
        return tuple(
            Example(
                e.brief.format(holiday=holiday),
                e.post.format(holiday=holiday),
                e.short.format(holiday=holiday),
                e.facts,
            )
            for e in _GREETING
        )
    return _PROMO if kind == "promo" else _ANNOUNCEMENT


def with_facts(brief: str, facts: tuple[str, ...]) -> str:
    """The brief followed by its facts as a list the post must state, and nothing beyond."""
    if not facts:
        return brief
    listed = "\n".join(f"- {fact}" for fact in facts)
    return (
        f"{brief}\nFacts to state, all of them, as written (add no other offer, price, number, "
        f"date or time):\n{listed}"
    )


def instruction(language: str, max_chars: int | None) -> str:
    """The line appended to every brief (and to the example briefs, so they match)."""
    parts = [f"Write it in {LANGUAGE_NAMES.get(language, language)}"]
    if max_chars:
        parts.append(f"in at most {max_chars} characters")
    return " ".join(parts) + ". No hashtags."


def chat(
    brief: str,
    *,
    kind: str = "",
    holiday: str = "",
    language: str = "en",
    max_chars: int | None = None,
    facts: tuple[str, ...] = (),
) -> list[tuple[ChatMessage, ...]]:
    """One chat per example variant: system, example brief, example post, the real brief.

    With ``facts`` the example shows its own facts the same way, so the model sees a post that
    states its facts and nothing else.
    """
    tail = instruction(language, max_chars)
    variants: list[tuple[ChatMessage, ...]] = []
    for example in examples_for(kind, holiday):
        shown = with_facts(example.short, example.facts) if facts else example.brief
        messages = (
            ChatMessage("system", SYSTEM),
            ChatMessage("user", f"{shown}\n{tail}"),
            ChatMessage("assistant", example.post),
            ChatMessage("user", f"{with_facts(brief, facts)}\n{tail}"),
        )
        variants.append(messages)
    return variants
