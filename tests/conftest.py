"""Shared fixtures: real SQLite and Postgres stores, configs on disk, and the CLI in a subprocess.

Network: pytest-socket allows loopback only (see pyproject). Subprocesses get a dead proxy for
anything that is not loopback, so an accidental real call fails fast instead of hanging.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.store import engine as engines
from bot.adapters.store.sql import SqlStore
from bot.config import Settings, load_settings

pytest_plugins = [
    "tests.fixtures.clock",
    "tests.fixtures.generation",
    "tests.fixtures.moderation",
    "tests.fixtures.notify",
    "tests.fixtures.platforms",
]

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("BOT_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/bot_test")

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def subprocess_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        HTTP_PROXY="http://127.0.0.1:9",
        HTTPS_PROXY="http://127.0.0.1:9",
        http_proxy="http://127.0.0.1:9",
        https_proxy="http://127.0.0.1:9",
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        PYTHONPATH=str(ROOT),
    )
    env.pop("BOT_CONFIG", None)
    env.update(extra)
    return env


@contextmanager
def fresh_pg_database() -> Iterator[str]:
    """A fresh, empty Postgres database (its URL), dropped afterwards."""
    import psycopg

    name = f"bot_t_{secrets.token_hex(6)}"
    admin = PG_ADMIN.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty Postgres database for one test, dropped afterwards."""
    with fresh_pg_database() as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'bot.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Runs the test on both stores."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'bot.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def store(db_url: str) -> Iterator[SqlStore]:
    engines.upgrade(db_url)
    s = SqlStore.open(db_url)
    yield s
    s.close()


BASE_CONFIG = """
[bot]
timezone = "Asia/Shanghai"
data_dir = "data"

[brand]
name = "Lotus Leaf Tea House"
products = ["mooncake gift box"]
link = "https://lotusleaf.example/shop"

[model]
backend = "canned"

[[accounts]]
name = "outbox"
platform = "dryrun"

[[campaigns]]
name = "promo"
kind = "promo"
when = {{ cron = "0 10 * * FRI" }}
accounts = ["outbox"]
brief = "Write a promo for {{{{ brand }}}}."
"""


@pytest.fixture
def write_config(tmp_path: Path) -> Any:
    """Write a config file (BASE_CONFIG plus extra TOML) and return its path."""

    def write(extra: str = "", *, base: str = BASE_CONFIG, database_url: str | None = None) -> Path:
        text = textwrap.dedent(base).format() + textwrap.dedent(extra)
        if database_url:
            text = text.replace('data_dir = "data"', f'data_dir = "data"\ndatabase_url = "{database_url}"')
        path = tmp_path / "bot.toml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def settings(write_config: Any) -> Settings:
    return load_settings(write_config())


def run_cli(
    *args: str,
    config: Path | None = None,
    input: str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 300,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m bot ARGS`` in a subprocess, the way a user would (in ``cwd``, by
    default the config file's directory)."""
    cmd = [sys.executable, "-m", "bot"]
    if config is not None:
        cmd += ["--config", str(config)]
    return subprocess.run(
        [*cmd, *args],
        capture_output=True,
        text=True,
        input=input,
        timeout=timeout,
        env=subprocess_env(**(env or {})),
        cwd=cwd or (config.parent if config else None),
        check=False,
    )
