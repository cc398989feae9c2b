"""The web page's secrets: reviewers' argon2 password hashes and the session-signing key.

The only importer of argon2-cffi. Secrets are looked up like an account's credentials (see
:mod:`bot.adapters.platforms.credentials`), never in the TOML:

1. the environment: ``BOT_WEB_PASSWORD_<NAME>`` (a hash), ``BOT_WEB_SESSION_SECRET``;
2. ``[web] secrets_file``: ``web_password_<name>=<hash>`` and ``web_session_secret=...`` lines;
3. ``[web] secrets_dir``: files called ``web_password_<name>`` and ``web_session_secret``;
4. without either, ``<data_dir>/web-secrets`` (a ``NAME=value`` file, mode 0600), where
   ``bot web passwd`` writes and where a session key is made on first start.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from bot.adapters.platforms.credentials import read_secrets_dir_file, read_secrets_file
from bot.adapters.redaction import remember_secret
from bot.config.web import WebSettings
from bot.domain.errors import ConfigError

SESSION_KEY = "web_session_secret"
_HASHER = PasswordHasher()
#: A hash of a random password, verified against when the name is unknown, so a wrong name
#: takes as long as a wrong password (no timing oracle for who is a reviewer).
_DUMMY = _HASHER.hash(secrets.token_hex(16))


def password_key(name: str) -> str:
    """The secret's name for reviewer ``name``'s password hash."""
    return f"web_password_{name.lower()}"


def _env_name(key: str) -> str:
    return "BOT_" + re.sub(r"[^A-Za-z0-9]", "_", key).upper()


class WebSecrets:
    """Reads and writes the web page's secrets for one ``[web]`` section."""

    def __init__(
        self,
        web: WebSettings,
        base: Path | None,
        data_dir: Path,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self._environ = os.environ if environ is None else environ
        self.file = _resolve(web.secrets_file, base)
        self.directory = _resolve(web.secrets_dir, base)
        self.default_file = data_dir / "web-secrets"

    # -- reading ------------------------------------------------------------------------

    def find(self, key: str) -> str | None:
        """The secret ``key`` from the first place that has it, or None (masked in the logs)."""
        value = self._find(key)
        remember_secret(value)
        return value

    def _find(self, key: str) -> str | None:
        value = self._environ.get(_env_name(key))
        if value:
            return value.strip()
        if self.file is not None and self.file.exists():  # made by the first `bot web passwd`
            value = read_secrets_file(self.file, "web.secrets_file").get(key)
            if value:
                return value
        if self.directory is not None:
            value = read_secrets_dir_file(self.directory / key, "web.secrets_dir")
            if value:
                return value
        if self.file is None and self.directory is None and self.default_file.exists():
            return read_secrets_file(self.default_file, "web secrets").get(key) or None
        return None

    def verify(self, name: str, password: str) -> bool:
        """True when ``password`` is reviewer ``name``'s (argon2); False for anyone without a
        hash, after the same work."""
        stored = self.find(password_key(name))
        try:
            return _HASHER.verify(stored or _DUMMY, password) and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def generation(self, name: str) -> str | None:
        """A short tag of reviewer ``name``'s current password hash (keyed with the session
        secret, so the cookie that carries it tells nothing of the hash); a new password gives
        a new tag, which ends every session made with the old one. None without a password."""
        stored = self.find(password_key(name))
        if stored is None:
            return None
        digest = hmac.new(self.session_secret().encode(), stored.encode(), hashlib.sha256)
        return digest.hexdigest()[:16]

    def has_password(self, name: str) -> bool:
        return self.find(password_key(name)) is not None

    def session_secret(self) -> str:
        """The key that signs session cookies; made (and kept) on first use when none is set."""
        found = self.find(SESSION_KEY)
        if found:
            if len(found) < 32:
                raise ConfigError(
                    f"the web session secret ({SESSION_KEY}) is too short: use at least 32 characters"
                )
            return found
        value = secrets.token_urlsafe(48)
        self.store(SESSION_KEY, value)
        return value

    # -- writing ------------------------------------------------------------------------

    def set_password(self, name: str, password: str) -> str:
        """Hash ``password`` (argon2id) as reviewer ``name``'s; return where it was written."""
        return self.store(password_key(name), _HASHER.hash(password))

    def store(self, key: str, value: str) -> str:
        """Write one secret where the config says (the directory first, then the file, else
        the default file), readable by the owner only; return where."""
        if self.directory is not None:
            target = self.directory / key
            _write_private(target, value + "\n")
            return str(target)
        path = self.file or self.default_file
        lines = _lines_without(path, key)
        _write_private(path, "".join(lines) + f"{key}={value}\n")
        return str(path)


def _resolve(path: Path | None, base: Path | None) -> Path | None:
    """A path of the config, relative to the config file's folder."""
    if path is None or path.is_absolute() or base is None:
        return path
    return base / path


def _lines_without(path: Path, key: str) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    kept = [line for line in text.splitlines(keepends=True) if line.split("=", 1)[0].strip() != key]
    if kept and not kept[-1].endswith("\n"):
        kept[-1] += "\n"
    return kept


def _write_private(path: Path, text: str) -> None:
    """Replace the file atomically with mode 0600 (a secret is never world-readable)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        tmp.replace(path)
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror}") from None
