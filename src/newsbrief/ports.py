"""The small interfaces behind which Newsbrief's edges sit.

Stages in :mod:`newsbrief.pipeline` take these as parameters; the adapters in
:mod:`newsbrief.adapters` implement them, and :mod:`newsbrief.engine` wires the
two together. Tests swap an adapter for a fake instead of monkeypatching.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import NamedTuple, Protocol, runtime_checkable

from newsbrief.records import Entities, Extracted, Fetched
from newsbrief.storage_records import (
    ArticleVersion,
    EntityArticle,
    FeedState,
    NewArticle,
    Page,
    RunRecord,
    SearchHit,
    StoredArticle,
    StoredEntity,
    StoryRow,
    UpsertResult,
)


@runtime_checkable
class Loader(Protocol):
    """Turns what the user named (a path, ``-`` or a URL) into fetched documents."""

    def load(self, location: str, /) -> Fetched: ...


@runtime_checkable
class Fetcher(Protocol):
    """Fetches one http(s) URL safely."""

    def fetch(self, url: str, /) -> Fetched: ...


@runtime_checkable
class HtmlExtractor(Protocol):
    """Extracts the article's body and metadata from an HTML document."""

    name: str

    def extract(self, doc: Fetched, /) -> Extracted: ...


@runtime_checkable
class EntityRecognizer(Protocol):
    """Finds people, organisations and places in text."""

    name: str

    def entities(self, text: str, /) -> Entities: ...


@runtime_checkable
class LanguageDetector(Protocol):
    """Guesses the ISO 639-1 language code of a text."""

    def detect(self, text: str, /) -> str | None: ...


# --- Storage (appended by the storage layer; see newsbrief.adapters.storage) -----------------


@runtime_checkable
class Storage(Protocol):
    """Where ingested articles, their earlier versions, stories and fetch state live.

    Implemented by :class:`newsbrief.adapters.storage.SqlStorage` (SQLite and PostgreSQL).
    Every write is one transaction and idempotent. Lists return a ``Page`` whose ``next`` is
    an opaque cursor to pass back for the following page.
    """

    def upsert_article(self, rec: NewArticle, /) -> UpsertResult: ...

    def upsert_articles(self, recs: Iterable[NewArticle], /) -> list[UpsertResult]: ...

    def get_article(self, article_id: str, /) -> StoredArticle | None: ...

    def get_article_by_url(self, url: str, /) -> StoredArticle | None: ...

    def list_articles(
        self, *, limit: int = 20, cursor: str | None = None, since: datetime | None = None
    ) -> Page[StoredArticle]: ...

    def article_versions(self, article_id: str, /) -> list[ArticleVersion]: ...

    def articles_with_fingerprint(self, fingerprint: str, /) -> list[str]: ...

    def count_articles(self) -> int: ...

    def all_articles_in_order(self, *, after_seq: int = 0) -> Iterator[StoredArticle]: ...

    def iter_export(self) -> Iterator[StoredArticle]: ...

    def set_story(self, article_id: str, story_id: str | None, /) -> None: ...

    def set_stories(self, pairs: Iterable[tuple[str, str | None]], /) -> None: ...

    def upsert_story(self, row: StoryRow, /) -> None: ...

    def upsert_stories(self, rows: Iterable[StoryRow], /) -> None: ...

    def get_story(self, story_id: str, /) -> StoryRow | None: ...

    def list_stories(
        self, *, limit: int = 20, cursor: str | None = None, since: datetime | None = None
    ) -> Page[StoryRow]: ...

    def iter_stories(self) -> Iterator[StoryRow]: ...

    def story_articles(self, story_id: str, /) -> list[StoredArticle]: ...

    def delete_story(self, story_id: str, /) -> None: ...

    def clear_stories(self) -> None: ...

    def count_stories(self) -> int: ...

    def search(
        self, query: str, *, limit: int = 20, cursor: str | None = None
    ) -> Page[SearchHit]: ...

    def get_feed_state(self, url: str, /) -> FeedState | None: ...

    def set_feed_state(self, state: FeedState, /) -> None: ...

    def record_run(self, run: RunRecord, /) -> int: ...

    def list_runs(self, *, limit: int = 20) -> list[RunRecord]: ...

    # entities followed across articles (issue 8): indexed by upsert_article
    def get_entity(self, entity_id: str, /) -> StoredEntity | None: ...

    def find_entities(self, name: str, /, *, limit: int = 20) -> list[StoredEntity]: ...

    def entity_articles(self, entity_id: str, /) -> list[EntityArticle]: ...

    def close(self) -> None: ...


# --- Dependency parsing (appended for statements; see newsbrief.adapters.parse_spacy) ---------


class ParsedToken(NamedTuple):
    """One token of a dependency parse, with character offsets into the parsed text."""

    start: int
    end: int
    lemma: str
    pos: str
    """Universal part-of-speech tag ("VERB", "NOUN", ...)."""
    dep: str
    """Dependency label ("nsubj", "ccomp", ...)."""
    head: int
    """Index of the head token (the root points to itself)."""


@runtime_checkable
class DependencyParser(Protocol):
    """Parses one sentence into tokens with heads and dependency labels."""

    name: str

    def parse(self, text: str, /) -> Sequence[ParsedToken]: ...


# --- Summary backends (appended for LLM summaries; see newsbrief.adapters.llm) ---------------


@runtime_checkable
class Summariser(Protocol):
    """An abstractive summary backend (an LLM): answers one prompt with text.

    The prompt is built, and the reply checked against the sources, by
    :mod:`newsbrief.pipeline.llm_summary`; the built-in extractive summariser needs no
    backend. ``summarise`` raises :class:`~newsbrief.errors.SummaryError` on any failure.
    """

    @property
    def model(self) -> str:
        """The model's name, recorded as ``summary_method`` ``"llm:<model>"``."""
        ...

    def summarise(self, system: str, user: str, /, *, max_tokens: int) -> str: ...
