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
from collections.abc import Mapping
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
class FieldSource:
    """Where one metadata value was found, and how sure we are of it (provenance)."""

    field: str
    """"title", "authors", "published", "updated", "outlet", "language" or "image"."""
    value: str
    source: str
    """"json-ld", "opengraph", "meta", "byline", "url" or "trafilatura"."""
    confidence: float
    """0 to 1: the source's reliability, raised when other sources agree."""


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
    provenance: tuple[FieldSource, ...] = ()
    """Where each metadata field was found (empty when the extractor does not say)."""


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
    provenance: tuple[FieldSource, ...] = ()
    """Where each metadata field was found (from :attr:`Extracted.provenance`)."""

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
    subject_id: str | None = None
    """Resolved entity id of the subject (``country:russia``), when known."""
    object_id: str | None = None
    detail: str | None = None
    """Type-specific detail, e.g. ``"signed and ratified"`` for an agreement."""


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
    summary_model: str | None = None
    """The LLM asked for an abstractive summary (kept when it fell back), else None."""
    prompt_version: str | None = None
    """Version of the prompt sent to ``summary_model`` (``llm_summary.PROMPT_VERSION``)."""
    summary_fallback_reason: str | None = None
    """Why the LLM summary was not used ("unsupported: 3,400; Jonathan Reyes"), else None."""

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


# -- stories (a group of articles about one event) ---------------------------------------------
@dataclass(frozen=True)
class StoryQuote:
    """A passage quoted in a story brief, verbatim from one article's body."""

    text: str
    source: str | None
    """The outlet of the article it comes from."""
    url: str | None
    """Link to that article."""
    article_id: str | None = None


@dataclass(frozen=True)
class StoryArticle:
    """One article of a story, as listed in the story brief."""

    id: str
    title: str | None
    source: str | None
    """Outlet name (else its domain)."""
    published: str | None
    """Publication date as extracted (ISO 8601), else None."""
    url: str | None
    genre: Genre = "news"
    duplicate_of: str | None = None
    """Id of the article this one copies (a wire copy): counted and shown, never quoted."""
    domain: str | None = None
    dated_at: datetime | None = None
    """The article's time for digests: publication date, else when it was ingested."""


@dataclass(frozen=True)
class OutletCount:
    """An outlet covering a story and how many of the story's articles it published."""

    name: str | None
    domain: str | None
    count: int
    """All its articles in the story, copies included."""
    copies: int = 0
    """How many of ``count`` are copies of another article of the story (wire copies)."""


@dataclass(frozen=True)
class TimelineEntry:
    """One development of a story: the first article that reported it."""

    date: str
    """ISO 8601 time of that article (its first 10 characters give the day)."""
    title: str | None
    source: str | None
    url: str | None
    article_id: str | None = None
    articles: int = 1
    """How many articles (copies excluded) reported this development."""


@dataclass(frozen=True)
class StoryStatement(Statement):
    """A statement in a story brief: the article's statement plus where it was published."""

    source: str | None = None
    """The outlet of the article it comes from."""
    url: str | None = None
    """Link to that article."""
    article_id: str | None = None
    date: str | None = None
    """The article's date (ISO 8601)."""


@dataclass(frozen=True)
class StoryRelation(Relation):
    """A commitment in a story brief: the article's relation plus where it was published.

    ``date`` is the sentence's own date phrase when it has one, else the article's day.
    """

    source: str | None = None
    url: str | None = None
    article_id: str | None = None


