"""Migrations: an empty database upgraded to head matches the models, on SQLite and Postgres."""

from __future__ import annotations

import gc

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot.adapters.store import engine as engines
from bot.adapters.store.tables import Base
from bot.domain.errors import StoreError


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


@pytest.mark.postgres
def test_a_failed_migration_leaves_no_connection_open(pg_url: str) -> None:
    """A revision that does not exist fails inside the migration environment: its engine is
    disposed all the same. Its pooled Postgres connection used to stay open, held by Alembic's
    context until the next migration (another test's, on any database) let it go: collected
    open, it warned, and that other test failed."""
    with pytest.raises(StoreError, match="cannot migrate to 'nope'"):
        engines.upgrade(pg_url, "nope")
    engines.upgrade(pg_url)
    gc.collect()  # a connection left open warns here, failing this test
