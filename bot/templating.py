"""Bounded Jinja2 rendering for every template that comes from configuration: campaign briefs,
curated fallback templates and Reddit titles. Everything is rendered here and nowhere else.

A template is untrusted code. Jinja's sandbox stops it from reaching Python internals but not
from spinning or eating memory, so every render runs under a :class:`Limits` budget:

- ``source_chars``: the template's own size, checked at config time and again before compiling;
- ``output_chars``: the rendered text;
- ``produced_chars``: everything written during the render, including ``{% set %}`` blocks,
  macro bodies and discarded output (so a loop that builds text it then throws away is bounded);
- ``value_chars``: any string, list or number an operator, filter or call builds;
- ``built_chars``: all such values of one render together (a ``map`` over a big list);
- ``iterations``: loop iterations, counted across nested loops (``for`` in ``for`` multiplies);
- ``depth``: nested calls (a recursive macro, ``loop()`` of a recursive for);
- ``seconds``: wall time, checked at every iteration, call, filter and output.

The template is parsed to an AST and instrumented before compiling (every ``for`` iterable, every
output and every ``~`` goes through a counting filter); calls, binary operators and filters are
checked in the environment. A breach raises :class:`~bot.domain.errors.TemplateError` naming
the template (``campaign 'promo': brief``), the bound and its limit. Compiled templates are cached.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache, update_wrapper
from typing import Any, cast

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, UndefinedError, nodes, pass_context
from jinja2.exceptions import SecurityError
from jinja2.exceptions import TemplateError as JinjaTemplateError
from jinja2.runtime import Context, LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

from bot.config.types import MAX_TEMPLATE_CHARS
from bot.domain.errors import TemplateError

__all__ = ["LIMITS", "Limits", "check_source", "printed_names", "render"]


@dataclass(frozen=True)
class Limits:
    """The budget of one render (see the module docstring)."""

    source_chars: int = MAX_TEMPLATE_CHARS
    output_chars: int = 50_000
    produced_chars: int = 1_000_000
    value_chars: int = 200_000
    built_chars: int = 20_000_000
    iterations: int = 10_000
    depth: int = 20
    seconds: float = 2.0


LIMITS = Limits()

#: Widths and precisions in format strings (``%999999999d``, ``{:>999999999}``) allocate first.
_BIG_NUMBER = re.compile(r"\d{6,}")
#: Most bits of an integer built by ``*`` or ``**``.
_MAX_BITS = 100_000


class LimitExceeded(Exception):
    """A render went over one of its bounds (translated into TemplateError by :func:`render`)."""

    def __init__(self, bound: str, message: str) -> None:
        super().__init__(message)
        self.bound = bound


@dataclass
class _Budget:
    limits: Limits
    deadline: float
    iterations: int = 0
    depth: int = 0
    produced: int = 0
    built: int = 0
    started: float = field(default_factory=time.monotonic)

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise LimitExceeded(
                "wall time", f"took longer than the {self.limits.seconds:g}s render time limit"
            )


_BUDGET: ContextVar[_Budget | None] = ContextVar("bot_template_budget", default=None)


def _budget() -> _Budget:
    budget = _BUDGET.get()
    if budget is None:  # compile-time constant folding outside a render: a fresh budget
        budget = _Budget(LIMITS, time.monotonic() + LIMITS.seconds)
        _BUDGET.set(budget)
    return budget


# -- sizes ---------------------------------------------------------------------------------------


def _size(value: Any, limit: int) -> int:
    """Roughly the characters ``str(value)`` would take, stopping early past ``limit``."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, bool) or value is None:
        return 5
    if isinstance(value, int):
        return 1 + value.bit_length() // 3
    if isinstance(value, list | tuple | set | frozenset | dict):
        total = 2
        items: Iterable[Any] = value.items() if isinstance(value, dict) else value
        for item in items:
            total += 2 + _size(item, limit - total)
            if total > limit:
                break
        return total
    return 16


def _check_value(value: Any, what: str) -> Any:
    budget = _budget()
    limit = budget.limits.value_chars
    size = _size(value, limit)
    if size > limit:
        raise LimitExceeded("value size", f"{what} builds a value over the {limit:,} character limit")
    budget.built += size
    if budget.built > budget.limits.built_chars:
        raise LimitExceeded(
            "value size", f"builds over {budget.limits.built_chars:,} characters of values in total"
        )
    return value