@dataclass(frozen=True)
class Story:
    """The brief of a story, as ``newsbrief story --format json`` prints it."""

    id: str
    title: str | None
    summary: str
    """A few sentences, each verbatim from one of the story's articles."""
    quotes: tuple[StoryQuote, ...]
    articles: tuple[StoryArticle, ...]
    """All articles, oldest first, copies included (marked with ``duplicate_of``)."""
    outlets: tuple[OutletCount, ...]
    """Most articles first."""
    first_seen: datetime
    last_updated: datetime
    timeline: tuple[TimelineEntry, ...]
    """Oldest first, one entry per development."""
    entities: Entities
    """Merged from the articles' briefs, mentioned by most articles first."""
    opinion_sources: tuple[str, ...] = ()
    """Outlets whose articles in the story are opinion pieces."""
    who_said_what: tuple[StoryStatement, ...] = ()
    """The articles' statements (once each), with the outlet and link of each."""
    commitments: tuple[StoryRelation, ...] = ()
    """The articles' relations (once each), with evidence, date, outlet and link."""
    summary_method: str = "extractive"
    """``"extractive"`` (verbatim sentences) or ``"llm:<model>"`` (checked against every
    article of the story)."""
    summary_model: str | None = None
    """The LLM asked for an abstractive summary (kept when it fell back), else None."""
    prompt_version: str | None = None
    """Version of the prompt sent to ``summary_model`` (``llm_summary.PROMPT_VERSION``)."""
    summary_fallback_reason: str | None = None
    """Why the LLM summary was not used, else None."""

    def to_dict(self) -> dict[str, Any]:
        """The SPEC's Story JSON (plus ``outlets`` details, genres and copies)."""

        def article(a: StoryArticle) -> dict[str, Any]:
            d = asdict(a)
            d["dated_at"] = a.dated_at.isoformat() if a.dated_at else None
            return d

        return {
            "id": self.id,
            "title": self.title,
            "summary": self.summary,
            "quotes": [asdict(q) for q in self.quotes],
            "articles": [article(a) for a in self.articles],
            "outlets": [asdict(o) for o in self.outlets],
            "first_seen": self.first_seen.isoformat(),
            "last_updated": self.last_updated.isoformat(),
            "timeline": [asdict(t) for t in self.timeline],
            "entities": self.entities.to_dict(),
            "opinion_sources": list(self.opinion_sources),
            "who_said_what": [asdict(s) for s in self.who_said_what],
            "commitments": [asdict(r) for r in self.commitments],
            "summary_method": self.summary_method,
            "summary_model": self.summary_model,
            "prompt_version": self.prompt_version,
            "summary_fallback_reason": self.summary_fallback_reason,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Story:
        """Rebuild a story from :meth:`to_dict` output (unknown keys are ignored)."""
        ents = d.get("entities") or {}
        return cls(
            id=d["id"],
            title=d.get("title"),
            summary=d.get("summary") or "",
            quotes=_story_many(StoryQuote, d.get("quotes")),
            articles=tuple(_story_article(a) for a in d.get("articles") or ()),
            outlets=_story_many(OutletCount, d.get("outlets")),
            first_seen=datetime.fromisoformat(d["first_seen"]),
            last_updated=datetime.fromisoformat(d["last_updated"]),
            timeline=_story_many(TimelineEntry, d.get("timeline")),
            entities=Entities(
                **{k: tuple(ents.get(k) or ()) for k in ("people", "organizations", "places")}
            ),
            opinion_sources=tuple(d.get("opinion_sources") or ()),
            who_said_what=_story_many(StoryStatement, d.get("who_said_what")),
            commitments=_story_many(StoryRelation, d.get("commitments")),
            summary_method=d.get("summary_method") or "extractive",
            summary_model=d.get("summary_model"),
            prompt_version=d.get("prompt_version"),
            summary_fallback_reason=d.get("summary_fallback_reason"),
        )


def _story_article(d: Mapping[str, Any]) -> StoryArticle:
    kwargs = _story_known(StoryArticle, d)
    if kwargs.get("dated_at"):
        kwargs["dated_at"] = datetime.fromisoformat(kwargs["dated_at"])
    return StoryArticle(**kwargs)


def _story_many(cls: type, items: list[Mapping[str, Any]] | None) -> tuple[Any, ...]:
    return tuple(cls(**_story_known(cls, i)) for i in items or ())


def _story_known(cls: type, d: Mapping[str, Any]) -> dict[str, Any]:
    names = cls.__dataclass_fields__  # type: ignore[attr-defined]
    return {k: v for k, v in d.items() if k in names}


# -- entities followed across articles and stories (issue 8) -----------------------------------
@dataclass(frozen=True)
class EntityStory:
    """A story in which an entity takes part."""

    id: str
    title: str | None
    first_seen: datetime
    last_updated: datetime


@dataclass(frozen=True)
class EntityStatement:
    """A statement the entity made, with the article it was reported in."""

    speaker: str
    """The speaker as the article names it ("Russian officials" for Russia)."""
    cue: str
    text: str
    direct: bool
    sentence: str
    article_id: str
    source: str | None
    url: str | None
    date: str
    """The article's date (ISO 8601): publication, else ingest time."""


@dataclass(frozen=True)
class EntityRelation:
    """A relation the entity is the subject or object of, with its evidence."""

    type: str
    subject: str
    object: str
    polarity: str
    evidence: str
    date: str
    """The article's date (ISO 8601), for ordering."""
    article_id: str
    source: str | None
    url: str | None
    when: str | None = None
    """The sentence's own date phrase ("on Monday", "in March 2024"), verbatim, if any."""
    subject_id: str | None = None
    object_id: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class EntityArticleRef:
    """An article that mentions the entity."""

    id: str
    title: str | None
    source: str | None
    url: str | None
    date: str
    story_id: str | None
    roles: tuple[str, ...] = ()
    """The entity's roles in it: mention, speaker, subject, object."""


@dataclass(frozen=True)
class EntityView:
    """One entity followed across articles and stories, as ``newsbrief entity`` prints it.

    Stories, statements, relations and articles are ordered over time, oldest first.
    """

    id: str
    kind: str
    name: str
    aliases: tuple[str, ...]
    stories: tuple[EntityStory, ...] = ()
    statements: tuple[EntityStatement, ...] = ()
    relations: tuple[EntityRelation, ...] = ()
    articles: tuple[EntityArticleRef, ...] = ()
    merged: tuple[str, ...] = ()
    """Earlier ids of the entity (a surname-only id merged once the full name was seen)."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``newsbrief entity --format json`` and ``/api/v1/entities/{id}``."""
        d = asdict(self)
        d["aliases"] = list(self.aliases)
        d["merged"] = list(self.merged)
        d["stories"] = [
            {
                "id": s.id,
                "title": s.title,
                "first_seen": s.first_seen.isoformat(),
                "last_updated": s.last_updated.isoformat(),
            }
            for s in self.stories
        ]
        d["articles"] = [{**asdict(a), "roles": list(a.roles)} for a in self.articles]
        return d
