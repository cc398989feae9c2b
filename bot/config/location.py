"""Finding and reading the config file, and where its data lives, without validating it.

Lean on purpose (stdlib only): the listing commands need no more than the database URL, so
they read it from here and never import the settings models (pydantic).
"""

from __future__ import annotations

import codecs
import os
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

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
        return tomllib.loads(_decoded(file, raw))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{file}: not valid TOML: tables or arrays nested too deeply") from None


def _decoded(file: Path, raw: bytes) -> str:
    """The file's text: UTF-8, with a byte-order mark (Windows Notepad writes one) dropped.

    A UTF-16 or UTF-32 file (Notepad's "Unicode") is a ConfigError saying so, not the
    "invalid statement at line 1, column 1" of its first, invisible, character."""
    for bom, encoding in _WIDE_BOMS:
        if raw.startswith(bom):
            raise ConfigError(_wide(file, encoding))
    if len(raw) >= 4 and raw[1:8:2].count(0) == len(raw[1:8:2]) and 0 not in raw[0:8:2]:
        raise ConfigError(_wide(file, "UTF-16"))  # little-endian without a mark: "[\0b\0o\0t\0"
    if len(raw) >= 4 and raw[0:8:2].count(0) == len(raw[0:8:2]) and 0 not in raw[1:8:2]:
        raise ConfigError(_wide(file, "UTF-16"))
    return raw.removeprefix(codecs.BOM_UTF8).decode("utf-8")


#: Byte-order marks of the encodings a config may be saved in by mistake (UTF-32 first: its
#: little-endian mark begins with UTF-16's).
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def _wide(file: Path, encoding: str) -> str:
    return (
        f"{file}: the file is {encoding}; save it as UTF-8 and try again "
        '(in Notepad: File, Save As, Encoding "UTF-8")'
    )


def data_dir(source: Path | None, configured: Path) -> Path:
    """``[bot] data_dir``, relative to the config file (``~`` expanded, as every path of the
    config is when it is loaded)."""
    base = source.parent if source else Path.cwd()
    return (base / configured.expanduser()).resolve()


def database_url(configured: str | None, data: Path, file: Path | None = None) -> str:
    """``$BOT_DATABASE_URL`` > ``[bot] database_url`` (of ``file``) > SQLite in the data dir.

    The one place every command gets its URL, so every command refuses a bad one with the same
    message: a scheme other than SQLite or Postgres, a bad port, or a SQLite file given by the
    user whose folder does not exist (only the data directory is created on demand). A relative
    SQLite file (``sqlite:///data/bot.db``), from either source, is made relative to the config
    file's directory, as every path of the config is: a daemon that systemd starts in another
    directory opens the same database as the CLI, not a new empty one.
    """
    base = file.resolve().parent if file else Path.cwd()
    env = os.environ.get("BOT_DATABASE_URL")
    if env:
        return _checked(env, "$BOT_DATABASE_URL", base)
    if configured:
        return _checked(configured, f"{file}: bot.database_url" if file else "bot.database_url", base)
    return f"sqlite:///{data / 'bot.db'}"


def _checked(url: str, where: str, base: Path) -> str:
    try:
        check_database_url(url)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    url = anchored_sqlite(url, base)
    folder = _sqlite_folder(url)
    if folder is not None and not folder.is_dir():
        problem = "is not a folder" if folder.exists() else "does not exist"
        raise ConfigError(
            f"{where}: the folder {folder} of the database file {problem}; create it "
            f"(mkdir -p {folder}) or correct the URL"
        )
    return url


def anchored_sqlite(url: str, base: Path) -> str:
    """``url`` with a relative SQLite file made absolute under ``base`` (``~`` expanded);
    any other URL, an absolute file, an in-memory database and a ``uri=true`` one are returned
    unchanged."""
    if not _is_sqlite(url):
        return url
    head, sep, rest = url.partition(":///")
    raw, query, params = rest.partition("?")
    if not sep or not raw or raw.startswith("/") or unquote(raw) == ":memory:" or "uri=true" in params:
        return url
    path = Path(unquote(raw)).expanduser()
    return f"{head}:///{path if path.is_absolute() else base / path}{query}{params}"


def _is_sqlite(url: str) -> bool:
    """``sqlite:`` or ``sqlite+DRIVER:``."""
    return url.partition(":")[0].partition("+")[0] == "sqlite"


def _sqlite_folder(url: str) -> Path | None:
    """The folder of a SQLite URL's file (None for another database or one in memory)."""
    if not _is_sqlite(url):
        return None
    path = unquote(urlsplit(url).path.removeprefix("/").split("?")[0])
    if not path or path == ":memory:":
        return None
    return Path(path).expanduser().parent


_URL_SCHEMES = ("sqlite", "postgresql")


def check_database_url(url: str) -> str:
    """A SQLite or Postgres URL with a numeric port, or ValueError saying what is wrong."""
    if "\x00" in url or any(c in url for c in "\r\n"):
        raise ValueError("a database URL cannot contain NUL or line breaks")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"not a database URL: {exc}") from None
    backend = parts.scheme.split("+", 1)[0]
    if backend not in _URL_SCHEMES:
        raise ValueError(
            "expected sqlite:///PATH or postgresql+psycopg://USER@HOST[:PORT]/DB"
            + (f" (scheme {parts.scheme!r} is not supported)" if parts.scheme else "")
        )
    if port == 0:
        raise ValueError("port 0 is not a port")
    return url


def database_url_of(file: Path) -> str:
    """The database URL a config file names, read without validating the rest of it."""
    section = read_toml(file).get("bot", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{file}: [bot] must be a table")
    configured, folder = section.get("database_url"), section.get("data_dir", "data")
    if not isinstance(configured, str | None) or not isinstance(folder, str):
        raise ConfigError(f"{file}: [bot] database_url and data_dir must be strings")
    return database_url(configured, data_dir(file.resolve(), Path(folder)), file)
