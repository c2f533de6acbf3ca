"""The SQL store: one class for SQLite and PostgreSQL, assembled from per-domain mixins.

    >>> store = open_storage("sqlite:///news.db")     # doctest: +SKIP
    >>> store.upsert_article(new_article)             # doctest: +SKIP
    'added'

Opening a store creates the database if needed and runs any pending migration.
"""

from __future__ import annotations

import sqlalchemy as sa

from newsbrief.adapters.storage import _schema
from newsbrief.adapters.storage._articles import ArticlesMixin
from newsbrief.adapters.storage._base import Clock, check_fts5, create_engine, utcnow
from newsbrief.adapters.storage._entities import EntitiesMixin
from newsbrief.adapters.storage._feeds import FeedsMixin
from newsbrief.adapters.storage._search import SearchMixin
from newsbrief.adapters.storage._stories import StoriesMixin
from newsbrief.errors import StorageError


class SqlStorage(ArticlesMixin, StoriesMixin, SearchMixin, FeedsMixin, EntitiesMixin):
    """Newsbrief's store on SQLite or PostgreSQL (implements :class:`newsbrief.ports.Storage`)."""

    def __init__(self, engine: sa.Engine, *, clock: Clock = utcnow) -> None:
        super().__init__(engine, clock=clock)
        with self._write() as conn:
            if self.dialect == "sqlite":
                check_fts5(conn)
            _schema.migrate(conn)

    @property
    def schema_version(self) -> int:
        """The schema version of the open database."""
        with self._read() as conn:
            return _schema.schema_version(conn)

    def integrity_errors(self) -> list[str]:
        """Problems found by the database's own checks (empty when all is well)."""
        with self._write() as conn:  # FTS5's integrity-check is issued as a write
            if self.dialect == "sqlite":
                return _sqlite_integrity(conn)
        return []


def _sqlite_integrity(conn: sa.Connection) -> list[str]:
    problems = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check") if r[0] != "ok"]
    problems += [
        f"foreign key: {tuple(r)}" for r in conn.exec_driver_sql("PRAGMA foreign_key_check")
    ]
    try:
        conn.exec_driver_sql("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
    except sa.exc.DatabaseError as exc:
        problems.append(f"full-text index: {exc.orig}")
    return problems


def open_storage(url: str, *, clock: Clock = utcnow) -> SqlStorage:
    """Open (creating and migrating as needed) the store at a SQLAlchemy-style URL.

    ``sqlite:///path.db`` (``sqlite://`` is in memory) or ``postgresql://user:pw@host/db``
    (served by psycopg 3; add ``?options=-csearch_path%3Dmyschema`` to use another schema).
    ``clock`` gives the ingest and update times (tests pass a fake one).
    """
    engine = create_engine(url)
    try:
        return SqlStorage(engine, clock=clock)
    except BaseException:
        engine.dispose()
        raise


__all__ = ["SqlStorage", "StorageError", "open_storage"]
