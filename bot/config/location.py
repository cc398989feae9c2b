"""Finding and reading the config file, and where its data lives, without validating it.

Lean on purpose (stdlib only): the listing commands need no more than the database URL, so
they read it from here and never import the settings models (pydantic).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from bot.domain.errors import ConfigError

DEFAULT_CONFIG = Path("bot.toml")
#: Largest config file read (parsing a TOML of many megabytes takes seconds per megabyte).
MAX_CONFIG_BYTES = 4 * 2**20


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Resolve the config path: explicit > ``$BOT_CONFIG`` > ``./bot.toml``."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("BOT_CONFIG")
    return Path(env) if env else DEFAULT_CONFIG


def read_toml(file: Path) -> dict[str, Any]:
    """The file's TOML data; ConfigError naming the file if it is missing or not TOML."""
    try:
        with file.open("rb") as handle:  # never more than the limit (a config on /dev/zero)
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(f"{file}: config file not found (run `bot init` to write one)") from None
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read config: {exc.strerror}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        from bot.config.types import MAX_TEMPLATE_CHARS

        raise ConfigError(
            f"{file}: the config file is over the {MAX_CONFIG_BYTES // 2**20} MiB limit "
            f"({MAX_CONFIG_BYTES:,} bytes); a template may be at most {MAX_TEMPLATE_CHARS:,} characters"
        )
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{file}: not valid TOML: tables or arrays nested too deeply") from None


def data_dir(source: Path | None, configured: Path) -> Path:
    """``[bot] data_dir``, relative to the config file (``~`` expanded, as every path of the
    config is when it is loaded)."""
    base = source.parent if source else Path.cwd()
    return (base / configured.expanduser()).resolve()


def database_url(configured: str | None, data: Path) -> str:
    """``$BOT_DATABASE_URL`` > ``[bot] database_url`` > SQLite in the data dir."""
    url = os.environ.get("BOT_DATABASE_URL") or configured
    return url or f"sqlite:///{data / 'bot.db'}"


def database_url_of(file: Path) -> str:
    """The database URL a config file names, read without validating the rest of it."""
    section = read_toml(file).get("bot", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{file}: [bot] must be a table")
    configured, folder = section.get("database_url"), section.get("data_dir", "data")
    if not isinstance(configured, str | None) or not isinstance(folder, str):
        raise ConfigError(f"{file}: [bot] database_url and data_dir must be strings")
    return database_url(configured, data_dir(file.resolve(), Path(folder)))
