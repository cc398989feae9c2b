"""Transient database errors are told apart by code (SQLSTATE, SQLite result code), from real
errors of real databases: refused connections, a terminated session, a serialization failure,
a deadlock, a locked SQLite file; and permanent ones stay permanent."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.exc import DBAPIError

from bot.adapters.store import faults
from bot.adapters.store.sql import SqlStore
from bot.domain.errors import StateConflict, StoreError, StoreUnavailable


def _error_of(engine_url: str, *statements: str) -> DBAPIError:
    engine = create_engine(engine_url)
    try:
        with engine.begin() as conn:
            for sql in statements:
                conn.execute(text(sql))
    except DBAPIError as exc:
        return exc
    finally:
        engine.dispose()
    raise AssertionError(f"{statements!r} did not fail")


@pytest.mark.parametrize(
    ("code", "transient"),
    [
        ("08006", True),  # connection_failure
        ("08001", True),  # sqlclient_unable_to_establish_sqlconnection
        ("40001", True),  # serialization_failure
        ("40P01", True),  # deadlock_detected
        ("53300", True),  # too_many_connections
        ("55P03", True),  # lock_not_available
        ("57P01", True),  # admin_shutdown
        ("57P02", True),  # crash_shutdown
        ("57P03", True),  # cannot_connect_now (starting up)
        ("57014", True),  # query_canceled (statement timeout)
        ("57P04", False),  # database_dropped
        ("08P01", False),  # protocol_violation
        ("42601", False),  # syntax_error
        ("22003", False),  # numeric_value_out_of_range
        ("28P01", False),  # invalid_password
        ("3D000", False),  # invalid_catalog_name (no such database)
    ],
)
def test_sqlstate_table(code: str, transient: bool) -> None:
    assert faults.pg_transient(code) is transient


def test_sqlite_locked_file_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x INTEGER)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        exc = _error_of(f"sqlite:///{path}?timeout=0", "INSERT INTO t VALUES (1)")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert isinstance(exc.orig, sqlite3.Error) and exc.orig.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY
    error = faults.translate(exc)
    assert type(error) is StoreUnavailable and "database is locked" in str(error)


def test_sqlite_permanent_errors_stay_permanent(tmp_path: Path) -> None:
    syntax = _error_of(f"sqlite:///{tmp_path / 'a.db'}", "SELEC 1")
    assert type(faults.translate(syntax)) is StoreError
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database file at all" * 100)
    corrupt = _error_of(f"sqlite:///{garbage}", "SELECT * FROM sqlite_master")
    assert type(faults.translate(corrupt)) is StoreError


def test_sqlite_unique_key_is_a_conflict(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'u.db'}"
    exc = _error_of(url, "CREATE TABLE u (x INTEGER UNIQUE)", "INSERT INTO u VALUES (1), (1)")
    assert type(faults.translate(exc)) is StateConflict


def test_refused_connection_is_unavailable() -> None:
    # Nothing listens on port 1: the server never answers, there is no SQLSTATE.
    with pytest.raises(StoreUnavailable, match="database unavailable"):
        SqlStore.open("postgresql+psycopg://postgres@127.0.0.1:1/none")


@pytest.mark.postgres
def test_postgres_real_errors(pg_url: str) -> None:
    import psycopg

    plain = pg_url.replace("postgresql+psycopg://", "postgresql://")
    engine = create_engine(pg_url)
    try:
        # A terminated session (what a server shutdown does to it): 57P01 admin_shutdown.
        with engine.connect() as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
            with psycopg.connect(plain, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", [pid])
            with pytest.raises(DBAPIError) as info:
                conn.execute(text("SELECT 1"))
        assert faults.is_transient(info.value)
        # A value out of range is the caller's problem, not the database's.
        with engine.connect() as conn, pytest.raises(DBAPIError) as info:
            conn.execute(text("SELECT 2147483648::integer"))
        assert faults.sqlstate(info.value.orig) == "22003"
        assert type(faults.translate(info.value)) is StoreError
        # A serialization failure: two serializable transactions writing what the other read.
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE s (k INTEGER PRIMARY KEY, v INTEGER)"))
            conn.execute(text("INSERT INTO s VALUES (1, 0), (2, 0)"))
        one, two = (engine.connect().execution_options(isolation_level="SERIALIZABLE") for _ in range(2))
        try:
            one.begin()
            two.begin()
            one.execute(text("SELECT sum(v) FROM s")).scalar_one()
            two.execute(text("SELECT sum(v) FROM s")).scalar_one()
            one.execute(text("UPDATE s SET v = 1 WHERE k = 1"))
            two.execute(text("UPDATE s SET v = 1 WHERE k = 2"))
            one.commit()
            with pytest.raises(DBAPIError) as info:
                two.commit()
            assert faults.sqlstate(info.value.orig) == "40001"
            assert type(faults.translate(info.value)) is StoreUnavailable
        finally:
            one.close()
            two.close()
        _deadlock(engine)
    finally:
        engine.dispose()


def _deadlock(engine: Engine) -> None:
    """Two transactions locking two rows in opposite orders: Postgres kills one (40P01)."""
    first, second = engine.connect(), engine.connect()
    errors: list[DBAPIError] = []
    locked = threading.Barrier(2, timeout=30)

    def lock(conn: Connection, a: int, b: int) -> None:
        try:
            with conn.begin():
                conn.execute(text("UPDATE s SET v = v + 1 WHERE k = :k"), {"k": a})
                locked.wait()
                conn.execute(text("UPDATE s SET v = v + 1 WHERE k = :k"), {"k": b})
        except DBAPIError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=lock, args=args) for args in ((first, 1, 2), (second, 2, 1))]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        first.close()
        second.close()
    assert len(errors) == 1, errors
    assert faults.sqlstate(errors[0].orig) == "40P01"
    assert type(faults.translate(errors[0])) is StoreUnavailable