def _check_int_result(left: Any, right: Any, op: str) -> None:
    if isinstance(left, bool) or isinstance(right, bool):
        return
    if not (isinstance(left, int) and isinstance(right, int)):
        return
    if op == "*":
        bits = left.bit_length() + right.bit_length()
    elif op == "**":
        bits = 0 if right < 0 or abs(left) < 2 else right * abs(left).bit_length()
    else:
        return
    if bits > _MAX_BITS:
        raise LimitExceeded("value size", f"'{op}' builds a number over {_MAX_BITS:,} bits")


def _check_format(fmt: Any, what: str) -> None:
    if isinstance(fmt, str) and _BIG_NUMBER.search(fmt):
        raise LimitExceeded("value size", f"{what}: a width or precision of 100000 or more")


def _seq_len(value: Any) -> int | None:
    return len(value) if isinstance(value, str | list | tuple) else None


def _check_binop(op: str, left: Any, right: Any) -> None:
    limit = _budget().limits.value_chars
    _check_int_result(left, right, op)
    if op == "+":
        a, b = _seq_len(left), _seq_len(right)
        if a is not None and b is not None and a + b > limit:
            raise LimitExceeded("value size", f"'+' builds a value over the {limit:,} character limit")
    elif op == "*":
        for seq, times in ((left, right), (right, left)):
            n = _seq_len(seq)
            if n is not None and isinstance(times, int) and n * times > limit:
                raise LimitExceeded("value size", f"'*' builds a value over the {limit:,} character limit")
    elif op == "%":
        _check_format(left, "'%' formatting")


# -- instrumentation of the parsed template --------------------------------------------------------


def _wrap(node: nodes.Expr, name: str) -> nodes.Filter:
    return nodes.Filter(node, name, [], [], None, None, lineno=node.lineno)


class _Instrument(NodeTransformer):
    """Route loop iterables, outputs and ``~`` concatenations through the counting filters."""

    def visit_For(self, node: nodes.For) -> nodes.Node:  # noqa: N802 (Jinja's visitor naming)
        self.generic_visit(node)
        node.iter = _wrap(cast(nodes.Expr, node.iter), "_bot_iter")
        return node

    def visit_Output(self, node: nodes.Output) -> nodes.Node:  # noqa: N802 (Jinja's visitor naming)
        self.generic_visit(node)
        node.nodes = [
            _wrap(
                nodes.Const(child.data, lineno=child.lineno)
                if isinstance(child, nodes.TemplateData)
                else child,
                "_bot_out",
            )
            for child in node.nodes
        ]
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:  # noqa: N802 (Jinja's visitor naming)
        self.generic_visit(node)
        return _wrap(nodes.List(list(node.nodes), lineno=node.lineno), "_bot_concat")


def _counted(iterable: Iterable[Any]) -> Iterator[Any]:
    budget = _budget()
    limit = budget.limits.iterations
    for item in iterable:
        budget.iterations += 1
        if budget.iterations > limit:
            raise LimitExceeded(
                "loop iterations", f"loops ran over the {limit:,} iteration limit (nested loops multiply)"
            )
        budget.tick()
        yield item


@pass_context
def _bot_iter(_context: Context, iterable: Any) -> Iterator[Any]:
    return _counted(iterable)


def _bot_out(value: Any) -> str:
    budget = _budget()
    budget.tick()
    limit = budget.limits.produced_chars
    if type(value) is not str:  # the common case (text and string variables) skips the sizing
        if _size(value, limit) > limit:
            raise LimitExceeded("output size", f"writes over the {limit:,} character limit")
        value = str(value)
    budget.produced += len(value)
    if budget.produced > limit:
        raise LimitExceeded("output size", f"writes over the {limit:,} character limit")
    return cast(str, value)


@pass_context
def _bot_concat(_context: Context, parts: list[Any]) -> str:
    return "".join(_bounded_join(parts, "", "'~'"))


# -- filters and str methods that allocate by an argument ------------------------------------------

#: Filters whose first argument after the value is a size they allocate (center's width, ...).
_SIZE_ARG_FILTERS = {"center", "indent", "batch", "slice", "wordwrap", "truncate"}
#: str methods that allocate by an argument, or whose result can dwarf their inputs.
_SIZE_ARG_METHODS = {"ljust", "rjust", "center", "zfill", "expandtabs"}


