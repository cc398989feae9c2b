"""A lean, read-only store for the listing commands: the database driver alone (stdlib
``sqlite3`` or ``psycopg``), no SQLAlchemy, so ``bot queue --json`` starts in a few tens of
milliseconds. It implements :class:`bot.domain.ports.StoreReader` with the same results as
:class:`~bot.adapters.store.sql.SqlStore` (the contract tests compare them on SQLite and
Postgres). Any other database URL gets the full store.

Times are stored as naive UTC (see ``tables.UTCDateTime``) and read back as aware UTC.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from bot.adapters.store import schema
from bot.domain import (
    SLOT_DRAFT_STATES,
    CampaignKind,
    CampaignRecord,
    DaemonInfo,
    Draft,
    DraftOrigin,
    DraftState,
    Event,
    Publication,
    PublicationState,
)
from bot.domain.errors import BotError, SchemaOutdated, StoreError, StoreUnavailable
from bot.domain.media import media_from_json
from bot.domain.ports import StoreReader

_DRAFT_COLUMNS = (
    "d.id, d.campaign_id, c.name, d.slot_id, s.slot_at, d.text, d.state, d.origin, d.model_id, "
    "d.generation, d.checks, d.rank_score, d.created_at, d.updated_at, d.expires_at, d.media"
)
_PUBLICATION_COLUMNS = (
    "id, draft_id, account, platform, state, not_before, attempts, claimed_by, claimed_until, "
    "sending_at, idempotency_key, remote_id, url, last_error, created_at, updated_at, published_at, "
    "first_sent_at, last_sent_at, check_tries, check_at, media_ids"
)


def open_reader(url: str, *, check: bool = True) -> StoreReader:
    """A reader for ``url``: the lean one for SQLite files and Postgres over psycopg, the full
    store for anything else. A database the lean reader cannot open or check (missing, damaged,
    at another revision, unreachable) is opened by the full store, so the error says exactly
    what the other commands say.

    Raises:
        SchemaOutdated: the database is not at this version's schema (``check``).
        StoreUnavailable: the database cannot be reached.
        StoreError: anything else wrong with it, named.
    """
    try:
        reader = _lean(url, check=check)
    except BotError:
        reader = None
    if reader is not None:
        return reader
    from bot.adapters.store.sql import SqlStore

    return SqlStore.open(url, check=check)


def _lean(url: str, *, check: bool) -> SqlReader | None:
    parts = urlsplit(url)
    if parts.scheme == "sqlite" and url.startswith("sqlite:///") and parts.path not in ("", "/:memory:"):
        path = unquote(url.removeprefix("sqlite:///").split("?")[0])
        reader = SqlReader(_open_sqlite(path), "?", sqlite3.Error, sqlite3.OperationalError)
    elif parts.scheme in ("postgresql", "postgresql+psycopg") and not parts.query:
        import psycopg

        reader = SqlReader(_open_postgres(url), "%s", psycopg.Error, psycopg.OperationalError, _Postgres())
    else:
        return None
    if check:
        try:
            reader.check_schema()
        except BaseException:
            reader.close()
            raise
    return reader


def _open_sqlite(path: str) -> sqlite3.Connection:
    if not Path(path).is_file():
        raise SchemaOutdated("the database is empty: run `bot db upgrade`")
    try:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    except sqlite3.Error as exc:
        raise StoreUnavailable(f"database unavailable: {exc}") from None
    conn.create_function("bot_sha256", 1, _sha256, deterministic=True)
    return conn


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Dialect:
    """The SQL that differs between SQLite and Postgres for :meth:`SqlReader.drafts_json`."""

    def json_object(self, fields: str) -> str:
        raise NotImplementedError

    def iso(self, column: str) -> str:
        """A naive-UTC timestamp column as Python's ``isoformat()`` of the aware value."""
        raise NotImplementedError

    def sha256(self, column: str) -> str:
        raise NotImplementedError

    def json(self, column: str) -> str:
        return column

    def draft_fields(self) -> list[tuple[str, str]]:
        """The keys of ``bot.services.queue.draft_json``, in its order, as SQL expressions."""
        return [
            ("id", "d.id"),
            ("campaign", "c.name"),
            ("state", "d.state"),
            ("origin", "d.origin"),
            ("text", "d.text"),
            ("sha256", self.sha256("d.text")),
            ("slot_at", self.iso("s.slot_at")),
            ("model_id", "d.model_id"),
            ("generation", self.json("d.generation")),
            ("checks", self.json("d.checks")),
            ("rank_score", "d.rank_score"),
            ("created_at", self.iso("d.created_at")),
            ("updated_at", self.iso("d.updated_at")),
            ("expires_at", self.iso("d.expires_at")),
            ("media", self.json_list("d.media")),
            ("media_sha256", "d.media_sha256"),
            ("slot_id", "d.slot_id"),
            ("slot_drafts", self.json_list("r.ids")),
        ]

    def slot_drafts_join(self) -> str:
        """Joins ``r.ids``: per slot, the JSON array of its drafts' ids that may still be what it
        posts (``SLOT_DRAFT_STATES``), ascending. One pass over those drafts, not one per row."""
        states = ", ".join(f"'{state.value}'" for state in SLOT_DRAFT_STATES)
        return (
            f" LEFT OUTER JOIN (SELECT slot_id, {self.id_array('id')} AS ids FROM (SELECT slot_id, id "
            f"FROM drafts WHERE state IN ({states}) AND slot_id IS NOT NULL ORDER BY slot_id, id) o "
            "GROUP BY slot_id) r ON r.slot_id = d.slot_id"
        )

    def id_array(self, column: str) -> str:
        """An aggregate: the JSON array of ``column`` in the order the rows come (ascending)."""
        raise NotImplementedError

    def json_list(self, column: str) -> str:
        """A nullable JSON list column, ``[]`` for NULL."""
        raise NotImplementedError


