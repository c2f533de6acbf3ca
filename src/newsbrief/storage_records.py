"""Internal records of the storage layer (what goes into and comes out of a ``Storage``).

These sit beside the public records of :mod:`newsbrief.records`: the engine builds a
:class:`NewArticle` from a brief and its body, the store hands back :class:`StoredArticle`
rows, and stories travel as :class:`StoryRow`. Lists come back as a :class:`Page` with an
opaque cursor for the next page.

Search snippets mark matched words with :data:`HIGHLIGHT_START` and :data:`HIGHLIGHT_END`
(plain text, so the CLI can print them as they are; the web layer escapes the snippet and then
turns the pair into ``<mark>``); :data:`ELLIPSIS` joins fragments.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import cached_property
from typing import Any, Generic, Literal, TypeVar

from newsbrief.pipeline.text import normalize
from newsbrief.records import (
    AggregatorCard,
    Brief,
    Entities,
    ImageInfo,
    Outlet,
    Relation,
    Statement,
)

HIGHLIGHT_START = "⟦"
"""Opens a matched word in a search snippet (U+27E6)."""
HIGHLIGHT_END = "⟧"
"""Closes a matched word in a search snippet (U+27E7)."""
ELLIPSIS = "…"
"""Marks text left out of a search snippet."""

UpsertResult = Literal["added", "unchanged", "updated"]
T = TypeVar("T")


def fingerprint(text: str) -> str:
    """SHA-256 of the normalised text: equal for copies that differ only in case/punctuation."""
    return hashlib.sha256(normalize(text).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, newest first unless said otherwise."""

    items: tuple[T, ...]
    next: str | None = None
    """Opaque cursor for the following page; None on the last page."""


@dataclass(frozen=True)
class NewArticle:
    """An article to store: its brief and body, plus what the fetch and dedup stages learnt."""

    brief: Brief
    paragraphs: tuple[str, ...]
    fetched_at: datetime | None = None
    """When the document was fetched (timezone-aware)."""
    minhash: bytes | None = None
    """Packed MinHash signature for near-duplicate detection, when the engine computed one."""
    fetch_status: int | None = None
    """HTTP status of the fetch, when it came from the network."""
    etag: str | None = None
    last_modified: str | None = None
    duplicate_of: str | None = None
    """Id of an already stored article this one copies (wire copies), else None."""

    @property
    def id(self) -> str:
        return self.brief.id

    @property
    def url(self) -> str | None:
        return self.brief.url

    @cached_property
    def text(self) -> str:
        """The body: paragraphs separated by one blank line."""
        return "\n\n".join(self.paragraphs)

    @cached_property
    def fingerprint(self) -> str:
        """:func:`fingerprint` of the body (computed once)."""
        return fingerprint(self.text)


@dataclass(frozen=True)
class StoredArticle:
    """An article as stored, with the storage's own bookkeeping."""

    id: str
    seq: int
    """Ingest order: increases with every new article (never reused)."""
    url: str | None
    title: str | None
    source_name: str | None
    source_domain: str | None
    published: str | None
    """The publication date as extracted (ISO 8601), else None."""
    published_at: datetime | None
    """``published`` parsed to UTC, when it could be parsed."""
    dated_at: datetime
    """``published_at``, else ``ingested_at``: the article's time for lists and digests."""
    fetched_at: datetime | None
    ingested_at: datetime
    updated_at: datetime
    language: str | None
    word_count: int
    text: str
    paragraphs: tuple[str, ...]
    brief: Brief
    fingerprint: str
    minhash: bytes | None
    fetch_status: int | None
    etag: str | None
    last_modified: str | None
    duplicate_of: str | None
    story_id: str | None
    version: int
    """1 for the first text seen; increased each time the text at the URL changed."""


@dataclass(frozen=True)
class ArticleVersion:
    """An earlier text of an article, kept when the outlet changed it."""

    article_id: str
    version: int
    title: str | None
    text: str
    brief: Brief
    fingerprint: str
    replaced_at: datetime