def _check_args(what: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    limit = _budget().limits.value_chars
    for arg in (*args, *kwargs.values()):
        if isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > limit:
            raise LimitExceeded("value size", f"{what}({arg}) is over the {limit:,} character limit")


def _check_replace(value: Any, old: Any, new: Any, count: Any = -1) -> None:
    if not (isinstance(value, str) and isinstance(old, str) and isinstance(new, str)):
        return
    hits = len(value) + 1 if old == "" else value.count(old)
    if isinstance(count, int) and count >= 0:
        hits = min(hits, count)
    limit = _budget().limits.value_chars
    if len(value) + hits * len(new) > limit:
        raise LimitExceeded("value size", f"replace builds a value over the {limit:,} character limit")


def _bounded_join(items: Iterable[Any], sep: str, what: str = "join") -> list[str]:
    """The items as strings, raising once the joined text would pass the limit."""
    budget = _budget()
    limit = budget.limits.value_chars
    total = 0
    texts = []
    for item in items:
        if _size(item, limit) > limit:
            raise LimitExceeded("value size", f"{what} builds a value over the {limit:,} character limit")
        text = str(item)
        total += len(text) + len(sep)
        if total > limit:
            raise LimitExceeded("value size", f"{what} builds a value over the {limit:,} character limit")
        texts.append(text)
    return texts


def _guard_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    pass_arg = getattr(func, "jinja_pass_arg", None)

    def guarded(*args: Any, **kwargs: Any) -> Any:
        budget = _budget()
        budget.tick()
        offset = 1 if pass_arg is not None else 0  # context / environment first
        value, rest = (args[offset], args[offset + 1 :]) if len(args) > offset else (None, ())
        if not isinstance(value, range):
            _check_value(value, f"the value given to the {name} filter")
        if name in _SIZE_ARG_FILTERS:
            _check_args(f"{name} filter", rest, kwargs)
        elif name == "format":
            _check_format(value, "format filter")
        elif name == "replace" and len(rest) >= 2:
            _check_replace(str(value), *rest[:3])
        elif name == "join":
            sep = rest[0] if rest else kwargs.get("d", "")
            attribute = rest[1] if len(rest) > 1 else kwargs.get("attribute")
            if attribute is None and isinstance(sep, str):
                return sep.join(_bounded_join(cast(Iterable[Any], value), sep))
        return _check_value(func(*args, **kwargs), f"the {name} filter")

    update_wrapper(guarded, func)
    return guarded


# -- the environment -------------------------------------------------------------------------------


class BoundedEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox plus the bounds; use :func:`render`, not this directly."""

    intercepted_binops = frozenset({"+", "*", "**", "%", "//"})

    def __init__(self) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=False, trim_blocks=True)
        self.filters = {name: _guard_filter(name, f) for name, f in self.filters.items()}
        self.filters.update({"_bot_iter": _bot_iter, "_bot_out": _bot_out, "_bot_concat": _bot_concat})
        del self.globals["lipsum"]  # lipsum(n) loops n times in Python, out of the budget's sight

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        result = _Instrument().visit(tree)
        assert isinstance(result, nodes.Template)
        return result

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _budget().tick()
        _check_binop(operator, left, right)
        return _check_value(super().call_binop(context, operator, left, right), f"'{operator}'")

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        budget = _budget()
        budget.tick()
        target = getattr(__obj, "__wrapped__", __obj)
        owner = getattr(target, "__self__", None)
        method = getattr(target, "__name__", "")
        if isinstance(owner, str):
            if method in _SIZE_ARG_METHODS:
                _check_args(f"str.{method}", args, kwargs)
                if method == "expandtabs":
                    _check_args("str.expandtabs", (len(owner) * (args[0] if args else 8),), {})
            elif method in {"format", "format_map"}:
                _check_format(owner, f"str.{method}")
            elif method == "replace":
                _check_replace(owner, *args[:3])
            elif method == "join" and args:
                args = (_bounded_join(args[0], owner), *args[1:])
        if isinstance(__obj, LoopContext) and args:  # loop(children) of a recursive for
            args = (_counted(args[0]), *args[1:])
        budget.depth += 1
        try:
            if budget.depth > budget.limits.depth:
                raise LimitExceeded(
                    "recursion depth", f"calls nest deeper than {budget.limits.depth} (a recursive macro?)"
                )
            result = super().call(__context, __obj, *args, **kwargs)
        finally:
            budget.depth -= 1
        return _check_value(result, f"a call to {method or 'a macro'}")


_ENV = BoundedEnvironment()


@lru_cache(maxsize=256)
def _compile(source: str) -> Template:
    return _ENV.from_string(source)


# -- the API ---------------------------------------------------------------------------------------


def check_source(where: str, source: str, limits: Limits = LIMITS) -> None:
    """Raise TemplateError when a template is over the source size limit (config time)."""
    if len(source) > limits.source_chars:
        raise TemplateError(
            f"{where}: template is {len(source):,} characters, over the {limits.source_chars:,} limit"
        )


def render(where: str, source: str, variables: dict[str, Any], limits: Limits = LIMITS) -> str:
    """Render ``source`` with ``variables`` under ``limits``; the text, stripped.

    ``where`` names the template in errors (``campaign 'promo': brief``). Any failure, syntax
    error, unknown variable, sandbox violation or breached bound, is a TemplateError.
    """
    check_source(where, source, limits)
    budget = _Budget(limits, time.monotonic() + limits.seconds)
    token = _BUDGET.set(budget)
    try:
        template = _compile(source)
        ctx = template.new_context(dict(variables))
        parts: list[str] = []
        written = 0
        try:
            for chunk in template.root_render_func(ctx):
                written += len(chunk)
                if written > limits.output_chars:
                    raise LimitExceeded(
                        "output size", f"renders over the {limits.output_chars:,} character output limit"
                    )
                parts.append(chunk)
        except Exception:
            _ENV.handle_exception()  # re-raises with the template's own line numbers
        return "".join(parts).strip()
    except LimitExceeded as exc:
        raise TemplateError(f"{where}{_line_of(exc)}: stopped: {exc} [bound: {exc.bound}]") from None
    except TemplateSyntaxError as exc:
        raise TemplateError(f"{where} line {exc.lineno}: {exc.message}") from None
    except UndefinedError as exc:
        raise TemplateError(
            f"{where}{_line_of(exc)}: uses an unknown variable: {exc.message}; "
            f"known: {', '.join(sorted(variables))}"
        ) from None
    except SecurityError as exc:
        raise TemplateError(f"{where}: does something unsafe: {exc}") from None
    except RecursionError:
        raise TemplateError(
            f"{where}: nested too deeply to compile or render [bound: recursion depth]"
        ) from None
    except MemoryError:
        raise TemplateError(f"{where}: ran out of memory [bound: value size]") from None
    except JinjaTemplateError as exc:
        raise TemplateError(f"{where}{_line_of(exc)}: failed: {exc}") from None
    except Exception as exc:  # a filter or method failing on odd input is the template's fault
        raise TemplateError(f"{where}{_line_of(exc)}: failed: {type(exc).__name__}: {exc}") from None
    finally:
        _BUDGET.reset(token)


def printed_names(source: str) -> frozenset[str]:
    """The variables a template prints without testing them first: names inside ``{{ }}`` that
    no ``if``, ``x if y else z``, ``and``/``or`` or ``default`` filter looks at (a template that
    writes ``{% if product %}...{{ product }}{% endif %}`` knows the value may be empty).
    Empty for a template that does not parse (:func:`render` names that problem)."""
    try:
        tree = _ENV.parse(source)
    except (JinjaTemplateError, RecursionError, MemoryError):
        return frozenset()
    guarded: set[str] = set()
    for test in tree.find_all((nodes.If, nodes.CondExpr)):
        guarded |= _names(cast(nodes.If | nodes.CondExpr, test).test)
    for either in tree.find_all((nodes.And, nodes.Or)):
        guarded |= _names(either)
    for applied in tree.find_all(nodes.Filter):
        if applied.name in {"default", "d"}:
            guarded |= _names(applied.node)
    printed = set().union(*(_names(out) for out in tree.find_all(nodes.Output)))
    return frozenset(printed - guarded)


def _names(node: nodes.Node | None) -> set[str]:
    """The variables read in ``node`` (itself included)."""
    if node is None:
        return set()
    found = [*node.find_all(nodes.Name), *([node] if isinstance(node, nodes.Name) else [])]
    return {n.name for n in found if n.ctx == "load"}


def _line_of(exc: BaseException) -> str:
    """The template's line from a render traceback (Jinja maps template frames to lines)."""
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return f" line {line}" if line else ""
