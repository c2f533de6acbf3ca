"""Records passed between the pipeline's stages.

Each record is a small frozen dataclass owned by one stage; later stages make
changed copies with :func:`dataclasses.replace` and never mutate in place::

    Fetched   (load: bytes or text of one document, with where it came from)
      -> Extracted  (extract: raw title, paragraphs and metadata, not yet cleaned)
      -> Article    (clean: boilerplate removed, images and outlet resolved)
      -> Brief      (brief: quotes, summary, read time, entities)

Everything here is public API.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

ContentKind = Literal["html", "text"]
ReadTimeBasis = Literal["full", "excerpt"]
Genre = Literal["news", "opinion", "other"]


@dataclass(frozen=True)
class Fetched:
    """One document as loaded from a file, stdin or the network."""

    location: str
    """What the user gave: a path, a URL or ``-``."""
    text: str
    """The document decoded to text."""
    kind: ContentKind
    """Whether ``text`` is HTML or plain scraped text."""
    url: str | None = None
    """Final URL after redirects, when fetched from the network."""
    encoding: str | None = None
    """The character encoding the bytes were decoded from."""
    fetched_at: datetime | None = None
    """When the document was read (timezone-aware UTC)."""


@dataclass(frozen=True)
class Outlet:
    """The publisher of an article ("Read at <name>")."""

    name: str | None = None
    domain: str | None = None
    url: str | None = None
    """Link to the article at the outlet, else to the outlet's home page."""


@dataclass(frozen=True)
class ImageInfo:
    """An image of the article: kept as metadata, never in the body."""

    url: str | None = None
    caption: str | None = None
    credit: str | None = None


@dataclass(frozen=True)
class AggregatorCard:
    """Another aggregator's card about an article (not the article itself).

    The card's own label and summary are the aggregator's voice and are kept
    apart from the outlet's quoted passages (which become the article body).
    """

    label: str | None = None
    """The aggregator's own label, e.g. "Briefly"."""
    summary: str | None = None
    """The aggregator's own summary paragraph: never quoted as the outlet's words."""


@dataclass(frozen=True)
class Extracted:
    """Raw output of an extractor: body paragraphs and metadata, before cleaning."""

    title: str | None
    paragraphs: tuple[str, ...]
    url: str | None = None
    source: Outlet = field(default_factory=Outlet)
    published: str | None = None
    """ISO 8601 date or datetime string, when found."""
    authors: tuple[str, ...] = ()
    language: str | None = None
    image: str | None = None
    """Lead image URL."""
    images: tuple[ImageInfo, ...] = ()
    card: AggregatorCard | None = None
    """Set when the document is an aggregator's card rather than the article."""
    paywalled: bool = False
    extractor: str = "unknown"
    """Which extractor produced this record (provenance)."""
    fetched_at: datetime | None = None


@dataclass(frozen=True)
class Article:
    """A clean article: boilerplate removed, body as paragraphs."""

    title: str | None
    paragraphs: tuple[str, ...]
    url: str | None = None
    source: Outlet = field(default_factory=Outlet)
    published: str | None = None
    authors: tuple[str, ...] = ()
    language: str | None = None
    image: str | None = None
    images: tuple[ImageInfo, ...] = ()
    card: AggregatorCard | None = None
    paywalled: bool = False
    is_excerpt: bool = False
    """True when the body is only part of the article (a card, a paywall, a teaser)."""
    extractor: str = "unknown"
    fetched_at: datetime | None = None
    removed: tuple[str, ...] = ()
    """Paragraphs the cleaner dropped, for inspection (not part of the body)."""

    @property
    def text(self) -> str:
        """The body: paragraphs separated by one blank line."""
        return "\n\n".join(self.paragraphs)

    @property
    def word_count(self) -> int:
        from newsbrief.pipeline.text import count_words

        return count_words(self.text)

    @property
    def id(self) -> str:
        return article_id(self.url, self.text)


@dataclass(frozen=True)
class Entities:
    """Named entities of a text, each list deduplicated, most mentioned first."""

    people: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()
    places: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, list[str]]:
        return {
            "people": list(self.people),
            "organizations": list(self.organizations),
            "places": list(self.places),
        }


@dataclass(frozen=True)
class Statement:
    """An attributed statement (who said what), with verbatim text."""

    speaker: str
    cue: str
    text: str
    direct: bool
    sentence: str
    speaker_id: str | None = None


@dataclass(frozen=True)
class Relation:
    """A commitment or relation between two entities, with verbatim evidence."""

    type: str
    subject: str
    object: str
    polarity: Literal["affirmed", "denied"]
    evidence: str
    date: str | None = None


@dataclass(frozen=True)
class Brief:
    """The brief of one article, as ``newsbrief brief --format json`` prints it."""

    id: str
    url: str | None
    title: str | None
    source: Outlet
    published: str | None
    authors: tuple[str, ...]
    language: str | None
    word_count: int
    read_time_minutes: int
    read_time_basis: ReadTimeBasis
    quotes: tuple[str, ...]
    summary: str
    summary_method: str
    entities: Entities
    image: str | None = None
    images: tuple[ImageInfo, ...] = ()
    paywalled: bool = False
    genre: Genre = "news"
    statements: tuple[Statement, ...] = ()
    relations: tuple[Relation, ...] = ()
    card: AggregatorCard | None = None
    """The aggregator's own label and summary, when briefing a card (kept apart)."""

    def to_dict(self) -> dict[str, Any]:
        """The SPEC's JSON shape."""
        d = asdict(self)
        d["authors"] = list(self.authors)
        d["quotes"] = list(self.quotes)
        d["entities"] = self.entities.to_dict()
        d["images"] = [asdict(i) for i in self.images]
        d["statements"] = [asdict(s) for s in self.statements]
        d["relations"] = [asdict(r) for r in self.relations]
        d["aggregator"] = asdict(self.card) if self.card else None
        del d["card"]
        return d


def article_id(url: str | None, text: str) -> str:
    """Stable id: a hash of the canonical URL, else of the content."""
    basis = ("url:" + url) if url else ("text:" + text)
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]
