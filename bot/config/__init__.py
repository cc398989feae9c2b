"""Configuration: one TOML file parsed once into frozen, validated settings.

Where the file is: ``bot --config PATH``, else ``$BOT_CONFIG``, else ``./bot.toml``.
Unknown keys, wrong types and bad values are :class:`~bot.domain.errors.ConfigError` naming the
file, the key and the value. Secrets are never read from the TOML.
"""

from __future__ import annotations

import difflib
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
        bad = isinstance(value, str) and (_CONTROL.search(value) or invisible_character(value))
        if bad and not _unknown(data, where):  # an unknown key is refused as such, value unseen
            shown = " (value not shown)" if _secret_loc(where) else f" = {_shorten(value)}"
            if found := _CONTROL.search(value):
                _control_error(file, _key(data, where) + shown, found)
            raise ConfigError(
                f"{file}: {_key(data, where)}{shown}: contains {invisible_character(value)}; remove it"
            )
        if isinstance(value, dict | list):
            _check_characters(file, data, value, where)


def _unknown(data: dict[str, Any], loc: tuple[int | str, ...]) -> bool:
    """True when ``loc`` is (within) a key the config does not know, or that cannot be told."""
    unknown = _unknown_locs(data)
    return unknown is None or any(loc[: len(path)] == path for path in unknown)


def _unknown_locs(data: dict[str, Any]) -> set[tuple[int | str, ...]] | None:
    """Where ``data`` has keys the config does not know, as TOML paths (None when that cannot
    be told). Only asked on the way to an error: validating once more costs nothing otherwise."""
    from pydantic import ValidationError

    from bot.config.settings import Settings

    try:
        Settings.model_validate(data)
    except ValidationError as exc:
        found = set()
        for error in exc.errors(include_url=False):
            if error["type"] == "extra_forbidden":
                found.add(_path(data, error["loc"]))
        return found
    except Exception:  # whatever else goes wrong, nothing is known: show nothing
        return None
    return set()


