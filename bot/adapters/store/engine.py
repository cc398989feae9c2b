"""Engines for SQLite (WAL, busy timeout, immediate transactions) and Postgres, and migrations."""

from __future__ import annotations

import logging
import re
import shlex
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError, SQLAlchemyError

from bot.adapters.redaction import remember_secret
from bot.adapters.store import faults
from bot.adapters.store.schema import migrations_dir
from bot.domain.errors import SchemaOutdated, StoreError, StoreUnavailable

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 30_000


#: How long a connection attempt to Postgres may take before it counts as "unavailable".
CONNECT_TIMEOUT_S = 10


def make_engine(url: str, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and BEGIN IMMEDIATE writes.

    ``busy_timeout_ms``: how long a SQLite statement waits for another connection's lock before
    it fails as unavailable (the daemon uses a short one so that SIGTERM is never stuck in it).
    """
    try:
        parsed = make_url(url)
        parsed.port  # noqa: B018  (a non-numeric port fails here, not at the first query)
    except (ArgumentError, ValueError):
        raise StoreError(f"database_url is not a database URL: {redact_url(url)}") from None
    remember_secret(parsed.password if isinstance(parsed.password, str) else None)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database, busy_timeout_ms)
    connect_args = {"connect_timeout": CONNECT_TIMEOUT_S} if parsed.get_backend_name() == "postgresql" else {}
    try:
        return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5, connect_args=connect_args)
    except (ArgumentError, ImportError, ValueError) as exc:
        raise StoreError(f"cannot use database {redact_url(url)}: {exc}") from None


def _sqlite_engine(url: str, database: str | None, busy_timeout_ms: int) -> Engine:
    if database and database != ":memory:":
        folder = Path(database).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the folder {folder} for the database file {database}: "
                f"{exc.strerror or exc}; check data_dir in the config"
            ) from None
    engine = create_engine(url, connect_args={"timeout": busy_timeout_ms / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy drive transactions so that every write takes the lock up front
        # (BEGIN IMMEDIATE): deferred transactions can deadlock on lock upgrade.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def redact_url(url: str) -> str:
    """The URL with its password hidden (for logs and messages)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "<unparseable>"


#: What SQLite says about a file that is not (or no longer) a database.
_DAMAGED = ("file is not a database", "malformed", "not a database", "file is encrypted")


def database_error(url: str, exc: DBAPIError) -> StoreError:
    """One sentence for a database that cannot be opened: which one, why, and what to do.

    A damaged SQLite file (garbage, truncated, not a database) is named with the way back
    (a backup, or moving it aside and ``bot db upgrade``); a file that cannot be opened (a
    directory, no permission) and an unreachable server say so.
    """
    reason = _first_line(exc.orig)
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return StoreError(f"cannot open the database: {reason}")
    if parsed.get_backend_name() != "sqlite":
        return StoreError(_server_problem(url, reason))
    path = parsed.database or ":memory:"
    if any(marker in reason for marker in _DAMAGED):
        return StoreError(
            f"the database file {path} is damaged or is not a bot database ({reason}); "
            f"restore it from a backup, or move it aside and run `bot db upgrade` to start an empty one"
        )
    if isinstance(exc, OperationalError) and "unable to open" in reason:
        return StoreError(
            f"cannot open the database file {path} ({reason}): it must be a writable file, "
            "not a directory, in a writable folder"
        )
    return StoreError(f"the database file {path} cannot be used: {reason}")


#: What Postgres says when the server answered but has no database of that name.
_NO_DATABASE = re.compile(r'database "(?P<name>[^"]*)" does not exist')


def _server_problem(url: str, reason: str) -> str:
    """A database server's refusal in one sentence: a database that does not exist is named
    with the command that creates it; anything else may be the server or the URL."""
    missing = _NO_DATABASE.search(reason)
    if missing is None:
        return (
            f"cannot reach the database {redact_url(url)}: {reason}; "
            "check that the server is running and database_url (or $BOT_DATABASE_URL) is right"
        )
    parsed = make_url(url)
    options = [f"-h {parsed.host}"] if parsed.host else []
    options += [f"-p {parsed.port}"] if parsed.port else []
    options += [f"-U {parsed.username}"] if parsed.username else []
    create = " ".join(["createdb", *options, shlex.quote(missing["name"])])
    return (
        f"the server of {redact_url(url)} is running but has no database {missing['name']!r}; "
        f"create it (`{create}`, or CREATE DATABASE in psql) and run `bot db upgrade`, "
        "or correct database_url (or $BOT_DATABASE_URL)"
    )


def is_damaged(exc: DBAPIError) -> bool:
    """Whether SQLite says the file is not a (healthy) database."""
    reason = _first_line(exc.orig)
    return any(marker in reason for marker in _DAMAGED)


def _first_line(error: BaseException | None) -> str:
    text = str(error).strip() if error is not None else ""
    return text.splitlines()[0] if text else type(error).__name__


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database to ``revision`` (creating it if empty)."""
    from alembic import command
    from alembic.util.exc import CommandError

    try:
        command.upgrade(alembic_config(url), revision)
    except CommandError as exc:
        raise StoreError(
            f"cannot migrate to {revision!r}: {_first_line(exc)}; "
            f"give `head` (the default) or a revision like {SCHEMA_REVISION}"
        ) from None
    except DBAPIError as exc:
        raise database_error(url, exc) from None
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot migrate {redact_url(url)}: {exc.__class__.__name__}: {exc}") from None


#: The migration this code expects; a test checks it is Alembic's head.
SCHEMA_REVISION = "0005"


def head_revision() -> str:
    """Alembic's head revision (imports alembic: use SCHEMA_REVISION on hot paths)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
    except DBAPIError as exc:
        described = database_error(engine.url.render_as_string(hide_password=False), exc)
        if isinstance(faults.translate(exc), StoreUnavailable):
            raise StoreUnavailable(f"database unavailable: {described}") from exc
        raise described from None
    return None if row is None else str(row[0])


def check_schema(engine: Engine) -> None:
    """Raise SchemaOutdated unless the database is at this version's head revision."""
    current = current_revision(engine)
    if current is None:
        raise SchemaOutdated("the database is empty: run `bot db upgrade`")
    if current != SCHEMA_REVISION and not _older(current, SCHEMA_REVISION):
        raise StoreError(
            f"the database is at revision {current!r}, which this version of bot does not know "
            f"(it expects {SCHEMA_REVISION}): use the bot version that wrote it, or restore a backup"
        )
    if current != SCHEMA_REVISION:
        raise SchemaOutdated(f"the database is at revision {current}: run `bot db upgrade`")


def _older(revision: str, than: str) -> bool:
    """Revisions are numbered ``0001``, ``0002``...: anything else is not ours."""
    return revision.isdigit() and len(revision) == len(than) and revision < than
