"""Templating benchmark: what the bounds cost on a realistic brief, and how fast they stop a bad one.

1. ``plain_us`` / ``bounded_us``: microseconds per render of a realistic campaign brief (loops
   over products and hashtags, conditionals, a macro, filters, about 20 lines) with plain Jinja2
   (``jinja2.Environment``, template compiled once) and with :func:`bot.templating.render`
   (ImmutableSandboxedEnvironment + the instrumented bounds, compiled once and cached). Both in
   the same run, interleaved in rounds; each figure is the median of the rounds.
   ``bounded_vs_plain`` is their ratio. The sandbox alone (Jinja's ImmutableSandboxedEnvironment,
   no bounds) is printed as a reference.
2. ``nested_loop_stopped_s``: the time until ``{% for i in range(100000) %}{% for j in
   range(100000) %}x{% endfor %}{% endfor %}`` (10^10 iterations for plain Jinja) is stopped
   with a TemplateError (median of 5). A render stopped by the wall-time bound (2 s) is printed
   as a reference.

Ends with one JSON line:
{"plain_us": P, "bounded_us": B, "bounded_vs_plain": R, "nested_loop_stopped_s": S}.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jinja2 import Environment, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from bot.domain.errors import TemplateError
from bot.templating import render

BRIEF = """\
{% macro tag(t) %}#{{ t|replace(' ', '')|title }}{% endmacro %}
Write one short social media post for {{ brand }} in a {{ voice }} voice.
{% if holiday %}It is {{ holiday }} on {{ date }} ({{ weekday }}): greet the readers warmly.
{% else %}Today is {{ weekday }}, {{ date }}.
{% endif %}
Mention {{ product }}{% if products|length > 1 %}, and maybe one of:
{% for p in products[1:] %}- {{ p|capitalize }}{% if not loop.last %}
{% endif %}{% endfor %}{% endif %}.
{% if promo_code %}Include the code {{ promo_code|upper }} for {{ discount }}% off.{% endif %}
{% if link %}End with the link {{ link }}.{% endif %}
Use at most {{ max_emoji }} emoji and these hashtags: {% for t in hashtags %}{{ tag(t) }} {% endfor %}
{% set words = forbidden|join(', ') %}{% if words %}Never use the words: {{ words }}.{% endif %}
Keep it under {{ limit }} characters; {{ '%d'|format(limit // 10) }} words is plenty.
Language: {{ 'Chinese' if language == 'zh' else 'English' }}.
"""

VARIABLES: dict[str, Any] = {
    "brand": "Lotus Leaf Tea House",
    "voice": "warm, calm, a little poetic, never pushy",
    "holiday": "Mid-Autumn Festival",
    "date": "2026-09-25",
    "weekday": "Friday",
    "product": "mooncake gift box",
    "products": ["mooncake gift box", "Tieguanyin oolong", "jasmine pearls", "lotus seed paste"],
    "promo_code": "moon10",
    "discount": 10,
    "link": "https://lotusleaf.example/shop",
    "max_emoji": 2,
    "hashtags": ["lotus leaf tea", "mid autumn", "mooncake"],
    "forbidden": ["cheap", "best ever"],
    "limit": 280,
    "language": "en",
}

NESTED = "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}"
SLOW = "{% for i in range(9000) %}{{ range(1000)|map('string')|join|length }}{% endfor %}"
ROUNDS = 15
PER_ROUND = 200


def per_render_us(fn: Any) -> float:
    start = time.perf_counter()
    for _ in range(PER_ROUND):
        fn()
    return (time.perf_counter() - start) / PER_ROUND * 1e6


def stopped_s(source: str) -> float:
    start = time.perf_counter()
    try:
        render("campaign 'bench': brief", source, {})
    except TemplateError:
        return time.perf_counter() - start
    raise AssertionError("the template was not stopped")


def main() -> None:
    plain = Environment(undefined=StrictUndefined, autoescape=False, trim_blocks=True).from_string(BRIEF)
    sandbox = ImmutableSandboxedEnvironment(
        undefined=StrictUndefined, autoescape=False, trim_blocks=True
    ).from_string(BRIEF)
    expected = plain.render(VARIABLES).strip()
    assert render("campaign 'bench': brief", BRIEF, VARIABLES) == expected
    assert sandbox.render(VARIABLES).strip() == expected
    print(f"brief: {len(BRIEF)} characters of template, {len(expected)} rendered")

    rounds: dict[str, list[float]] = {"plain": [], "sandbox": [], "bounded": []}
    for _ in range(ROUNDS):
        rounds["plain"].append(per_render_us(lambda: plain.render(VARIABLES)))
        rounds["sandbox"].append(per_render_us(lambda: sandbox.render(VARIABLES)))
        rounds["bounded"].append(per_render_us(lambda: render("campaign 'bench': brief", BRIEF, VARIABLES)))
    medians = {name: statistics.median(values) for name, values in rounds.items()}
    for name, value in medians.items():
        print(f"{name:8s} {value:8.1f} us per render (median of {ROUNDS} rounds of {PER_ROUND})")

    nested = statistics.median(stopped_s(NESTED) for _ in range(5))
    print(f"nested-loop brief stopped after {nested * 1000:.1f} ms (median of 5)")
    print(f"slow brief stopped by the 2 s wall-time bound after {stopped_s(SLOW):.2f} s")

    print(
        json.dumps(
            {
                "plain_us": round(medians["plain"], 1),
                "bounded_us": round(medians["bounded"], 1),
                "bounded_vs_plain": round(medians["bounded"] / medians["plain"], 2),
                "nested_loop_stopped_s": round(nested, 4),
            }
        )
    )


if __name__ == "__main__":
    main()
