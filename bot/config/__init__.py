"""Configuration: one TOML file parsed once into frozen, validated settings.

Where the file is: ``bot --config PATH``, else ``$BOT_CONFIG``, else ``./bot.toml``.
Unknown keys, wrong types and bad values are :class:`~bot.domain.errors.ConfigError` naming the
file, the key and the value. Secrets are never read from the TOML.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.config.location import DEFAULT_CONFIG, MAX_CONFIG_BYTES, config_path, read_toml
from bot.domain.errors import ConfigError
from bot.domain.text import invisible_character

if TYPE_CHECKING:
    from pydantic import ValidationError

    from bot.config.settings import Settings

__all__ = ["DEFAULT_CONFIG", "MAX_CONFIG_BYTES", "Settings", "config_path", "load_settings", "parse_settings"]


def __getattr__(name: str) -> Any:
    """``Settings`` on first use: importing this package stays free of pydantic."""
    if name == "Settings":
        from bot.config.settings import Settings

        return Settings
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def load_settings(path: str | os.PathLike[str] | None = None) -> Settings:
    """Read and validate the config file; raise ConfigError naming what is wrong."""
    file = config_path(path)
    data = read_toml(file)
    try:
        return parse_settings(data, file)
    except RecursionError:
        raise ConfigError(f"{file}: invalid config: values nested too deeply") from None


def parse_settings(data: dict[str, Any], file: Path) -> Settings:
    """Validate already-parsed TOML data."""
    from pydantic import ValidationError

    from bot.config.settings import Settings

    secret = "secrets" if "secrets" in data else _secret_key(data) or _web_secret_key(data)
    if secret:
        raise ConfigError(
            f"{file}: {secret}: credentials do not belong in the config; use environment variables "
            "or secrets_file / secrets_dir (see README, Secrets)"
        )
    _check_characters(file, data, data, ())
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(file, data, exc)) from None
    settings = settings.model_copy(update={"source": file.resolve()})
    _check_data_dir(file, settings)
    anchored: Settings = _anchored(settings, file.resolve().parent)
    return anchored


def _anchored(node: Any, base: Path) -> Any:
    """``node`` with every relative path of the config made relative to the config file's
    directory ``base`` (``~`` expanded), as the README says: a ``secrets_file``, a
    ``secrets_dir``, a dry-run ``outbox``, a model ``path``, a word list, the ``data_dir``...
    Read once here, so no reader resolves one against the working directory. Every model's
    ``Path`` fields are anchored, a plugin's account options included; absolute ones are kept."""
    from pydantic import BaseModel

    if isinstance(node, Path):
        path = node.expanduser()
        if not path.is_absolute():
            return base / path
        return node if path == node else path
    if isinstance(node, BaseModel):
        updates = {}
        for name in type(node).model_fields:
            value = getattr(node, name)
            new = _anchored(value, base)
            if new is not value:
                updates[name] = new
        return node.model_copy(update=updates) if updates else node
    if isinstance(node, tuple):
        items = tuple(_anchored(item, base) for item in node)
        return items if any(a is not b for a, b in zip(items, node, strict=True)) else node
    if isinstance(node, dict):
        mapping = {key: _anchored(value, base) for key, value in node.items()}
        return mapping if any(mapping[k] is not node[k] for k in node) else node
    return node


#: C0 controls but tab and line breaks, DEL and C1 controls: invisible in the file, and
#: terminal escape sequences (ESC, CSI) when printed. Not allowed in any key or value.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _check_characters(file: Path, data: dict[str, Any], node: Any, loc: tuple[int | str, ...]) -> None:
    """Refuse control characters in keys and string values, naming the key and the character."""
    items: Any = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        where = (*loc, key)
        if isinstance(key, str) and (found := _CONTROL.search(key)):
            within = _key(data, loc)
            _control_error(file, f"the key {key!r}" + (f" in {within}" if within else ""), found)
        if isinstance(value, str) and (found := _CONTROL.search(value)):
            _control_error(file, f"{_key(data, where)} = {_shorten(value)}", found)
        if isinstance(value, str) and (hidden := invisible_character(value)):
            raise ConfigError(
                f"{file}: {_key(data, where)} = {_shorten(value)}: contains {hidden}; remove it"
            )
        if isinstance(value, dict | list):
            _check_characters(file, data, value, where)


