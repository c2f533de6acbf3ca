"""Stories: rows written by the clustering stage, listed newest activity first."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from newsbrief.adapters.storage._articles import article_from_row
from newsbrief.adapters.storage._base import (
    StorageBase,
    check_limit,
    cursor_time,
    decode_cursor,
    encode_cursor,
)
from newsbrief.adapters.storage._tables import articles, stories
from newsbrief.storage_records import Page, StoredArticle, StoryRow

S = stories
A = articles
_STREAM_BATCH = 500


class StoriesMixin(StorageBase):
    """Story rows and the articles in them."""

    def upsert_story(self, row: StoryRow, /) -> None:
        """Insert or replace one story."""
        self.upsert_stories([row])

    def upsert_stories(self, rows: Iterable[StoryRow], /) -> None:
        """Insert or replace many stories in one transaction."""
        params = [_story_values(r) for r in rows]
        if not params:
            return
        insert = (sqlite.insert if self.dialect == "sqlite" else postgresql.insert)(S)
        updated = {c.name: insert.excluded[c.name] for c in S.columns if c.name != "id"}
        stmt = insert.on_conflict_do_update(index_elements=[S.c.id], set_=updated)
        with self._write() as conn:
            conn.execute(stmt, params)

    def get_story(self, story_id: str, /) -> StoryRow | None:
        """The story with this id, else None."""
        with self._read() as conn:
            row = conn.execute(sa.select(S).where(S.c.id == story_id)).first()
        return _story_from_row(row) if row else None

    def list_stories(
        self, *, limit: int = 20, cursor: str | None = None, since: datetime | None = None
    ) -> Page[StoryRow]:
        """Stories, newest activity first, updated at or after ``since`` when given."""
        query = sa.select(S).order_by(S.c.last_updated.desc(), S.c.id.desc())
        if since is not None:
            query = query.where(S.c.last_updated >= since)
        if cursor:
            when, last_id = decode_cursor(cursor, 2)
            at = cursor_time(when)
            older = sa.and_(S.c.last_updated == at, S.c.id < str(last_id))
            query = query.where(sa.or_(S.c.last_updated < at, older))
        with self._read() as conn:
            rows = conn.execute(query.limit(check_limit(limit) + 1)).all()
        items = tuple(_story_from_row(r) for r in rows[:limit])
        more = len(rows) > limit
        return Page(items, encode_cursor(items[-1].last_updated, items[-1].id) if more else None)

    def iter_stories(self) -> Iterator[StoryRow]:
        """Every story (by id), read in short batches."""
        last = ""
        while True:
            query = sa.select(S).where(S.c.id > last).order_by(S.c.id).limit(_STREAM_BATCH)
            with self._read() as conn:
                rows = conn.execute(query).all()
            yield from (_story_from_row(r) for r in rows)
            if len(rows) < _STREAM_BATCH:
                return
            last = rows[-1].id

    def story_articles(self, story_id: str, /) -> list[StoredArticle]:
        """The articles of a story, oldest first (its timeline)."""
        query = sa.select(A).where(A.c.story_id == story_id).order_by(A.c.dated_at, A.c.seq)
        with self._read() as conn:
            return [article_from_row(r) for r in conn.execute(query)]

    def delete_story(self, story_id: str, /) -> None:
        """Remove a story; its articles are left in no story."""
        with self._write() as conn:
            conn.execute(A.update().where(A.c.story_id == story_id).values(story_id=None))
            conn.execute(S.delete().where(S.c.id == story_id))

    def clear_stories(self) -> None:
        """Remove every story and every article's story link (before a full recluster)."""
        with self._write() as conn:
            conn.execute(A.update().where(A.c.story_id.is_not(None)).values(story_id=None))
            conn.execute(S.delete())

    def count_stories(self) -> int:
        """How many stories are stored."""
        with self._read() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(S)).scalar_one())


def _story_values(row: StoryRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "title": row.title,
        "first_seen": row.first_seen,
        "last_updated": row.last_updated,
        "brief": dict(row.brief),
        "outlet_count": row.outlet_count,
        "article_count": row.article_count,
    }


def _story_from_row(row: sa.Row[Any]) -> StoryRow:
    return StoryRow(**dict(row._mapping))
