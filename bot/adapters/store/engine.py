"""Engines for SQLite (WAL, busy timeout, immediate transactions) and Postgres, and migrations."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from bot.domain.errors import SchemaOutdated, StoreError

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations"
BUSY_TIMEOUT_MS = 30_000


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and BEGIN IMMEDIATE writes."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"database_url is not a database URL: {redact_url(url)}") from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database)
    try:
        return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
    except (ArgumentError, ImportError) as exc:
        raise StoreError(f"cannot use database {redact_url(url)}: {exc}") from None


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy drive transactions so that every write takes the lock up front
        # (BEGIN IMMEDIATE): deferred transactions can deadlock on lock upgrade.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
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
    except ArgumentError:
        return "<unparseable>"


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database to ``revision`` (creating it if empty)."""
    from alembic import command

    try:
        command.upgrade(alembic_config(url), revision)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot migrate {redact_url(url)}: {exc.__class__.__name__}: {exc}") from None


#: The migration this code expects; a test checks it is Alembic's head.
SCHEMA_REVISION = "0002"


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
    except OperationalError as exc:
        raise StoreError(f"cannot open the database: {exc.orig}") from None
    return None if row is None else str(row[0])


def check_schema(engine: Engine) -> None:
    """Raise SchemaOutdated unless the database is at this version's head revision."""
    current = current_revision(engine)
    if current is None:
        raise SchemaOutdated("the database is empty: run `bot db upgrade`")
    if current != SCHEMA_REVISION:
        raise SchemaOutdated(f"the database is at revision {current}: run `bot db upgrade`")
