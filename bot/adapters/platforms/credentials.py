"""Credentials of an account, from the environment or secret files; never from the TOML.

Lookup order for credential ``NAME`` of account ``my-acct``:

1. the environment variable ``BOT_MY_ACCT_NAME`` (account upper-cased, ``-`` and ``.`` -> ``_``);
2. ``secrets_file``: ``NAME=value`` lines (``#`` comments, blank lines and ``export`` allowed);
3. ``secrets_dir``: a file called ``NAME`` (systemd's ``$CREDENTIALS_DIRECTORY`` works as is).

Error messages name the variable and the files looked at, never a value. A secrets file that its
group or others can read is used, with a warning logged once per process naming it (as ssh
does for a private key, without refusing it). The model's API key
(``[model] backend = "openai"``) is read the same way, as credential ``api_key`` of the
holder named ``model`` (``$BOT_MODEL_API_KEY``).
"""

from __future__ import annotations

import logging
import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from bot.adapters.redaction import remember_secret
from bot.domain.errors import ConfigError

log = logging.getLogger(__name__)

#: The secrets files this process has looked at for loose permissions (each is named once).
_LOOKED_AT: set[Path] = set()


class SecretHolder(Protocol):
    """What credentials belong to: an account, or the ``[model]`` section."""

    @property
    def name(self) -> str: ...

    @property
    def secrets_file(self) -> Path | None: ...

    @property
    def secrets_dir(self) -> Path | None: ...


def env_name(account: str, name: str) -> str:
    """The environment variable holding credential ``name`` of ``account``."""
    return f"BOT_{re.sub(r'[^A-Za-z0-9]', '_', account).upper()}_{name.upper()}"


class Credentials:
    """Reads one account's (or the model's) credentials on demand."""

    def __init__(
        self, account: SecretHolder, environ: Mapping[str, str] | None = None, *, section: str | None = None
    ) -> None:
        self.account = account
        self._environ = os.environ if environ is None else environ
        #: How messages name the holder: ``accounts.NAME`` or ``model``.
        self.section = section or f"accounts.{account.name}"

    def get(self, name: str) -> str:
        """The credential's value; ConfigError saying where it was looked for if missing."""
        value = self.find(name)
        if value is None:
            raise ConfigError(f"{self.section}: credential {name!r} not found; {self._where(name)}")
        return value

    def find(self, name: str) -> str | None:
        """The credential's value, or None; a value found is masked in the logs from then on."""
        value = self._find(name)
        remember_secret(value, name)
        return value

    def _find(self, name: str) -> str | None:
        variable = env_name(self.account.name, name)
        value = self._environ.get(variable)
        if value:
            return checked_secret(value, f"${variable}", self.section, name)
        if self.account.secrets_file is not None:
            value = read_secrets_file(self.account.secrets_file, f"{self.section}.secrets_file").get(name)
            if value:
                return value
        if self.account.secrets_dir is not None:
            return read_secrets_dir_file(self.account.secrets_dir / name, f"{self.section}.secrets_dir")
        return None

    def require(self, *names: str) -> dict[str, str]:
        """All of ``names``; one ConfigError listing every missing one."""
        found = {name: self.find(name) for name in names}
        missing = [name for name, value in found.items() if value is None]
        if missing:
            where = "; ".join(self._where(name) for name in missing)
            raise ConfigError(f"{self.section}: missing credentials {', '.join(missing)}; {where}")
        return {name: value for name, value in found.items() if value is not None}

    def _where(self, name: str) -> str:
        places = [f"set ${env_name(self.account.name, name)}"]
        if self.account.secrets_file is not None:
            places.append(f"add {name}=... to {self.account.secrets_file}")
        if self.account.secrets_dir is not None:
            places.append(f"write {self.account.secrets_dir / name}")
        return " or ".join(places)


def read_secrets_file(path: Path, key: str) -> dict[str, str]:
    """The ``NAME=value`` lines of a secrets file; ConfigError naming the config ``key`` (like
    ``accounts.x.secrets_file``) and the file, never a value."""
    text = _read_secrets(path, key)
    warn_if_loose(path, key)
    return _parse_secrets(text, path, key)