class _Sqlite(_Dialect):
    """Timestamps are text ``YYYY-MM-DD HH:MM:SS.ffffff``; JSON columns are text."""

    def json_object(self, fields: str) -> str:
        return f"json_object({fields})"

    def iso(self, c: str) -> str:
        # "2026-09-24 01:00:00.000000" -> "2026-09-24T01:00:00+00:00" (isoformat drops zero
        # microseconds); NULL stays NULL through substr, replace and ||
        trimmed = f"CASE WHEN substr({c}, 20) = '.000000' THEN substr({c}, 1, 19) ELSE {c} END"
        return f"replace({trimmed}, ' ', 'T') || '+00:00'"

    def sha256(self, c: str) -> str:
        return f"bot_sha256({c})"

    def json(self, c: str) -> str:
        return f"json({c})"

    def json_list(self, c: str) -> str:
        return f"COALESCE(json({c}), json('[]'))"

    def id_array(self, column: str) -> str:
        # in the order of the subquery's rows: an aggregate over a subquery with ORDER BY is
        # not flattened (SQLite's rule 16), and json_group_array has no ORDER BY before 3.44
        return f"json_group_array({column})"


class _Postgres(_Dialect):
    """Timestamps are ``timestamp without time zone``; JSON columns are ``json``."""

    def json_object(self, fields: str) -> str:
        return f"json_build_object({fields})::text"

    def iso(self, c: str) -> str:
        return (
            f"CASE WHEN {c} IS NULL THEN NULL "
            f"WHEN mod(extract(microseconds FROM {c})::bigint, 1000000) = 0 "
            f'THEN to_char({c}, \'YYYY-MM-DD"T"HH24:MI:SS"+00:00"\') '
            f'ELSE to_char({c}, \'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"\') END'
        )

    def sha256(self, c: str) -> str:
        return f"encode(sha256(convert_to({c}, 'UTF8')), 'hex')"

    def json_list(self, c: str) -> str:
        return f"COALESCE({c}, '[]'::json)"

    def id_array(self, column: str) -> str:
        return f"json_agg({column} ORDER BY {column})"


def _open_postgres(url: str) -> Any:
    import psycopg

    try:
        return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1), autocommit=True)
    except psycopg.OperationalError as exc:
        raise StoreUnavailable(f"database unavailable: {str(exc).strip().splitlines()[0]}") from None


