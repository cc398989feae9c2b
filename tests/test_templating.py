"""Bounded rendering: hostile templates fail fast with a TemplateError naming the bound; good
ones render exactly as plain Jinja would."""

from __future__ import annotations

import time

import pytest
from jinja2.sandbox import SandboxedEnvironment

from bot.domain.errors import TemplateError
from bot.templating import Limits, check_source, printed_names, render

NESTED = "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}"
S = "{% set s = 'x' * 100000 %}"

HOSTILE = {
    "nested loops": (NESTED, "loop iterations"),
    "nested loops, no output": (NESTED.replace("x", ""), "loop iterations"),
    "nested loops over strings": (
        S + "{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}",
        "iterations",
    ),
    "recursive macro": ("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "recursion depth"),
    "mutual recursion": (
        "{% macro a(n) %}{{ b(n) }}{% endmacro %}{% macro b(n) %}{{ a(n) }}{% endmacro %}{{ a(1) }}",
        "recursion depth",
    ),
    "recursive loop": ("{% for x in [[1]] recursive %}{{ loop([x, x]) }}{% endfor %}", "recursion depth"),
    "string times": ("{{ 'x' * 1000000000 }}", "value size"),
    "list times": ("{{ [1] * 1000000000 }}", "value size"),
    "huge power": ("{{ 10 ** (10 ** 10) }}", "value size"),
    "squaring loop": (
        "{% set ns = namespace(n=2) %}{% for i in range(40) %}{% set ns.n = ns.n * ns.n %}{% endfor %}",
        "value size",
    ),
    "doubling concat": (
        "{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
        "value size",
    ),
    "doubling plus": (
        "{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
        "value size",
    ),
    "percent width": ("{{ '%999999999d' % 1 }}", "value size"),
    "format width": ("{{ '{:>999999999}'.format(1) }}", "value size"),
    "format filter width": ("{{ '%999999999s'|format('x') }}", "value size"),
    "center filter": ("{{ 'x'|center(1000000000) }}", "value size"),
    "indent filter": ("{{ 'a\nb'|indent(1000000000) }}", "value size"),
    "batch fill": ("{{ range(3)|batch(1000000000, 'x')|list }}", "value size"),
    "ljust": ("{{ 'x'.ljust(1000000000) }}", "value size"),
    "expandtabs": ("{{ ('\t' * 100000).expandtabs(100000) }}", "value size"),
    "join with a big separator": ("{{ range(100000)|join('x' * 100000) }}", "value size"),
    "str join": (S + "{{ s.join(range(100000)|map('string')) }}", "value size"),
    "replace filter": (S + "{{ s|replace('x', s) }}", "value size"),
    "str replace": (S + "{{ s.replace('x', s) }}", "value size"),
    "map of centers": ("{{ range(100000)|map('center', 100000)|list|length }}", "value size"),
    "list repr": (S + "{{ [" + ", ".join(["s"] * 40) + "] }}", "output size"),
    "set block": (S + "{% set b %}{% for i in range(9999) %}{{ s }}{% endfor %}{% endset %}", "output size"),
    "long output": ("{% for i in range(9000) %}{{ 'abcdefghij' }}{% endfor %}", "output size"),
    "deep parentheses": ("{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}", "recursion depth"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_template_fails_fast_naming_the_bound(name: str) -> None:
    source, bound = HOSTILE[name]
    start = time.monotonic()
    with pytest.raises(TemplateError) as err:
        render("campaign 'evil': brief", source, {})
    assert time.monotonic() - start < 5
    assert str(err.value).startswith("campaign 'evil': brief")
    assert bound in str(err.value)


def test_the_wall_time_bound_stops_a_slow_render() -> None:
    slow = "{% for i in range(9000) %}{{ range(1000)|map('string')|join|length }}{% endfor %}"
    start = time.monotonic()
    with pytest.raises(TemplateError, match=r"0.05s render time limit \[bound: wall time\]"):
        render("campaign 'slow': brief", slow, {}, Limits(seconds=0.05))
    assert time.monotonic() - start < 2


def test_sandbox_and_mutation_are_refused() -> None:
    with pytest.raises(TemplateError, match="unsafe"):
        render("t", "{{ ''.__class__ }}", {})
    with pytest.raises(TemplateError, match="unsafe"):
        render("t", "{% set l = [1] %}{{ l.extend(l) }}", {})


def test_errors_name_the_line_and_the_known_variables() -> None:
    with pytest.raises(
        TemplateError, match=r"campaign 'p': brief line 2: uses an unknown variable.*known: a"
    ):
        render("campaign 'p': brief", "ok\n{{ nope }}", {"a": 1})
    with pytest.raises(TemplateError, match=r"campaign 'p': brief line 2: "):
        render("campaign 'p': brief", "ok\n{% for %}", {})


def test_the_source_size_is_bounded_before_parsing() -> None:
    start = time.monotonic()
    with pytest.raises(TemplateError, match="5,000,000 characters, over the 20,000 limit"):
        render("campaign 'big': brief", "{{ x }}" * 714_285 + "xxxxx", {})
    with pytest.raises(TemplateError):
        check_source("t", "x" * 20_001)
    assert time.monotonic() - start < 1


GOOD = [
    "Hello {{ brand }}!",
    "{% for p in products %}{{ loop.index }}. {{ p }}{% if not loop.last %}, {% endif %}{% endfor %}",
    "{{ products|join(', ') }} {{ brand|upper }} {{ '%s-%03d'|format(brand, 7) }}",
    "{% macro item(x) %}<{{ x }}>{% endmacro %}{{ item(brand) }}{{ item(product) }}",
    "{% set n = products|length %}{{ n * 2 }} {{ 2 ** 10 }} {{ '{}!'.format(brand) }} {{ brand ~ '.' }}",
    "{% filter title %}{{ brand }} and {{ product }}{% endfilter %} {{ brand.center(12) }}",
    "{% for x in [[1, [2]], [3]] recursive %}{% if x is iterable %}{{ loop(x) }}"
    "{% else %}{{ x }}{% endif %}{% endfor %}",
]


@pytest.mark.parametrize("source", GOOD)
def test_good_templates_render_as_plain_jinja_does(source: str) -> None:
    variables = {"brand": "Tea House", "products": ["green tea", "oolong"], "product": "green tea"}
    plain = SandboxedEnvironment(trim_blocks=True).from_string(source).render(**variables).strip()
    assert render("t", source, variables) == plain


@pytest.mark.parametrize(
    ("source", "printed"),
    [
        ("Sale on {{ product }} at {{ brand|upper }}", {"product", "brand"}),
        ("{% if product %}Sale on {{ product }}{% endif %} at {{ brand }}", {"brand"}),
        ("{{ product or 'tea' }}, {{ link|default('x', true) }}, {{ holiday if holiday else 'hi' }}", set()),
        ("{% for p in products %}{{ p }}{% endfor %}{{ products|join(', ') }}", {"p", "products"}),
        ("Hello {{ brand", set()),  # does not parse: render() names that
    ],
)
def test_printed_names_are_the_variables_printed_without_a_test(source: str, printed: set[str]) -> None:
    assert printed_names(source) == printed
