"""SQLAlchemy Core descriptions of the tables, as they are at the latest schema version.

Queries are built from these; the tables themselves are created by the migrations in
:mod:`._schema` (search columns, which differ by dialect, are not described here).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

metadata = sa.MetaData()


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both dialects (SQLite keeps them as naive UTC text)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


Json = sa.JSON().with_variant(JSONB(), "postgresql")
Blob = sa.LargeBinary()

articles = sa.Table(
    "articles",
    metadata,
    sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
    sa.Column("id", sa.Text, nullable=False, unique=True),
    sa.Column("url", sa.Text, unique=True),
    sa.Column("title", sa.Text),
    sa.Column("source_name", sa.Text),
    sa.Column("source_domain", sa.Text),
    sa.Column("published", sa.Text),
    sa.Column("published_at", UTCDateTime),
    sa.Column("dated_at", UTCDateTime, nullable=False),
    sa.Column("fetched_at", UTCDateTime),
    sa.Column("ingested_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("language", sa.Text),
    sa.Column("word_count", sa.Integer, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("paragraphs", Json, nullable=False),
    sa.Column("brief", Json, nullable=False),
    sa.Column("fingerprint", sa.Text, nullable=False),
    sa.Column("minhash", Blob),
    sa.Column("fetch_status", sa.Integer),
    sa.Column("etag", sa.Text),
    sa.Column("last_modified", sa.Text),
    sa.Column("duplicate_of", sa.Text),
    sa.Column("story_id", sa.Text),
    sa.Column("version", sa.Integer, nullable=False),
)

article_versions = sa.Table(
    "article_versions",
    metadata,
    sa.Column("article_id", sa.Text, primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("title", sa.Text),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("brief", Json, nullable=False),
    sa.Column("fingerprint", sa.Text, nullable=False),
    sa.Column("replaced_at", UTCDateTime, nullable=False),
)

stories = sa.Table(
    "stories",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("title", sa.Text),
    sa.Column("first_seen", UTCDateTime, nullable=False),
    sa.Column("last_updated", UTCDateTime, nullable=False),
    sa.Column("brief", Json, nullable=False),
    sa.Column("outlet_count", sa.Integer, nullable=False),
    sa.Column("article_count", sa.Integer, nullable=False),
)

feeds = sa.Table(
    "feeds",
    metadata,
    sa.Column("url", sa.Text, primary_key=True),
    sa.Column("etag", sa.Text),
    sa.Column("last_modified", sa.Text),
    sa.Column("last_fetched", UTCDateTime),
    sa.Column("last_status", sa.Integer),
)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("finished_at", UTCDateTime),
    sa.Column("counts", Json, nullable=False),
    sa.Column("errors", Json, nullable=False),
)

entities = sa.Table(
    "entities",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("aliases", Json, nullable=False),
    sa.Column("merged_into", sa.Text),
)

entity_aliases = sa.Table(
    "entity_aliases",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("entity_id", sa.Text, primary_key=True),
)

entity_mentions = sa.Table(
    "entity_mentions",
    metadata,
    sa.Column("article_id", sa.Text, primary_key=True),
    sa.Column("local_id", sa.Text, primary_key=True),
    sa.Column("role", sa.Text, primary_key=True),
    sa.Column("entity_id", sa.Text, nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
)