class SqlReader:
    """:class:`~bot.domain.ports.StoreReader` over a DB-API connection (``?`` or ``%s`` style)."""

    def __init__(
        self,
        conn: Any,
        param: str,
        error: type[Exception],
        unavailable: type[Exception],
        dialect: _Dialect | None = None,
    ) -> None:
        self._conn = conn
        self._param = param
        self._dialect = dialect or _Sqlite()
        #: The driver's base error and its "cannot reach / locked" error.
        self._error = error
        self._unavailable = unavailable

    def close(self) -> None:
        self._conn.close()

    def check_schema(self) -> None:
        """Raise SchemaOutdated unless the database is at this version's revision."""
        try:
            rows = self._rows("SELECT version_num FROM alembic_version")
        except StoreError:
            raise SchemaOutdated("the database is empty: run `bot db upgrade`") from None
        current = rows[0][0] if rows else None
        if current is None:
            raise SchemaOutdated("the database is empty: run `bot db upgrade`")
        if current != schema.expected_revision():
            raise SchemaOutdated(f"the database is at revision {current}: run `bot db upgrade`")

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        if self._param != "?":
            sql = sql.replace("?", self._param)
        try:
            return list(self._conn.execute(sql, tuple(params)).fetchall())
        except self._error as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            if isinstance(exc, self._unavailable) and "no such table" not in first:
                raise StoreUnavailable(f"database unavailable: {first}") from exc
            raise StoreError(f"database error: {first}") from exc

    # -- StoreReader ----------------------------------------------------------------------

    def list_campaigns(self, *, active_only: bool = False) -> list[CampaignRecord]:
        where = " WHERE active = ?" if active_only else ""
        rows = self._rows(
            f"SELECT id, name, kind, active, spec, updated_at FROM campaigns{where} ORDER BY name",
            [True] if active_only else [],
        )
        return [
            CampaignRecord(i, name, CampaignKind(kind), bool(active), _json(spec), _utc(at))
            for i, name, kind, active, spec, at in rows
        ]

    def list_drafts(
        self,
        *,
        states: Iterable[DraftState] | None = None,
        campaign: str | None = None,
        slot_id: int | Sequence[int] | None = None,
        limit: int | None = None,
        after: int | None = None,
    ) -> list[Draft]:
        where, params = _where(
            ("d.state", [s.value for s in states] if states is not None else None),
            ("c.name", campaign or None),
            ("d.slot_id", slot_id if slot_id is None or isinstance(slot_id, int) else list(slot_id)),
            ("d.id >", after),
        )
        joined = "FROM drafts d JOIN campaigns c ON c.id = d.campaign_id"
        if limit:
            # The first ids, then only those rows: ordering every open draft's whole row to
            # keep 200 took 30+ ms with 10,000 drafts (bench/web.py). Without a campaign the
            # ids come from the state index alone, without reading a row.
            first = f"SELECT d.id {joined if campaign else 'FROM drafts d'}{where} ORDER BY d.id"
            where = f" WHERE d.id IN ({first}{_limit(limit, params)})"
        slots = "LEFT OUTER JOIN slots s ON s.id = d.slot_id"
        sql = f"SELECT {_DRAFT_COLUMNS} {joined} {slots}{where} ORDER BY d.id"
        return [_draft(row) for row in self._rows(sql, params)]

    def drafts_json(
        self,
        *,
        states: Iterable[DraftState] | None = None,
        campaign: str | None = None,
        limit: int | None = None,
    ) -> str:
        """The drafts :meth:`list_drafts` returns, as the JSON array of the queue's read model
        (``bot.services.queue.draft_json``), written by the database itself: 10,000 drafts
        list in a few tens of milliseconds. The contract tests compare the two."""
        where, params = _where(
            ("d.state", [s.value for s in states] if states is not None else None),
            ("c.name", campaign or None),
        )
        fields = ", ".join(f"'{key}', {expr}" for key, expr in self._dialect.draft_fields())
        sql = (
            f"SELECT {self._dialect.json_object(fields)} FROM drafts d "
            "JOIN campaigns c ON c.id = d.campaign_id LEFT OUTER JOIN slots s ON s.id = d.slot_id"
            f"{self._dialect.slot_drafts_join()}{where} ORDER BY d.id{_limit(limit, params)}"
        )
        return "[" + ",".join(row[0] for row in self._rows(sql, params)) + "]"

    def list_publications(
        self,
        *,
        states: Iterable[PublicationState] | None = None,
        draft_id: int | None = None,
        account: str | None = None,
        limit: int | None = None,
    ) -> list[Publication]:
        where, params = _where(
            ("state", [s.value for s in states] if states is not None else None),
            ("draft_id", draft_id),
            ("account", account),
        )
        sql = f"SELECT {_PUBLICATION_COLUMNS} FROM publications{where} ORDER BY id{_limit(limit, params)}"
        return [_publication(row) for row in self._rows(sql, params)]

    def events(
        self, *, entity: str | None = None, entity_id: int | None = None, limit: int = 100
    ) -> list[Event]:
        where, params = _where(("entity", entity or None), ("entity_id", entity_id))
        params.append(limit)
        rows = self._rows(
            "SELECT id, at, actor, entity, entity_id, from_state, to_state, reason, details "
            f"FROM events{where} ORDER BY id DESC LIMIT ?",
            params,
        )
        return [
            Event(i, _utc(at), actor, ent, eid, old, new, reason, _json(details))
            for i, at, actor, ent, eid, old, new, reason, details in reversed(rows)
        ]

    def list_daemons(self) -> list[DaemonInfo]:
        rows = self._rows(
            "SELECT worker_id, host, pid, started_at, heartbeat_at, state, details FROM daemons "
            "ORDER BY heartbeat_at DESC"
        )
        return [
            DaemonInfo(worker, host, pid, _utc(started), _utc(beat), state, _json(details))
            for worker, host, pid, started, beat, state, details in rows
        ]

    def queue_sizes(self) -> dict[str, dict[str, int]]:
        return {
            table: dict(self._rows(f"SELECT state, COUNT(*) FROM {table} GROUP BY state"))
            for table in ("drafts", "publications", "slots")
        }

    def paused_accounts(self) -> dict[str, str]:
        rows = self._rows("SELECT account, paused_reason FROM account_states WHERE paused_reason IS NOT NULL")
        return {account: reason or "" for account, reason in rows}


