"""Configuration: one TOML file parsed once into frozen, validated settings.

Where the file is: ``bot --config PATH``, else ``$BOT_CONFIG``, else ``./bot.toml``.
Unknown keys, wrong types and bad values are :class:`~bot.domain.errors.ConfigError` naming the
file, the key and the value. Secrets are never read from the TOML.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.config.settings import Settings
from bot.config.types import MAX_TEMPLATE_CHARS
from bot.domain.errors import ConfigError

DEFAULT_CONFIG = Path("bot.toml")
#: Largest config file read (parsing a TOML of many megabytes takes seconds per megabyte).
MAX_CONFIG_BYTES = 4 * 2**20

__all__ = ["DEFAULT_CONFIG", "Settings", "config_path", "load_settings", "parse_settings"]


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Resolve the config path: explicit > ``$BOT_CONFIG`` > ``./bot.toml``."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("BOT_CONFIG")
    return Path(env) if env else DEFAULT_CONFIG


def load_settings(path: str | os.PathLike[str] | None = None) -> Settings:
    """Read and validate the config file; raise ConfigError naming what is wrong."""
    file = config_path(path)
    try:
        with file.open("rb") as handle:  # never more than the limit (a config on /dev/zero)
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(f"{file}: config file not found (run `bot init` to write one)") from None
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read config: {exc.strerror}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(
            f"{file}: the config file is over the {MAX_CONFIG_BYTES // 2**20} MiB limit "
            f"({MAX_CONFIG_BYTES:,} bytes); a template may be at most {MAX_TEMPLATE_CHARS:,} characters"
        )
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{file}: not valid TOML: tables or arrays nested too deeply") from None
    try:
        return parse_settings(data, file)
    except RecursionError:
        raise ConfigError(f"{file}: invalid config: values nested too deeply") from None


def parse_settings(data: dict[str, Any], file: Path) -> Settings:
    """Validate already-parsed TOML data."""
    if "secrets" in data or _has_secret_keys(data):
        raise ConfigError(
            f"{file}: credentials do not belong in the config; use environment variables "
            "or secrets_file / secrets_dir (see README, Secrets)"
        )
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(file, data, exc)) from None
    settings = settings.model_copy(update={"source": file.resolve()})
    _check_data_dir(file, settings)
    return settings


def _check_data_dir(file: Path, settings: Settings) -> None:
    """``bot.data_dir`` must be a directory or a path one can become (no file in the way)."""
    try:
        path = settings.data_dir
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{file}: bot.data_dir = {str(settings.bot.data_dir)!r}: {exc}") from None
    for candidate in (path, *path.parents):
        try:
            if not candidate.exists():
                continue
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{file}: bot.data_dir = {str(settings.bot.data_dir)!r}: {exc}") from None
        if not candidate.is_dir():
            what = "names a file" if candidate == path else f"is under {candidate}, which is a file"
            raise ConfigError(
                f"{file}: bot.data_dir = {str(settings.bot.data_dir)!r}: {what}, not a directory"
            )
        return


_SECRET_KEYS = {
    "password",
    "client_secret",
    "api_secret",
    "access_token",
    "access_token_secret",
    "app_password",
    "api_key",
    "token",
}


def _has_secret_keys(data: dict[str, Any]) -> bool:
    accounts = data.get("accounts", ())
    return isinstance(accounts, list) and any(
        isinstance(account, dict) and (_SECRET_KEYS | _credential_names(account)) & account.keys()
        for account in accounts
    )


def _credential_names(account: dict[str, Any]) -> set[str]:
    """The credentials the account's platform declares (none if the platform is unknown)."""
    from bot import plugins

    name = account.get("platform")
    if not isinstance(name, str) or name not in plugins.available(plugins.PLATFORMS):
        return set()
    try:
        return set(plugins.platform(name).credentials)
    except ConfigError:
        return set()


def _describe(file: Path, data: dict[str, Any], exc: ValidationError) -> str:
    lines = [f"{file}: invalid config"]
    for error in exc.errors(include_url=False):
        key = _key(data, error["loc"])
        value = error.get("input")
        shown = "" if isinstance(value, dict | list) else f" = {_shorten(value)}"
        message = error["msg"].removeprefix("Value error, ")
        lines.append(f"  {key}{shown}: {message}" if key else f"  {message}")
    return "\n".join(lines)


def _shorten(value: Any) -> str:
    """The value as the error shows it: a long one is cut, with its length."""
    text = repr(value)
    if len(text) <= 120:
        return text
    size = f"{len(value):,} characters" if isinstance(value, str) else f"{len(text):,} characters shown"
    return f"{text[:80]}... ({size})"


def _key(data: Any, loc: tuple[int | str, ...]) -> str:
    """Render a pydantic location as a TOML key, naming list items by their ``name``."""
    parts: list[str] = []
    node = data
    for part in loc:
        if isinstance(part, int):
            name = (
                node[part].get("name")
                if isinstance(node, list) and part < len(node) and isinstance(node[part], dict)
                else None
            )
            parts[-1] = f"{parts[-1]}[{part}]" + (f" ({name})" if name else "") if parts else f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
        elif part == "[key]":
            continue  # pydantic's marker for an error in a mapping's key (already named)
        elif part in {"cron", "at", "every", "holiday"} and not (isinstance(node, dict) and part in node):
            continue  # discriminator tag, not a key in the file
        else:
            parts.append(str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return ".".join(parts)
