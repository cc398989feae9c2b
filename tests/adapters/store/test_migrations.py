"""Migrations: an empty database upgraded to head matches the models, on SQLite and Postgres."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot.adapters.store import engine as engines
from bot.adapters.store.tables import Base


def test_upgrade_to_head_matches_models(db_url: str) -> None:
    engines.upgrade(db_url)
    engine = engines.make_engine(db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def test_schema_revision_constant_is_alembic_head() -> None:
    assert engines.head_revision() == engines.SCHEMA_REVISION


def test_upgrade_is_idempotent_and_current_is_reported(sqlite_url: str) -> None:
    engines.upgrade(sqlite_url)
    engines.upgrade(sqlite_url)
    engine = engines.make_engine(sqlite_url)
    assert engines.current_revision(engine) == engines.SCHEMA_REVISION
    engines.check_schema(engine)
    engine.dispose()


def test_sqlite_runs_in_wal_mode_with_busy_timeout(sqlite_url: str) -> None:
    engine = engines.make_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == engines.BUSY_TIMEOUT_MS
    engine.dispose()
