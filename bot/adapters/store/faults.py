"""Which database errors are transient: one table per driver, read by code, never by class name.

A transient error (the server is down, restarting, out of connections; a serialization failure
or a deadlock; SQLite busy or locked) becomes :class:`~bot.domain.errors.StoreUnavailable`: the
daemon backs off and tries again, a CLI command says so and exits 1. A unique key taken first
is :class:`~bot.domain.errors.StateConflict`. Everything else (a syntax error, a value out of
range, a corrupt file, a bad password) is a plain :class:`~bot.domain.errors.StoreError`:
retrying would not help.

Postgres (psycopg) errors carry a SQLSTATE; an error without one never reached the server (the
connection was refused, dropped or timed out) and is transient too. SQLite errors carry the
primary result code in the low byte of ``sqlite_errorcode``.
"""

from __future__ import annotations

import sqlite3
from typing import Final

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.domain.errors import StateConflict, StoreError, StoreUnavailable

#: SQLSTATE classes (first two characters) that are transient as a whole.
PG_TRANSIENT_CLASSES: Final[dict[str, str]] = {
    "08": "connection exception",
    "40": "transaction rollback (serialization failure, deadlock)",
    "53": "insufficient resources (too many connections, out of memory, disk full)",
    "57": "operator intervention (server shutting down, starting up, query cancelled)",
}

#: SQLSTATEs of an otherwise permanent class that are transient.
PG_TRANSIENT_CODES: Final[dict[str, str]] = {
    "25P03": "idle_in_transaction_session_timeout",
    "55P03": "lock_not_available",
    "58000": "system_error",
    "58030": "io_error",
}

#: SQLSTATEs of a transient class that are not: retrying cannot fix them.
PG_PERMANENT_CODES: Final[dict[str, str]] = {
    "57P04": "database_dropped",
    "08P01": "protocol_violation",
}

#: SQLite primary result codes that are transient.
SQLITE_TRANSIENT_CODES: Final[dict[int, str]] = {
    5: "SQLITE_BUSY",  # "database is locked": another connection holds the write lock
    6: "SQLITE_LOCKED",  # a table is locked by another statement on a shared cache
    7: "SQLITE_NOMEM",
    9: "SQLITE_INTERRUPT",
    15: "SQLITE_PROTOCOL",  # a WAL lock race
}


def sqlstate(error: BaseException | None) -> str | None:
    """The SQLSTATE of a Postgres driver error (psycopg 3 or psycopg2), None if it has none."""
    code = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    return code if isinstance(code, str) and code else None


def pg_transient(code: str) -> bool:
    """Whether a SQLSTATE is worth retrying later."""
    if code in PG_PERMANENT_CODES:
        return False
    return code in PG_TRANSIENT_CODES or code[:2] in PG_TRANSIENT_CLASSES


def sqlite_transient(error: sqlite3.Error) -> bool:
    """Whether a SQLite error is worth retrying later (by its primary result code)."""
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(code, int) and (code & 0xFF) in SQLITE_TRANSIENT_CODES


def is_transient(exc: BaseException) -> bool:
    """Whether a SQLAlchemy error means "try again later" (see the module docstring)."""
    if isinstance(exc, PoolTimeout):
        return True  # every pooled connection is busy
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    if isinstance(orig, sqlite3.Error):
        return sqlite_transient(orig)
    code = sqlstate(orig)
    if code is not None:
        return pg_transient(code)
    # No SQLSTATE: the server never answered (refused, dropped, timed out).
    return isinstance(exc, OperationalError) or exc.connection_invalidated


def translate(exc: BaseException) -> StoreError:
    """The store error for a SQLAlchemy error; raise it ``from exc``."""
    detail = first_line(getattr(exc, "orig", None) or exc)
    if isinstance(exc, IntegrityError):
        # a unique key taken by someone else first: the insert's compare-and-set lost
        return StateConflict(f"already exists: {detail}")
    if is_transient(exc):
        return StoreUnavailable(f"database unavailable: {detail}")
    return StoreError(f"database error: {detail}")


def first_line(error: BaseException | None) -> str:
    """The first line of a driver error (psycopg adds context lines that say nothing new)."""
    text = str(error).strip() if error is not None else "unknown error"
    return text.splitlines()[0] if text else type(error).__name__
