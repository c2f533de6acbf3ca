"""Fetch state of feeds and pages (for conditional GETs) and ingest run reports."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from newsbrief.adapters.storage._base import StorageBase, check_limit
from newsbrief.adapters.storage._tables import feeds, runs
from newsbrief.storage_records import FeedState, RunRecord


class FeedsMixin(StorageBase):
    """The ``feeds`` and ``runs`` tables."""

    def get_feed_state(self, url: str, /) -> FeedState | None:
        """What the last fetch of ``url`` returned, else None."""
        with self._read() as conn:
            row = conn.execute(sa.select(feeds).where(feeds.c.url == url)).first()
        return FeedState(**dict(row._mapping)) if row else None

    def set_feed_state(self, state: FeedState, /) -> None:
        """Remember the validators and status of the latest fetch of ``state.url``."""
        values: dict[str, Any] = {
            "url": state.url,
            "etag": state.etag,
            "last_modified": state.last_modified,
            "last_fetched": state.last_fetched or self._now(),
            "last_status": state.last_status,
        }
        insert = (sqlite.insert if self.dialect == "sqlite" else postgresql.insert)(feeds)
        updated = {k: insert.excluded[k] for k in values if k != "url"}
        stmt = insert.on_conflict_do_update(index_elements=[feeds.c.url], set_=updated)
        with self._write() as conn:
            conn.execute(stmt, values)

    def record_run(self, run: RunRecord, /) -> int:
        """Store an ingest report; returns its id."""
        values = {
            "started_at": run.started_at,
            "finished_at": run.finished_at,
            "counts": dict(run.counts),
            "errors": list(run.errors),
        }
        with self._write() as conn:
            result = conn.execute(runs.insert().values(**values))
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    def list_runs(self, *, limit: int = 20) -> list[RunRecord]:
        """The latest ingest reports, newest first."""
        query = sa.select(runs).order_by(runs.c.started_at.desc(), runs.c.id.desc())
        with self._read() as conn:
            rows = conn.execute(query.limit(check_limit(limit))).all()
        return [_run_from_row(r) for r in rows]


def _run_from_row(row: sa.Row[Any]) -> RunRecord:
    m = row._mapping
    return RunRecord(
        id=m["id"],
        started_at=m["started_at"],
        finished_at=m["finished_at"],
        counts=dict(m["counts"]),
        errors=tuple(m["errors"]),
    )
