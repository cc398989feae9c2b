"""The secrets of ``[notify]`` (a webhook URL with its token, the SMTP password).

Lookup order for secret ``NAME``: ``$BOT_NOTIFY_<NAME>`` (upper-cased, other characters ``_``),
then ``[notify] secrets_file`` (``NAME=value`` lines), then ``[notify] secrets_dir/NAME``.
Values are read and checked as accounts' credentials are (:mod:`bot.adapters.platforms.credentials`):
a variable with leading or trailing whitespace (a ``\r``) is refused naming the secret. Errors
name the variable and the files looked at, never a value.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from bot.adapters.platforms.credentials import checked_secret, read_secrets_dir_file, read_secrets_file
from bot.adapters.redaction import remember_secret
from bot.config.notify import NotifySettings
from bot.config.types import secret_value_like
from bot.domain.errors import ConfigError


def env_name(name: str) -> str:
    """The environment variable holding notification secret ``name``."""
    return f"BOT_NOTIFY_{re.sub(r'[^A-Za-z0-9]', '_', name).upper()}"


class NotifySecrets:
    """Reads ``[notify]``'s secrets on demand."""

    def __init__(
        self, settings: NotifySettings, base: Path | None = None, environ: Mapping[str, str] | None = None
    ) -> None:
        self._file = _resolved(settings.secrets_file, base)
        self._dir = _resolved(settings.secrets_dir, base)
        self._environ = os.environ if environ is None else environ

    def get(self, name: str, key: str) -> str:
        """The secret's value; ConfigError naming the config ``key`` and where it was looked for."""
        variable = env_name(name)
        value = self._environ.get(variable, "")
        if value:
            # checked as an account's credentials are: a trailing \r or space is named, not trimmed
            value = checked_secret(value, f"${variable}", "notify", name)
            remember_secret(value, name)
            return value
        if not value and self._file is not None:
            value = read_secrets_file(self._file, "notify.secrets_file").get(name, "")
        if not value and self._dir is not None:
            value = read_secrets_dir_file(self._dir / name, "notify.secrets_dir") or ""
        if value:
            remember_secret(value, name)
            return value
        if secret_value_like(name):  # refused by the config; never printed if it gets here
            raise ConfigError(f"{key}: looks like the secret itself, not its name (value not shown)")
        places = [f"set ${env_name(name)}"]
        if self._file is not None:
            places.append(f"add {name}=... to {self._file}")
        if self._dir is not None:
            places.append(f"write {self._dir / name}")
        raise ConfigError(f"{key} = {name!r}: secret not found; {' or '.join(places)}")


def _resolved(path: Path | None, base: Path | None) -> Path | None:
    if path is None or base is None or path.is_absolute():
        return path
    return base / path
