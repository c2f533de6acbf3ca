"""Pydantic models of the JSON API, used for the OpenAPI schema and for the request body.

The routes return the library's own dicts (``Brief.to_dict()``, ``Story.to_dict()``...) as
they are; these models describe those shapes (the SPEC's Brief and Story JSON) so that the
schema documents them and the schema tests can check every answer against it. Objects allow
extra keys: fields may be added, never removed.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. not_found.")
    message: str = Field(description="One line for people.")


class ErrorBody(BaseModel):
    """Every error answer of the API."""

    error: ErrorDetail


class OutletOut(_Open):
    name: str | None
    domain: str | None
    url: str | None


class EntitiesOut(_Open):
    people: list[str]
    organizations: list[str]
    places: list[str]


class BriefOut(_Open):
    """The SPEC's Brief JSON, plus where the article sits in the store."""

    id: str
    url: str | None
    title: str | None
    source: OutletOut
    published: str | None
    authors: list[str]
    language: str | None
    word_count: int
    read_time_minutes: int
    read_time_basis: Literal["full", "excerpt"]
    quotes: list[str]
    summary: str
    summary_method: str
    entities: EntitiesOut
    image: str | None
    images: list[dict[str, Any]]
    paywalled: bool
    genre: Literal["news", "opinion", "other"]
    statements: list[dict[str, Any]]
    relations: list[dict[str, Any]]
    story_id: str | None = Field(description="The story the article belongs to.")
    duplicate_of: str | None = Field(description="The article this one copies (wire copy).")
    ingested_at: str


class StoryQuoteOut(_Open):
    text: str
    source: str | None
    url: str | None


class StoryArticleOut(_Open):
    id: str
    title: str | None
    source: str | None
    published: str | None
    url: str | None


class TimelineOut(_Open):
    date: str
    title: str | None
    source: str | None
    url: str | None


class OutletCountOut(_Open):
    name: str | None
    domain: str | None
    count: int
    copies: int


class StoryOut(_Open):
    """The SPEC's Story JSON."""

    id: str
    title: str | None
    summary: str
    quotes: list[StoryQuoteOut]
    articles: list[StoryArticleOut]
    outlets: list[OutletCountOut]
    first_seen: str
    last_updated: str
    timeline: list[TimelineOut]
    entities: EntitiesOut


class SearchHitOut(_Open):
    id: str
    url: str | None
    title: str | None
    source: str | None
    published: str | None
    snippet: str = Field(description="Matched words are wrapped in ⟦ and ⟧ (U+27E6, U+27E7).")
    score: float


class StoryPage(BaseModel):
    items: list[StoryOut]
    next: str | None = Field(description="Cursor of the next page; null on the last page.")


class ArticlePage(BaseModel):
    items: list[BriefOut]
    next: str | None


class SearchPage(BaseModel):
    items: list[SearchHitOut]
    next: str | None


class EntityStoryOut(_Open):
    id: str
    title: str | None
    first_seen: str
    last_updated: str


class EntityStatementOut(_Open):
    speaker: str
    cue: str
    text: str
    direct: bool
    sentence: str
    article_id: str
    source: str | None
    url: str | None
    date: str


class EntityRelationOut(_Open):
    type: str
    subject: str
    object: str
    polarity: str
    evidence: str
    date: str
    article_id: str
    source: str | None
    url: str | None


class EntityOut(_Open):
    """One entity across the store (``EntityView.to_dict()``), oldest first."""

    id: str = Field(description="``<kind>:<slug>``, e.g. ``person:vladimir-putin``.")
    kind: str
    name: str
    aliases: list[str]
    stories: list[EntityStoryOut]
    statements: list[EntityStatementOut]
    relations: list[EntityRelationOut]
    articles: list[dict[str, Any]]
    merged: list[str] = Field(description="Earlier ids merged into this one.")


class EntityCandidateOut(_Open):
    id: str
    kind: str
    name: str
    aliases: list[str]
    articles: int = Field(description="How many stored articles mention it.")
    merged: list[str]


class EntityPage(BaseModel):
    items: list[EntityCandidateOut]
    next: str | None = Field(description="Always null: candidates come on one page.")


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    writes_enabled: bool = Field(description="Whether POST /api/v1/ingest is configured.")


class IngestRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(
        min_length=1, max_length=2048, description="An http(s) article, feed or sitemap URL."
    )


class IngestItemOut(BaseModel):
    location: str
    status: Literal["added", "updated", "unchanged", "not_modified", "robots", "failed"]
    article_id: str | None
    story_id: str | None
    duplicate_of: str | None
    error: str | None


class IngestOut(BaseModel):
    url: str
    items: list[IngestItemOut]
    counts: dict[str, int]