def _where(*conditions: tuple[str, Any]) -> tuple[str, list[Any]]:
    """`` WHERE a = ? AND b IN (?, ?) AND c > ?`` for the conditions whose value is not None (a
    column ending in ``>`` or ``<`` is compared so)."""
    clauses, params = [], []
    for column, value in conditions:
        if value is None:
            continue
        if isinstance(value, list):
            if not value:
                clauses.append("1 = 0")
                continue
            clauses.append(f"{column} IN ({', '.join('?' * len(value))})")
            params.extend(value)
        else:
            clauses.append(f"{column} ?" if column.endswith((">", "<")) else f"{column} = ?")
            params.append(value)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def _limit(limit: int | None, params: list[Any]) -> str:
    if not limit:
        return ""
    params.append(limit)
    return " LIMIT ?"


def _utc(value: Any) -> Any:
    """Naive UTC (a datetime from psycopg, text from sqlite3) -> aware UTC; None stays None."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _json(value: Any) -> Any:
    """JSON columns: text from sqlite3, already decoded from psycopg."""
    return json.loads(value) if isinstance(value, str | bytes) else value


def _draft(row: Sequence[Any]) -> Draft:
    (
        i,
        cid,
        name,
        slot_id,
        slot_at,
        text,
        state,
        origin,
        model,
        gen,
        checks,
        score,
        created,
        updated,
        exp,
        media,
    ) = row
    return Draft(
        id=i,
        campaign_id=cid,
        campaign_name=name,
        slot_id=slot_id,
        slot_at=_utc(slot_at),
        text=text,
        state=DraftState(state),
        origin=DraftOrigin(origin),
        model_id=model,
        generation=_json(gen),
        checks=_json(checks),
        rank_score=score,
        created_at=_utc(created),
        updated_at=_utc(updated),
        expires_at=_utc(exp),
        media=media_from_json(_json(media)),
    )


def _publication(row: Sequence[Any]) -> Publication:
    (i, draft, account, platform, state, not_before, attempts, by, until, sending, key, remote, url, error,
     created, updated, published, first_sent, last_sent, check_tries, check_at, media_ids) = row  # fmt: skip
    ids = _json(media_ids)
    return Publication(
        id=i,
        draft_id=draft,
        account=account,
        platform=platform,
        state=PublicationState(state),
        not_before=_utc(not_before),
        attempts=attempts,
        claimed_by=by,
        claimed_until=_utc(until),
        sending_at=_utc(sending),
        idempotency_key=key,
        remote_id=remote,
        url=url,
        last_error=error,
        created_at=_utc(created),
        updated_at=_utc(updated),
        published_at=_utc(published),
        first_sent_at=_utc(first_sent),
        last_sent_at=_utc(last_sent),
        check_tries=check_tries or 0,
        check_at=_utc(check_at),
        media_ids=tuple(ids) if ids is not None else None,
    )