@dataclass(frozen=True)
class StoryRow:
    """A story as stored: its brief is the SPEC's Story JSON, kept as a mapping."""

    id: str
    title: str | None
    first_seen: datetime
    last_updated: datetime
    brief: Mapping[str, Any] = field(default_factory=dict)
    outlet_count: int = 0
    article_count: int = 0


@dataclass(frozen=True)
class SearchHit:
    """One full-text search result; ``snippet`` carries the highlight markers."""

    id: str
    url: str | None
    title: str | None
    source: str | None
    published: str | None
    snippet: str
    score: float
    """Relevance, higher is better (only comparable within one search)."""


@dataclass(frozen=True)
class FeedState:
    """What the last fetch of a feed or page told us, for conditional GETs."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    last_fetched: datetime | None = None
    last_status: int | None = None


@dataclass(frozen=True)
class RunRecord:
    """The report of one ingest run."""

    started_at: datetime
    finished_at: datetime | None = None
    counts: Mapping[str, int] = field(default_factory=dict)
    """E.g. ``{"added": 3, "unchanged": 10, "updated": 1, "failed": 2}``."""
    errors: tuple[str, ...] = ()
    id: int | None = None
    """Set by the store."""


@dataclass(frozen=True)
class StoredEntity:
    """One real-world entity followed across the stored articles."""

    id: str
    """``<kind>:<slug>``, e.g. ``person:vladimir-putin`` (see :mod:`newsbrief.pipeline.resolve`)."""
    kind: str
    """``person``, ``org``, ``country``, ``place`` or ``group``."""
    name: str
    """The canonical name."""
    aliases: tuple[str, ...] = ()
    """Every form it was named by, first seen first (accumulated over articles)."""
    articles: int = 0
    """How many stored articles mention it."""
    merged: tuple[str, ...] = ()
    """Ids that were merged into this one (a surname-only id once the full name was seen)."""


@dataclass(frozen=True)
class EntityArticle:
    """One stored article that mentions an entity, with its date and story."""

    article_id: str
    story_id: str | None
    title: str | None
    source: str | None
    """Outlet name, else its domain."""
    url: str | None
    published: str | None
    dated_at: datetime
    seq: int
    duplicate_of: str | None
    roles: Mapping[str, int] = field(default_factory=dict)
    """Role (mention, speaker, subject, object) -> how many times."""
    local_ids: tuple[str, ...] = ()
    """The ids this article's brief uses for the entity (``speaker_id``, ``subject_id``...)."""


def brief_from_dict(d: Mapping[str, Any]) -> Brief:
    """Rebuild a :class:`Brief` from :meth:`Brief.to_dict` output (unknown keys are ignored)."""
    converters: dict[str, Any] = {
        "source": lambda v: Outlet(**_known(Outlet, v or {})),
        "authors": tuple,
        "quotes": tuple,
        "entities": _entities,
        "images": lambda v: tuple(ImageInfo(**_known(ImageInfo, i)) for i in v or ()),
        "statements": lambda v: tuple(Statement(**_known(Statement, s)) for s in v or ()),
        "relations": lambda v: tuple(Relation(**_known(Relation, r)) for r in v or ()),
    }
    kwargs: dict[str, Any] = {}
    for f in fields(Brief):
        if f.name in d:
            conv = converters.get(f.name)
            kwargs[f.name] = conv(d[f.name]) if conv else d[f.name]
    card = d.get("aggregator")
    if card:
        kwargs["card"] = AggregatorCard(**_known(AggregatorCard, card))
    return Brief(**kwargs)


def _entities(v: Mapping[str, Sequence[str]] | None) -> Entities:
    v = v or {}
    return Entities(**{k: tuple(v.get(k) or ()) for k in ("people", "organizations", "places")})


def _known(cls: type, d: Mapping[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in d.items() if k in names}