def secrets_file_problem(path: Path, key: str) -> str | None:
    """Why reading the secrets file would fail (it does not exist, is a directory, cannot be
    read, is not UTF-8, has a line that is not ``NAME=value``), or None. Never names a value,
    and does not count as reading it (its permissions are still named once)."""
    try:
        _parse_secrets(_read_secrets(path, key), path, key)
    except ConfigError as exc:
        return str(exc)
    return None


def _read_secrets(path: Path, key: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{key}: {path} does not exist") from None
    except IsADirectoryError:
        raise ConfigError(f"{key}: {path} is a directory, not a file of NAME=value lines") from None
    except OSError as exc:
        raise ConfigError(f"{key}: cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{key}: {path} is not UTF-8 text (byte {exc.start + 1})") from None


def _parse_secrets(text: str, path: Path, key: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.removeprefix("export ").partition("=")
        if not sep or not name.strip():
            # the line is not shown: it may be a token without its NAME=
            raise ConfigError(f"{key}: {path} line {number} is not NAME=value")
        values[name.strip()] = value.strip().strip("'\"")
    return values


def read_secrets_dir_file(path: Path, key: str) -> str | None:
    """One secret of a secrets directory (None if it has no such file)."""
    try:
        value = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"{key}: cannot read {path}: {exc.strerror}") from None
    warn_if_loose(path, key)
    return value or None


def warn_if_loose(path: Path, key: str) -> None:
    """Log a warning the first time this process reads a secrets file that its group or others
    can read (:func:`loose_permissions`); the file is used all the same."""
    if path.absolute() in _LOOKED_AT:
        return
    _LOOKED_AT.add(path.absolute())
    line = loose_permissions(path, key)
    if line is not None:
        log.warning("%s", line)


def loose_files(places: list[tuple[Path, str]]) -> list[str]:
    """One line per secrets file that its group or others can read, of ``places``: (a secrets
    file, or a secrets directory, whose every file is a secret; the config key naming it).
    Those files are then not named again when read (:func:`warn_if_loose`)."""
    lines = []
    for path, key in places:
        for file in _files_in(path) if key.endswith("secrets_dir") else [path]:
            if file.absolute() in _LOOKED_AT:
                continue
            _LOOKED_AT.add(file.absolute())
            line = loose_permissions(file, key)
            if line is not None:
                lines.append(line)
    return lines


def _files_in(directory: Path) -> list[Path]:
    try:
        return sorted(p for p in directory.iterdir() if p.is_file())
    except OSError:  # missing or unreadable: reading a secret from it says so
        return []


def loose_permissions(path: Path, key: str) -> str | None:
    """One line when the secrets file at ``path`` (config ``key``) can be read by its group or
    by others, else None (also when it is missing: reading it says so)."""
    try:
        status = path.stat()
    except OSError:
        return None
    mode = status.st_mode & 0o777
    if not stat.S_ISREG(status.st_mode) or not mode & 0o044:  # a directory is named when read
        return None
    who = " and ".join(w for w, bit in (("its group", 0o040), ("others", 0o004)) if mode & bit)
    return f"{key}: {path} is readable by {who} (mode {mode:04o}); run: chmod 600 {path}"


def checked_secret(value: str, where: str, section: str, name: str) -> str:
    """The value of credential ``name`` of ``section``, read from ``where``, unless it carries
    whitespace or control characters no credential has (a ``\r`` from a file saved on
    Windows, a pasted newline): those are named, never sent."""
    if value != value.strip():
        edge = "trailing" if value == value.lstrip() else "leading"
        raise ConfigError(
            f"{section}: credential {name} in {where} has {edge} whitespace ({_kinds(value)}); remove it"
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ConfigError(f"{section}: credential {name} in {where} contains a control character; remove it")
    return value


def _kinds(value: str) -> str:
    edges = {c for c in value[:1] + value[-1:] if c.isspace()}
    names = {"\r": "a carriage return \\r", "\n": "a newline", "\t": "a tab", " ": "a space"}
    return ", ".join(sorted(names.get(c, f"U+{ord(c):04X}") for c in edges))
