"""The import rule of each layer (docs/architecture.md), checked on every module's imports,
including the ones inside functions and under TYPE_CHECKING."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parent.parent / "bot"

#: layer -> the packages of ours it must not import.
FORBIDDEN = {
    "bot.services": ("bot.adapters", "bot.cli", "bot.daemon", "bot.web", "bot.wiring"),
    "bot.adapters": ("bot.services", "bot.cli", "bot.daemon", "bot.web", "bot.wiring"),
    "bot.cli": ("bot.daemon", "bot.web"),
    "bot.daemon": ("bot.cli", "bot.web"),
    # the web page: services, wiring, config, domain; never an adapter, the CLI or the daemon
    "bot.web": ("bot.adapters", "bot.cli", "bot.daemon"),
    "bot.config": ("bot.services", "bot.adapters", "bot.cli", "bot.daemon", "bot.web", "bot.wiring"),
}

#: (module, imported package) pairs the rules allow, each with its reason.
ALLOWED = {
    # `bot run` is the daemon's front door; the daemon never imports the CLI.
    ("bot.cli.run", "bot.daemon"),
    # `bot web` is the web server's front door; the web page never imports the CLI.
    ("bot.cli.web", "bot.web"),
}


def _module(path: Path) -> str:
    parts = path.relative_to(BOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name == "bot" or name.startswith("bot.")}


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


MODULES = sorted(BOT.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=_module)
def test_layer_rules(path: Path) -> None:
    module = _module(path)
    imports = _imports(path)
    if _within(module, "bot.domain"):
        bad = {name for name in imports if not _within(name, "bot.domain")}
        assert not bad, f"{module}: the domain imports nothing of ours but itself: {sorted(bad)}"
    for layer, forbidden in FORBIDDEN.items():
        if _within(module, layer):
            bad = {
                name
                for name in imports
                for f in forbidden
                if _within(name, f) and not any(module == m and _within(name, p) for m, p in ALLOWED)
            }
            assert not bad, f"{module} ({layer}) must not import {sorted(bad)}"


def test_every_layer_has_modules() -> None:
    names = {_module(p) for p in MODULES}
    for layer in (*FORBIDDEN, "bot.domain"):
        assert any(_within(n, layer) for n in names), layer
