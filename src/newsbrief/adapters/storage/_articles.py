"""Articles: idempotent upserts that keep earlier versions, lookups, lists, streams."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from newsbrief.adapters.storage._base import (
    StorageBase,
    check_limit,
    cursor_time,
    decode_cursor,
    encode_cursor,
)
from newsbrief.adapters.storage._entities import ENTITY_LOCK, index_article
from newsbrief.adapters.storage._tables import article_versions, articles
from newsbrief.storage_records import (
    ArticleVersion,
    NewArticle,
    Page,
    StoredArticle,
    UpsertResult,
    brief_from_dict,
)

A = articles
V = article_versions
_INSERT = A.insert()
_STREAM_BATCH = 500


class ArticlesMixin(StorageBase):
    """Article rows, their earlier versions, and their story links."""

    def upsert_article(self, rec: NewArticle, /) -> UpsertResult:
        """Store one article in one transaction.

        Keyed by URL (else by content id): a new key is ``"added"``; the same key with the same
        fingerprint is ``"unchanged"`` and writes nothing; the same key with a new text is
        ``"updated"`` in place, the old text being kept in :meth:`article_versions`. The
        article's entities and mentions are (re)indexed in the same transaction.
        """
        with self._write() as conn:
            return self._upsert(conn, rec)

    def upsert_articles(self, recs: Iterable[NewArticle], /) -> list[UpsertResult]:
        """Like :meth:`upsert_article` for many articles, all in one transaction."""
        with self._write() as conn:
            return [self._upsert(conn, rec) for rec in recs]

    def _upsert(self, conn: sa.Connection, rec: NewArticle) -> UpsertResult:
        self._lock(conn, ENTITY_LOCK)  # first, always: see _entities (no lock-order deadlock)
        self._lock(conn, rec.url or rec.id)
        key = sa.or_(A.c.url == rec.url, A.c.id == rec.id) if rec.url else A.c.id == rec.id
        old = conn.execute(sa.select(A.c.id, A.c.fingerprint, A.c.ingested_at).where(key)).first()
        now = self._now()
        if old is None:
            values = _values(rec, now, ingested_at=now)
            conn.execute(_INSERT, {**values, "id": rec.id, "ingested_at": now, "version": 1})
            index_article(conn, rec.id, rec.brief, rec.text)
            return "added"
        if old.fingerprint == rec.fingerprint:
            return "unchanged"
        _keep_version(conn, old.id, now)
        values = _values(rec, now, ingested_at=old.ingested_at)
        conn.execute(A.update().where(A.c.id == old.id).values(version=A.c.version + 1), values)
        index_article(conn, old.id, rec.brief, rec.text)
        return "updated"

    def get_article(self, article_id: str, /) -> StoredArticle | None:
        """The article with this id, else None."""
        with self._read() as conn:
            row = conn.execute(sa.select(A).where(A.c.id == article_id)).first()
        return article_from_row(row) if row else None

    def get_article_by_url(self, url: str, /) -> StoredArticle | None:
        """The article stored for this canonical URL, else None."""
        with self._read() as conn:
            row = conn.execute(sa.select(A).where(A.c.url == url)).first()
        return article_from_row(row) if row else None

    def list_articles(
        self, *, limit: int = 20, cursor: str | None = None, since: datetime | None = None
    ) -> Page[StoredArticle]:
        """Articles, newest first by publication date (else ingest time), from ``since`` on."""
        query = sa.select(A).order_by(A.c.dated_at.desc(), A.c.seq.desc())
        if since is not None:
            query = query.where(A.c.dated_at >= since)
        if cursor:
            when, seq = decode_cursor(cursor, 2)
            at = cursor_time(when)
            query = query.where(
                sa.or_(A.c.dated_at < at, sa.and_(A.c.dated_at == at, A.c.seq < seq))
            )
        with self._read() as conn:
            rows = conn.execute(query.limit(check_limit(limit) + 1)).all()
        items = tuple(article_from_row(r) for r in rows[:limit])
        more = len(rows) > limit
        return Page(items, encode_cursor(items[-1].dated_at, items[-1].seq) if more else None)

    def article_versions(self, article_id: str, /) -> list[ArticleVersion]:
        """Earlier texts of an article, oldest first (the current one is not included)."""
        query = sa.select(V).where(V.c.article_id == article_id).order_by(V.c.version)
        with self._read() as conn:
            rows = conn.execute(query).all()
        return [_version_from_row(r) for r in rows]

    def articles_with_fingerprint(self, fingerprint: str, /) -> list[str]:
        """Ids of the articles whose normalised text has this fingerprint, in ingest order."""
        query = sa.select(A.c.id).where(A.c.fingerprint == fingerprint).order_by(A.c.seq)
        with self._read() as conn:
            return list(conn.execute(query).scalars())

    def set_story(self, article_id: str, story_id: str | None, /) -> None:
        """Put an article in a story (None takes it out of any)."""
        self.set_stories([(article_id, story_id)])

    def set_stories(self, pairs: Iterable[tuple[str, str | None]], /) -> None:
        """Many ``(article_id, story_id)`` assignments in one transaction."""
        stmt = A.update().where(A.c.id == sa.bindparam("aid")).values(story_id=sa.bindparam("sid"))
        params = [{"aid": a, "sid": s} for a, s in pairs]
        if params:
            with self._write() as conn:
                conn.execute(stmt, params)

    def count_articles(self) -> int:
        """How many articles are stored."""
        with self._read() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(A)).scalar_one())

    def all_articles_in_order(self, *, after_seq: int = 0) -> Iterator[StoredArticle]:
        """Every article in ingest order (for reclustering), read in short batches."""
        while True:
            query = sa.select(A).where(A.c.seq > after_seq).order_by(A.c.seq)
            with self._read() as conn:
                rows = conn.execute(query.limit(_STREAM_BATCH)).all()
            yield from (article_from_row(r) for r in rows)
            if len(rows) < _STREAM_BATCH:
                return
            after_seq = rows[-1].seq

    def iter_export(self) -> Iterator[StoredArticle]:
        """Everything stored, article by article in ingest order, streamed."""
        return self.all_articles_in_order()


def _values(rec: NewArticle, now: datetime, *, ingested_at: datetime) -> dict[str, Any]:
    brief = rec.brief
    published_at = parse_published(brief.published)
    return {
        "url": rec.url,
        "title": brief.title,
        "source_name": brief.source.name,
        "source_domain": brief.source.domain,
        "published": brief.published,
        "published_at": published_at,
        "dated_at": published_at or ingested_at,
        "fetched_at": rec.fetched_at,
        "updated_at": now,
        "language": brief.language,
        "word_count": brief.word_count,
        "text": rec.text,
        "paragraphs": list(rec.paragraphs),
        "brief": brief.to_dict(),
        "fingerprint": rec.fingerprint,
        "minhash": rec.minhash,
        "fetch_status": rec.fetch_status,
        "etag": rec.etag,
        "last_modified": rec.last_modified,
        "duplicate_of": rec.duplicate_of,
    }


def _keep_version(conn: sa.Connection, article_id: str, now: datetime) -> None:
    cols = (A.c.id, A.c.version, A.c.title, A.c.text, A.c.brief, A.c.fingerprint)
    source = sa.select(*cols, sa.literal(now, V.c.replaced_at.type)).where(A.c.id == article_id)
    names = ["article_id", "version", "title", "text", "brief", "fingerprint", "replaced_at"]
    conn.execute(V.insert().from_select(names, source))


def parse_published(value: str | None) -> datetime | None:
    """An ISO 8601 date or datetime as UTC (dates at midnight, naive times as UTC), else None."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def article_from_row(row: sa.Row[Any]) -> StoredArticle:
    """A StoredArticle from a full ``articles`` row."""
    m = row._mapping
    return StoredArticle(
        **{k: m[k] for k in _PLAIN},
        paragraphs=tuple(m["paragraphs"]),
        brief=brief_from_dict(m["brief"]),
        minhash=bytes(m["minhash"]) if m["minhash"] is not None else None,
    )


_PLAIN = tuple(c.name for c in A.columns if c.name not in ("paragraphs", "brief", "minhash"))


def _version_from_row(row: sa.Row[Any]) -> ArticleVersion:
    m = row._mapping
    return ArticleVersion(
        article_id=m["article_id"],
        version=m["version"],
        title=m["title"],
        text=m["text"],
        brief=brief_from_dict(m["brief"]),
        fingerprint=m["fingerprint"],
        replaced_at=m["replaced_at"],
    )
