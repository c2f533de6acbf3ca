"""Connections, transactions and cursors shared by the storage mixins.

SQLite: WAL, ``foreign_keys=ON``, a busy timeout, and explicit transactions (pysqlite's own
implicit ones are switched off, so DDL and triggers are transactional too): reads run in
``BEGIN``, writes in ``BEGIN IMMEDIATE`` so that writers queue instead of failing half-way.
PostgreSQL goes through psycopg 3 with the default READ COMMITTED isolation; writers that
must not race take a transaction-scoped advisory lock.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import sqlalchemy as sa
from sqlalchemy.pool import StaticPool

from newsbrief.errors import InputError, StorageError

MINIMUM_SQLITE_VERSION = (3, 24, 0)
"""UPSERT (``ON CONFLICT DO UPDATE``) arrived in 3.24; FTS5 must be compiled in."""
BUSY_TIMEOUT_MS = 30_000
_WRITE = "newsbrief_write"

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def create_engine(url: str) -> sa.Engine:
    """A SQLAlchemy engine for a ``sqlite:///`` or ``postgresql://`` URL, configured for us."""
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise InputError(f"not a database URL: {url!r}") from exc
    backend, driver = parsed.get_backend_name(), parsed.get_driver_name()
    if backend == "sqlite" and driver in ("", "pysqlite"):
        return _sqlite_engine(parsed)
    if backend in ("postgresql", "postgres") and driver in ("", "psycopg", "psycopg2"):
        engine = sa.create_engine(parsed.set(drivername="postgresql+psycopg"), pool_pre_ping=True)
        sa.event.listen(engine, "begin", _begin_postgres)
        return engine
    raise InputError(f"unsupported database {parsed.drivername!r}: use sqlite:/// or postgresql://")


def _sqlite_engine(url: sa.URL) -> sa.Engine:
    _check_sqlite_version()
    memory = url.database in (None, "", ":memory:")
    options: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
    if memory:
        options["poolclass"] = StaticPool
    else:
        Path(str(url.database)).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url.set(drivername="sqlite+pysqlite"), **options)
    sa.event.listen(engine, "connect", _connect_sqlite)
    sa.event.listen(engine, "begin", _begin_sqlite)
    return engine


def _check_sqlite_version() -> None:
    if sqlite3.sqlite_version_info < MINIMUM_SQLITE_VERSION:
        wanted = ".".join(map(str, MINIMUM_SQLITE_VERSION))
        raise StorageError(f"SQLite {sqlite3.sqlite_version} is too old; Newsbrief needs {wanted}+")


def _connect_sqlite(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see _begin_sqlite)
    cur = dbapi_conn.cursor()
    try:
        if cur.execute("PRAGMA journal_mode = WAL").fetchone() is None:
            raise StorageError("could not switch SQLite to WAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous = NORMAL")
    finally:
        cur.close()


def _begin_sqlite(conn: sa.Connection) -> None:
    mode = "IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


def _begin_postgres(conn: sa.Connection) -> None:
    """Nothing to do: psycopg opens the transaction on the first statement."""


def check_fts5(conn: sa.Connection) -> None:
    """Fail clearly when SQLite was built without FTS5."""
    try:
        conn.exec_driver_sql("CREATE VIRTUAL TABLE temp.newsbrief_fts5_probe USING fts5(x)")
        conn.exec_driver_sql("DROP TABLE temp.newsbrief_fts5_probe")
    except sa.exc.OperationalError as exc:
        raise StorageError(f"SQLite {sqlite3.sqlite_version} lacks FTS5, which is needed") from exc


class StorageBase:
    """An engine, a clock, and the two ways of using a connection: read or write."""

    def __init__(self, engine: sa.Engine, *, clock: Clock = utcnow) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._now = clock

    @contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        """A connection in a read transaction (rolled back at the end)."""
        with _storage_errors(), self.engine.connect() as conn:
            yield conn

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        """A connection in a write transaction: committed on success, else rolled back."""
        with _storage_errors(), self.engine.connect() as conn:
            conn = conn.execution_options(**{_WRITE: True})
            with conn.begin():  # SQLite: BEGIN IMMEDIATE, the write lock is held
                yield conn

    def _lock(self, conn: sa.Connection, key: str) -> None:
        """Serialise writers of one key (PostgreSQL; SQLite has one writer at a time)."""
        if self.dialect == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": key})

    def close(self) -> None:
        """Release every connection."""
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextmanager
def _storage_errors() -> Iterator[None]:
    try:
        yield
    except sa.exc.DBAPIError as exc:
        raise StorageError(f"database error: {exc.orig}") from exc
    except sa.exc.SQLAlchemyError as exc:
        raise StorageError(f"database error: {exc}") from exc


def encode_cursor(*key: Any) -> str:
    """An opaque cursor for the sort key of the last item of a page."""
    raw = json.dumps([k.isoformat() if isinstance(k, datetime) else k for k in key])
    return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, n: int) -> list[Any]:
    """The ``n`` values of a cursor made by :func:`encode_cursor`; InputError if it is bad."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw.decode("utf-8"))
    except ValueError as exc:
        raise InputError(f"invalid cursor: {cursor!r}") from exc
    if not isinstance(key, list) or len(key) != n:
        raise InputError(f"invalid cursor: {cursor!r}")
    return key


def cursor_time(value: Any) -> datetime:
    """A datetime from a decoded cursor value."""
    try:
        return datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise InputError("invalid cursor") from exc


def check_limit(limit: int) -> int:
    """Limits are 1..1000."""
    if not 1 <= limit <= 1000:
        raise InputError(f"limit must be between 1 and 1000, not {limit}")
    return limit
