"""Property tests: whatever the config file holds, the loader returns settings or raises our
ConfigError (never a traceback of its own), and a template either renders or raises our
TemplateError. Inputs: arbitrary bytes and text, arbitrary TOML tables, the valid base config
with any key set to any value, and template sources built from Jinja's own tokens."""

from __future__ import annotations

import copy
import itertools
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import load_settings
from bot.domain.errors import ConfigError, TemplateError
from bot.services.templates import template_problems
from bot.templating import render
from tests.config.configcases import BASE, dumps

PROPERTY = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
_files = itertools.count()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("props")


def loads_or_config_error(folder: Path, content: bytes) -> None:
    path = folder / f"bot-{next(_files)}.toml"
    path.write_bytes(content)
    try:
        loaded = load_settings(path)
    except ConfigError as exc:
        assert str(path) in str(exc) or "BOT_" in str(exc)
        return
    finally:
        path.unlink()
    # Loaded: the templates are then checked the same way (problems, never an exception).
    for problem in template_problems(loaded, datetime(2026, 5, 1, 9, tzinfo=UTC)):
        assert isinstance(problem, str)


@PROPERTY
@given(content=st.binary(max_size=2000))
def test_any_bytes(folder: Path, content: bytes) -> None:
    loads_or_config_error(folder, content)


@PROPERTY
@given(text=st.text(max_size=2000))
def test_any_text(folder: Path, text: str) -> None:
    loads_or_config_error(folder, text.encode("utf-8"))


# Text that looks like TOML: its tokens, real section and key names, values of every kind.
TOKENS = [
    "[bot]", "[brand]", "[model]", "[moderation]", "[publishing]", "[[accounts]]", "[[campaigns]]",
    "[campaigns.when]", "[a.b.c]", "\n", " = ", "=", '"', "'", '"""', "[", "]", "{", "}", ",", ".",
    "name", "platform", "dryrun", "reddit", "brief", "when", "cron", "at", "every", "kind", "promo",
    "accounts", "timezone", "poll_interval", "data_dir", "database_url", "log_level", "timeout",
    "1", "-5", "0", "1e400", "nan", "inf", "true", "false", "1979-05-27", "07:32:00", "#", "\\u0000",
    '"10s"', '"-5s"', '"UTC"', '"{{ x }}"', '"outbox"', '"0 0 30 2 *"', "\x00", "\ud7ff", "\t",
]  # fmt: skip


@PROPERTY
@given(parts=st.lists(st.sampled_from(TOKENS), max_size=60))
def test_toml_looking_text(folder: Path, parts: list[str]) -> None:
    loads_or_config_error(folder, "".join(parts).encode("utf-8"))


SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(["10s", "-1m", "0s", "5d", "UTC", "Asia/Shanghai", "0 9 * * *", "{{ brand }}"])
    | st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31))
    | st.dates()
    | st.times()
)
KEYS = st.sampled_from(
    ["bot", "brand", "model", "name", "platform", "brief", "when", "cron", "at", "every", "x", "é"]
) | st.text(min_size=1, max_size=8)


def _tomlable(value: Any) -> Any:
    """None has no TOML form: leave it out."""
    if isinstance(value, dict):
        return {k: _tomlable(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_tomlable(v) for v in value if v is not None]
    return value


TREES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=25,
)


@PROPERTY
@given(data=st.dictionaries(KEYS, TREES, max_size=6))
def test_any_toml_tables(folder: Path, data: dict[str, Any]) -> None:
    loads_or_config_error(folder, dumps(_tomlable(data)).encode("utf-8", errors="surrogatepass"))


PATHS = [
    "bot.timezone", "bot.data_dir", "bot.database_url", "bot.catch_up_grace", "bot.draft_expiry",
    "bot.poll_interval", "bot.log_level", "brand.name", "brand.products", "model.backend",
    "model.temperature", "model.repetition_penalty", "model.candidates", "moderation.scorers",
    "moderation.thresholds", "publishing.max_attempts", "publishing.lease", "publishing.backoff_max",
    "accounts",
    "accounts.0.name", "accounts.0.platform", "accounts.0.timeout", "accounts.1.title",
    "accounts.1.titles", "accounts.1.subreddits", "campaigns", "campaigns.0.name",
    "campaigns.0.kind", "campaigns.0.when", "campaigns.0.accounts", "campaigns.0.brief",
    "campaigns.0.templates", "campaigns.0.variables", "campaigns.0.expiry", "campaigns.0.sampling",
    "campaigns.0.timezone",
]  # fmt: skip


@PROPERTY
@given(changes=st.lists(st.tuples(st.sampled_from(PATHS), TREES), min_size=1, max_size=4))
def test_the_base_config_with_any_key_set_to_anything(folder: Path, changes: list[tuple[str, Any]]) -> None:
    data = copy.deepcopy(BASE)
    for path, value in changes:
        _set(data, path, value)
    loads_or_config_error(folder, dumps(_tomlable(data)).encode("utf-8", errors="surrogatepass"))


def _set(data: Any, path: str, value: Any) -> None:
    """Set a dotted path where it still exists (an earlier change may have replaced its parent)."""
    keys: list[Any] = [int(k) if k.isdigit() else k for k in path.split(".")]
    node = data
    for i, key in enumerate(keys):
        last = i == len(keys) - 1
        if not _has(node, key):
            if last and isinstance(node, dict):
                node[key] = value
            return
        if last:
            node[key] = value
            return
        node = node[key]


def _has(node: Any, key: Any) -> bool:
    if isinstance(node, dict):
        return key in node
    return isinstance(node, list) and isinstance(key, int) and key < len(node)


JINJA = [
    "{{", "}}", "{%", "%}", "{#", "#}", " for ", " in ", " endfor ", " if ", " endif ", " macro ",
    " endmacro ", " set ", " recursive ", "loop", "range(", "100000", ")", "(", "[", "]", ",", "|",
    "join", "center", "list", "length", "string", "~", "*", "**", "+", "%", "//", "'x'", "'%s'",
    "brand", "products", "f", "f(", "n", "x", "=", ".", "__class__", "format", "namespace(", "\n",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(st.sampled_from(JINJA), max_size=40))
def test_any_template_renders_or_raises_template_error(parts: list[str]) -> None:
    try:
        text = render("campaign 'fuzz': brief", "".join(parts), {"brand": "Lotus", "products": ["tea"]})
    except TemplateError as exc:
        assert str(exc).startswith("campaign 'fuzz': brief")
    else:
        assert len(text) <= 50_000


@settings(max_examples=100, deadline=None)
@given(value=SCALARS)
def test_the_corpus_writer_round_trips(value: Any) -> None:
    """The corpus writer's own check: what it writes for a scalar reads back the same."""
    import tomllib

    if value is None or (isinstance(value, str) and any(0xD800 <= ord(c) <= 0xDFFF for c in value)):
        return
    read = tomllib.loads(dumps({"v": value}))["v"]
    if isinstance(value, float) and math.isnan(value):
        assert math.isnan(read)
    else:
        assert read == value
