"""The bad-config corpus (``bad_configs.toml``): every case through ``bot config check`` and
``bot campaigns sync`` in-process (click's CliRunner), a few as real subprocesses.

Each must exit 1 within seconds with a message naming the key or the campaign and the reason:
no traceback, no "unexpected error" (the last-resort handler), no hang, no silent acceptance.
The database is migrated first, so a config wrongly accepted would sync and exit 0.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.adapters.store import engine as engines
from bot.cli.main import cli
from tests.config.configcases import BASE, case_bytes, dumps, load_cases
from tests.conftest import run_cli

CASES = {case["name"]: case for case in load_cases()}
COMMANDS = {"check": ["config", "check"], "sync": ["campaigns", "sync"]}
#: Most seconds one command may take on one case: a bound against a hang, not a speed figure
#: (templates stop at 2 s of wall time; a CLI start under a load of 10 on two cores took 28 s).
CASE_SECONDS = 120


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One directory for every case: a migrated SQLite database in ``data/``."""
    path = tmp_path_factory.mktemp("badconfigs")
    (path / "data").mkdir()
    engines.upgrade(f"sqlite:///{path / 'data' / 'bot.db'}")
    yield path


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, workdir: Path) -> None:
    for name in ("BOT_CONFIG", "BOT_DATABASE_URL", "BOT_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BOT_CRASH_LOG", str(workdir / "crash.log"))
    monkeypatch.chdir(workdir)


def invoke(config: Path, args: list[str]) -> tuple[int, str, Any]:
    result = CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=True)
    output = result.output
    if result.stderr_bytes is not None:
        output = result.stdout + result.stderr
    return result.exit_code, output, result.exception


def config_file(case: dict[str, Any], folder: Path) -> Path:
    """The case's config written as ``bot.toml`` in ``folder`` (or the path it names)."""
    if "path" in case:
        return Path(case["path"])
    config = folder / "bot.toml"
    config.write_bytes(case_bytes(case))
    return config


def assert_refused(name: str, code: int, output: str, elapsed: float) -> None:
    case = CASES[name]
    assert "Traceback" not in output, output
    assert "unexpected error" not in output, output
    assert code == 1, f"exit {code}, silently accepted?\n{output}"
    for text in case["expect"]:
        assert text in output, f"{text!r} not in:\n{output}"
    assert elapsed < CASE_SECONDS, f"took {elapsed:.1f}s"


def test_the_base_config_is_valid(workdir: Path, env: None) -> None:
    config = workdir / "bot.toml"
    config.write_text(dumps(BASE), encoding="utf-8")
    for args in COMMANDS.values():
        code, output, _ = invoke(config, args)
        assert code == 0, output


def test_the_corpus_is_big_and_unique() -> None:
    assert len(CASES) == len(load_cases()) >= 80


@pytest.mark.timeout(2 * CASE_SECONDS + 10)
@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("name", list(CASES))
def test_a_bad_config_is_refused_naming_the_problem(
    name: str, command: str, workdir: Path, env: None
) -> None:
    config = config_file(CASES[name], workdir)
    start = time.monotonic()
    code, output, exception = invoke(config, COMMANDS[command])
    elapsed = time.monotonic() - start
    if exception is not None and not isinstance(exception, SystemExit):
        raise AssertionError(f"escaped the CLI: {exception!r}\n{output}")
    assert_refused(name, code, output, elapsed)


SUBPROCESS = ["nested loops in the brief", "5 MB brief", "TOML nested 5000 deep"]


@pytest.mark.parametrize("name", SUBPROCESS)
def test_a_bad_config_is_refused_by_the_real_cli(name: str, tmp_path: Path) -> None:
    config = config_file(CASES[name], tmp_path)
    for args in COMMANDS.values():
        start = time.monotonic()
        done = run_cli(*args, config=config, timeout=60, env={"BOT_CRASH_LOG": str(tmp_path / "crash.log")})
        assert_refused(name, done.returncode, done.stdout + done.stderr, time.monotonic() - start)