def _control_error(file: Path, what: str, found: re.Match[str]) -> None:
    raise ConfigError(f"{file}: {what}: contains the control character U+{ord(found.group()):04X}; remove it")


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


def _secret_key(data: dict[str, Any]) -> str | None:
    """The first credential key under ``[model]`` (``model.api_key``) or ``[[accounts]]``
    (``accounts[0] (name).access_token``), if any; the value is never shown."""
    model = data.get("model")
    if isinstance(model, dict):
        found = sorted(_SECRET_KEYS & model.keys())
        if found:
            return f"model.{found[0]}"
    accounts = data.get("accounts", ())
    if not isinstance(accounts, list):
        return None
    for index, account in enumerate(accounts):
        if not isinstance(account, dict):
            continue
        found = sorted((_SECRET_KEYS | _credential_names(account)) & account.keys())
        if found:
            name = account.get("name")
            label = f" ({name})" if isinstance(name, str) and not _CONTROL.search(name) else ""
            return f"accounts[{index}]{label}.{found[0]}"
    return None


def _web_secret_key(data: dict[str, Any]) -> str | None:
    """A password or session key written into ``[web]`` or ``[[web.reviewers]]`` (never shown)."""
    web = data.get("web")
    if not isinstance(web, dict):
        return None
    keys = {"password", "password_hash", "session_secret", "secret_key", "secret"}
    if found := sorted(keys & web.keys()):
        return f"web.{found[0]}"
    reviewers = web.get("reviewers", ())
    for index, reviewer in enumerate(reviewers if isinstance(reviewers, list) else ()):
        if isinstance(reviewer, dict) and (found := sorted(keys & reviewer.keys())):
            return f"web.reviewers[{index}].{found[0]}"
    return None


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
        if error["type"] == "extra_forbidden":
            message = _two_triggers(error["loc"]) or message
        if error["type"] == "missing":
            message = _REQUIRED.get(error["loc"], message)
        lines.append(f"  {key}{shown}: {message}" if key else f"  {message}")
    return "\n".join(lines)


#: What a missing required key or table should hold.
_REQUIRED: dict[tuple[int | str, ...], str] = {
    ("brand",): 'the [brand] table is required (one config is one brand): add [brand] with name = "..."',
    ("brand", "name"): "required: the name every post gives the business ({{ brand }})",
}


def _shorten(value: Any) -> str:
    """The value as the error shows it: a long one is cut, with its length."""
    text = repr(value)
    if len(text) <= 120:
        return text
    size = f"{len(value):,} characters" if isinstance(value, str) else f"{len(text):,} characters shown"
    return f"{text[:80]}... ({size})"


#: The keys of a ``when`` table, one per trigger kind (also pydantic's discriminator tags).
_TRIGGERS = ("cron", "at", "every", "holiday")


def _two_triggers(loc: tuple[int | str, ...]) -> str | None:
    """``when = { cron = ..., at = ... }``: the second trigger is an "extra input" of the first."""
    for index, part in enumerate(loc[:-2]):
        tag, extra = loc[index + 1], loc[-1]
        if part == "when" and tag in _TRIGGERS and extra in _TRIGGERS and extra != tag:
            return f"two triggers ({tag} and {extra}): give exactly one of {', '.join(_TRIGGERS)}"
    return None


def _key(data: Any, loc: tuple[int | str, ...]) -> str:
    """Render a pydantic location as a TOML key, naming list items by their ``name``."""
    parts: list[str] = []
    node = data
    for index, part in enumerate(loc):
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
        elif part in _TRIGGERS and index > 0 and loc[index - 1] == "when":
            continue  # the trigger's discriminator tag, right after ``when``: not a key in the file
        elif part in _TRIGGERS and not (isinstance(node, dict) and part in node):
            continue  # discriminator tag, not a key in the file
        else:
            parts.append(str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return ".".join(parts)