def _path(data: Any, loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """A pydantic location as the path of keys and indexes in ``data`` (no discriminator tags)."""
    path: list[int | str] = []
    node = data
    for part in loc:
        in_list = isinstance(part, int) and isinstance(node, list) and part < len(node)
        if in_list or (isinstance(part, str) and isinstance(node, dict) and part in node):
            path.append(part)
            node = node[part]
    return tuple(path)


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
    """One line per error, naming the key. The value is shown only when it cannot be a secret:
    never for a key the config does not know (a credential put in the wrong place, a misspelled
    credential name) nor for a key whose name looks like a credential's (:func:`secret_like`)."""
    from bot.config import expected

    lines = [f"{file}: invalid config"]
    for error in expected.merged(data, list(exc.errors(include_url=False))):
        key = _key(data, error["loc"])
        value = error.get("input")
        message = error["msg"].removeprefix("Value error, ")
        message = expected.message(error, key, _secret_loc(error["loc"])) or message
        unknown = error["type"] == "extra_forbidden"
        if unknown and (triggers := _two_triggers(error["loc"])):
            message, unknown = triggers, False
        elif unknown:
            message = "unknown table" if isinstance(value, dict) else _unknown_key(data, error["loc"])
        if error["type"] == "missing":
            message = _REQUIRED.get(error["loc"], message)
        hidden = unknown or _secret_loc(error["loc"])
        if hidden:
            message = _masked(message, value)
        shown = "" if hidden or isinstance(value, dict | list) else f" = {_shorten(value)}"
        lines.append(f"  {key}{shown}: {message}" if key else f"  {message}")
    return "\n".join(lines)


#: Words that make a key's name a credential's (matched against the name's words, split on
#: ``_``, ``-`` and ``.``, and against the name with those removed for the compound ones).
_SECRET_WORDS = frozenset(
    {"password", "passwd", "pwd", "passphrase", "pass", "secret", "secrets", "token", "key", "apikey"}
    | {"credential", "credentials", "auth", "authorization", "bearer", "cookie", "jwt", "otp", "pin"}
)
_SECRET_PARTS = ("password", "passwd", "secret", "token", "apikey", "accesskey", "privatekey", "credential")
#: Known keys whose value names a place, not a secret (``secrets_file = "x.env"``).
_PLACE_SUFFIXES = ("_file", "_dir", "_path")


def secret_like(name: str) -> bool:
    """True when a key called ``name`` would hold a credential (``smtp_password``,
    ``web_session_secret``, ``api_key``, ``access_tokn`` is not, but it is an unknown key)."""
    lowered = name.lower()
    if lowered.endswith(_PLACE_SUFFIXES):
        return False
    words = set(re.split(r"[_\-.\s]+", lowered))
    squashed = re.sub(r"[_\-.\s]+", "", lowered)
    return bool(words & _SECRET_WORDS) or any(part in squashed for part in _SECRET_PARTS)


def _secret_loc(loc: tuple[int | str, ...]) -> bool:
    return any(isinstance(part, str) and secret_like(part) for part in loc)


def _masked(message: str, value: Any) -> str:
    """``message`` without the value in it (a validator may quote what it refuses)."""
    if isinstance(value, str) and value:
        for shown in {value, repr(value), value.strip()}:
            if len(shown) >= 3:
                message = message.replace(shown, "***")
    return message


def _unknown_key(data: dict[str, Any], loc: tuple[int | str, ...]) -> str:
    """What is said of a key the config does not know (its value is never shown). A name that
    looks like a credential's is told where credentials go; in an account, a near miss of
    one of its platform's credentials is named (``access_tokn``: ``access_token``)."""
    name = str(loc[-1]) if loc else ""
    account = _account_of(data, loc)
    if account is not None:
        credentials = sorted(_credential_names(account))
        near = difflib.get_close_matches(name, credentials, n=1, cutoff=0.75)
        if near or secret_like(name):
            label = str(account.get("name", "ACCOUNT"))
            what = near[0] if near else name
            hint = f" (did you mean the credential {near[0]}?)" if near else ""
            return (
                f"unknown key{hint}; value not shown. Credentials do not belong in the config: set "
                f"${_env_name(label, what)}, or put {what}=... in the account's secrets_file / "
                "secrets_dir (see README, Secrets)"
            )
        return "unknown key (value not shown)"
    if not secret_like(name):
        return "unknown key (value not shown)"
    where = _CREDENTIALS_GO.get(str(loc[0]) if loc else "", _CREDENTIALS_GO[""])
    return f"unknown key that looks like a credential; value not shown. {_NOT_HERE}: {where}"


_NOT_HERE = "Credentials do not belong in the config"
#: Where a section's credentials go instead (by the config's top-level table).
_CREDENTIALS_GO = {
    "notify": "name it with password_secret / url_secret and give its value in $BOT_NOTIFY_<NAME> or "
    "[notify] secrets_file / secrets_dir (see README, Notifications)",
    "web": "the session key is $BOT_WEB_SESSION_SECRET or web_session_secret=... in [web] "
    "secrets_file / secrets_dir (made on first start when absent); reviewers' passwords are set "
    "with `bot web passwd NAME` (see README, Reviewing from a phone)",
    "": "use environment variables or secrets_file / secrets_dir (see README, Secrets)",
}


def _account_of(data: dict[str, Any], loc: tuple[int | str, ...]) -> dict[str, Any] | None:
    """The ``[[accounts]]`` table an error's location is directly in, if it is."""
    if len(loc) < 3 or loc[0] != "accounts" or not isinstance(loc[1], int):
        return None
    accounts = data.get("accounts")
    if not isinstance(accounts, list) or loc[1] >= len(accounts) or not isinstance(accounts[loc[1]], dict):
        return None
    account: dict[str, Any] = accounts[loc[1]]
    return account


def _env_name(account: str, name: str) -> str:
    """``BOT_<ACCOUNT>_<NAME>``, as bot.adapters.platforms.credentials.env_name spells it."""
    return f"BOT_{re.sub(r'[^A-Za-z0-9]', '_', account).upper()}_{re.sub(r'[^A-Za-z0-9]', '_', name).upper()}"


#: What a missing required key or table should hold.
_REQUIRED: dict[tuple[int | str, ...], str] = {
    ("brand",): 'the [brand] table is required (one config is one brand): add [brand] with name = "..."',
    ("brand", "name"): "required: the name every post gives the business ({{ brand }})",
}


def _shorten(value: Any) -> str:
    """The value as the error shows it: a long one is cut, with its length."""
    text = str(value).lower() if isinstance(value, bool) else repr(value)  # as TOML writes it
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
