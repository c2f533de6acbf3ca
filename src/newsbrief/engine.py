"""The Python API: :func:`make_engine` wires the pipeline's stages to adapters.

One article goes through::

    load      location -> Fetched        (adapters.files / adapters.http)
    extract   Fetched  -> Extracted      (adapters.extract_trafilatura | pipeline.plaintext)
    clean     Extracted -> Article       (pipeline.clean)
    brief     Article  -> Brief          (pipeline.brief, with entity and language adapters)

The CLI and the web app call only the methods of :class:`Engine`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from newsbrief.config import Settings
from newsbrief.errors import InputError, NewsbriefError, NoArticle, NotFound
from newsbrief.ports import (
    DependencyParser,
    EntityRecognizer,
    Fetcher,
    HtmlExtractor,
    LanguageDetector,
    Loader,
    Storage,
    Summariser,
)
from newsbrief.records import Article, Brief, EntityView, Fetched, Story
from newsbrief.storage_records import Page, SearchHit, StoredArticle, StoredEntity

if TYPE_CHECKING:
    from newsbrief._ingest import IngestItem, Ingestor, IngestReport
    from newsbrief.adapters.crawl import PoliteFetcher
    from newsbrief.pipeline.cluster import ClusterDoc, StoryClusterer


@dataclass(frozen=True)
class Result:
    """The outcome for one source: a value, or the error that stopped it."""

    location: str
    value: Any = None
    error: NewsbriefError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def is_url(location: str) -> bool:
    return location.lower().startswith(("http://", "https://")) or "://" in location[:12]


class Engine:
    """Newsbrief's library API. Create it with :func:`make_engine`."""

    def __init__(
        self,
        settings: Settings,
        *,
        loader: Loader | None = None,
        fetcher: Fetcher | None = None,
        extractor: HtmlExtractor | None = None,
        recognizer: EntityRecognizer | None = None,
        detector: LanguageDetector | None = None,
        storage: Storage | None = None,
        summariser: Summariser | None = None,
    ) -> None:
        self.settings = settings
        self._storage = storage
        self._summariser = summariser
        self._loader = loader
        self._fetcher = fetcher
        self._extractor = extractor
        self._recognizer = recognizer
        self._detector = detector

    # -- adapters, created on first use so that start-up stays quick ----------------
    @cached_property
    def loader(self) -> Loader:
        if self._loader is not None:
            return self._loader
        from newsbrief.adapters.files import FileLoader

        return FileLoader(max_bytes=self.settings.max_bytes)

    @cached_property
    def fetcher(self) -> Fetcher:
        if self._fetcher is not None:
            return self._fetcher
        from newsbrief.adapters.http import SafeFetcher

        return SafeFetcher(
            allow_private=self.settings.allow_private,
            timeout=self.settings.timeout,
            max_bytes=self.settings.max_bytes,
            user_agent=self.settings.user_agent,
        )

    @cached_property
    def extractor(self) -> HtmlExtractor:
        if self._extractor is not None:
            return self._extractor
        from newsbrief.adapters.extract_trafilatura import TrafilaturaExtractor

        return TrafilaturaExtractor()

    @cached_property
    def recognizer(self) -> EntityRecognizer:
        if self._recognizer is not None:
            return self._recognizer
        from newsbrief.adapters.ner_spacy import make_recognizer

        return make_recognizer(self.settings.ner)

    @cached_property
    def parser(self) -> DependencyParser | None:
        """spaCy's dependency parse for statements, when installed and entities use spaCy."""
        from newsbrief.adapters.parse_spacy import make_parser

        return make_parser("none" if self.settings.ner == "gazetteer" else "auto")

    @cached_property
    def detector(self) -> LanguageDetector:
        if self._detector is not None:
            return self._detector
        from newsbrief.adapters.langid import Py3LangidDetector

        return Py3LangidDetector()

    @cached_property
    def summariser(self) -> Summariser | None:
        """The LLM summary backend when ``llm_url`` is set (NEWSBRIEF_LLM_URL), else None."""
        if self._summariser is not None or not self.settings.llm_url:
            return self._summariser
        from newsbrief.adapters.http import default_user_agent
        from newsbrief.adapters.llm import OpenAIChatSummariser

        return OpenAIChatSummariser(
            self.settings.llm_url,
            model=self.settings.llm_model,
            api_key=self.settings.llm_api_key,
            timeout=self.settings.llm_timeout,
            user_agent=self.settings.user_agent or default_user_agent(),
        )

    @cached_property
    def crawler(self) -> PoliteFetcher:
        """The polite fetcher used by ingest (robots.txt, rate limits, retries)."""
        from newsbrief.adapters.crawl import PoliteFetcher

        interval = self.settings.crawl_interval
        return PoliteFetcher(
            allow_private=self.settings.allow_private,
            user_agent=self.settings.user_agent,
            max_bytes=self.settings.max_bytes,
            min_interval=interval,
            max_crawl_delay=max(interval, 30.0) if interval else 0.0,
        )

    @cached_property
    def storage(self) -> Storage:
        """The store named by the ``db`` setting, opened (and migrated) on first use."""
        if self._storage is not None:
            return self._storage
        from newsbrief.adapters.storage import open_storage

        url = self.settings.db
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).expanduser().parent.mkdir(
                parents=True, exist_ok=True
            )
        return open_storage(url)

    def close(self) -> None:
        """Close the store and the network clients, if they were opened."""
        for name in ("storage", "crawler"):
            if name in self.__dict__:
                self.__dict__.pop(name).close()
        close = getattr(self.__dict__.pop("summariser", None), "close", None)
        if self._summariser is None and callable(close):  # ours, not one passed in
            close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- sources ------------------------------------------------------------------
    def expand(self, locations: Iterable[str], /) -> list[str]:
        """Sources as single documents: a directory becomes the files in it."""
        from newsbrief.adapters.files import iter_directory

        out: list[str] = []
        for loc in locations:
            if loc != "-" and not is_url(loc) and os.path.isdir(loc):
                files = iter_directory(Path(loc))
                if not files:
                    raise InputError("directory holds no HTML or text files", location=loc)
                out.extend(str(f) for f in files)
            else:
                out.append(loc)
        return out

    def load(self, location: str, /) -> Fetched:
        """Read one document from a path, ``-`` (stdin) or an http(s) URL."""
        if is_url(location):
            return self.fetcher.fetch(location)
        return self.loader.load(location)

    # -- stages -------------------------------------------------------------------
    def extract_document(self, doc: Fetched, /) -> Article:
        """Extract and clean an already loaded document."""
        from newsbrief.pipeline.clean import clean
        from newsbrief.pipeline.plaintext import parse

        extracted = self.extractor.extract(doc) if doc.kind == "html" else parse(doc)
        article = clean(extracted)
        if not article.paragraphs:
            raise NoArticle("no article text found", location=doc.location)
        if not article.language:
            article = replace(article, language=self.detector.detect(article.text))
        return article

    def extract(self, location: str, /) -> Article:
        """Load, extract and clean one document."""
        return self.extract_document(self.load(location))

    def read_time(self, article: Article, /) -> tuple[int, str]:
        """Estimated minutes to read the body, and whether that covers the full article."""
        from newsbrief.pipeline.readtime import read_time

        basis = "excerpt" if article.is_excerpt or article.paywalled else "full"
        return read_time(article.text, language=article.language), basis

    def brief_article(self, article: Article, /) -> Brief:
        from newsbrief.pipeline.brief import make_brief

        return make_brief(
            article,
            recognizer=self.recognizer,
            detector=self.detector,
            parser=self.parser,
            summariser=self.summariser,
        )

    def brief(self, location: str, /) -> Brief:
        """Load, extract, clean and brief one document."""
        return self.brief_article(self.extract(location))

    def iter_briefs(self, locations: Iterable[str], /) -> Iterator[Result]:
        """Brief each source, yielding a :class:`Result` per document (errors included)."""
        yield from self._each(locations, self.brief)

    def iter_articles(self, locations: Iterable[str], /) -> Iterator[Result]:
        """Extract each source, yielding a :class:`Result` per document."""
        yield from self._each(locations, self.extract)

    def summarize(self, articles: Sequence[Article], /, *, sentences: int = 3) -> list[str]:
        """One summary of the articles: single-document, or multi-document in date order."""
        from newsbrief.pipeline.summarize import summarize, summarize_many

        if len(articles) == 1:
            a = articles[0]
            return summarize(a.text, sentences, language=a.language)
        ordered = sorted(articles, key=lambda a: a.published or "")
        return summarize_many([a.text for a in ordered], sentences)

    # -- the store ----------------------------------------------------------------
    @cached_property
    def ingestor(self) -> Ingestor:
        """The ingest orchestrator; keeps its dedup index and clusterer warm between runs
        (one run serialises on a lock, so the web app may share it across threads)."""
        from newsbrief._ingest import Ingestor

        return Ingestor(self, self.storage)

    def iter_ingest(self, sources: Iterable[str], /) -> Iterator[IngestItem]:
        """Fetch, extract, brief, dedup, cluster and store; one item per document."""
        yield from self.ingestor.iter_run(sources)

    def ingest(
        self, sources: Iterable[str], /, *, on_item: Callable[[IngestItem], None] | None = None
    ) -> IngestReport:
        """Ingest every source (idempotent) and return the run's report."""
        return self.ingestor.run(sources, on_item=on_item)

    def recluster(self) -> int:
        """Rebuild every story from the stored articles; returns the number of stories."""
        return self.ingestor.recluster()

    def search(
        self, query: str, /, *, limit: int = 20, cursor: str | None = None
    ) -> Page[SearchHit]:
        """Full-text search over stored titles and bodies, best first, with snippets."""
        if not query.strip():
            raise InputError("empty search query")
        return self.storage.search(query, limit=limit, cursor=cursor)

    def article(self, article_id: str, /) -> StoredArticle:
        """One stored article (raises NotFound)."""
        found = self.storage.get_article(article_id)
        if found is None:
            raise NotFound(f"no article with id {article_id!r}")
        return found

    def articles(self, *, limit: int = 20, cursor: str | None = None) -> Page[StoredArticle]:
        """Stored articles, newest first."""
        return self.storage.list_articles(limit=limit, cursor=cursor)

    def story(self, story_id: str, /) -> Story:
        """One story's brief: summary, quotes, timeline, outlets, articles (raises NotFound)."""
        row = self.storage.get_story(story_id)
        if row is None:
            raise NotFound(f"no story with id {story_id!r}")
        return Story.from_dict(row.brief)

    def story_articles(self, story_id: str, /) -> list[StoredArticle]:
        """The stored articles of a story, oldest first (empty for an unknown story)."""
        return self.storage.story_articles(story_id)

    def stories(
        self, *, limit: int = 20, cursor: str | None = None, since: datetime | None = None
    ) -> Page[Story]:
        """Stories, newest activity first."""
        page = self.storage.list_stories(limit=limit, cursor=cursor, since=since)
        return Page(tuple(Story.from_dict(r.brief) for r in page.items), page.next)

    def digest(
        self, since: str | timedelta = "24h", /, *, now: datetime | None = None, limit: int = 10
    ) -> list[Story]:
        """The top stories of the period ending ``now``: outlets covering them, and recency."""
        from newsbrief.pipeline.digest import parse_duration, rank_stories

        period = parse_duration(since) if isinstance(since, str) else since
        now = now or datetime.now(UTC)
        recent = [
            Story.from_dict(r.brief)
            for r in self.storage.iter_stories()
            if r.last_updated >= now - period
        ]
        return rank_stories(recent, now=now, since=period, limit=limit)

    def export(self) -> Iterator[StoredArticle]:
        """Every stored article, streamed in ingest order."""
        yield from self.storage.iter_export()

    # -- entities followed across articles (issue 8) ------------------------------
    def entity(self, name_or_id: str, /) -> EntityView:
        """One entity's aliases, stories, statements and relations over time.

        ``name_or_id`` is an id (``person:vladimir-putin``; an id merged into another gives
        that one) or a name or alias, case-insensitive ("putin", "the Kremlin"). Raises
        NotFound when nothing matches, InputError (listing the candidates) when several do.
        """
        from newsbrief.pipeline.entity_view import build_entity_view

        found = self._one_entity(name_or_id)
        refs = self.storage.entity_articles(found.id)
        mentioning = [(r, a) for r in refs if (a := self.storage.get_article(r.article_id))]
        story_ids = dict.fromkeys(r.story_id for r in refs if r.story_id)
        stories = {sid: row for sid in story_ids if (row := self.storage.get_story(sid))}
        return build_entity_view(found, mentioning, stories)

    def find_entities(self, name: str, /, *, limit: int = 20) -> list[StoredEntity]:
        """Entities whose name or an alias matches ``name`` (most mentioned first)."""
        if not name.strip():
            raise InputError("empty entity name")
        return self.storage.find_entities(name, limit=limit)

    def _one_entity(self, name_or_id: str) -> StoredEntity:
        from newsbrief.pipeline.entities import clean_name
        from newsbrief.pipeline.resolve import fold

        query = name_or_id.strip()
        by_id = self.storage.get_entity(query) if ":" in query else None
        if by_id is not None:
            return by_id
        found = self.find_entities(query)
        if not found:
            raise NotFound(f"no entity named {query!r}")
        named = [e for e in found if fold(e.name) == fold(clean_name(query))]
        if len(found) == 1 or len(named) == 1:
            return (named or found)[0]
        listing = "; ".join(f"{e.id} ({e.name}, {e.articles} articles)" for e in found[:10])
        raise InputError(f"{query!r} names {len(found)} entities: {listing}; give an id")

    # -- stories ------------------------------------------------------------------
    def new_clusterer(self) -> StoryClusterer:
        """A fresh online story clusterer with the configured parameters."""
        from newsbrief.adapters.embed import EMBED_WEIGHT, make_embedder
        from newsbrief.pipeline.cluster import ClusterConfig, StoryClusterer

        embedder = make_embedder(self.settings.embed)
        if embedder is None:
            return StoryClusterer()
        return StoryClusterer(ClusterConfig(embed_weight=EMBED_WEIGHT), embedder=embedder)

    def cluster_doc(self, line: str, /, *, number: int = 0) -> ClusterDoc:
        """Parse one JSONL line ``{"id", "date", "title", "text"}`` for the clusterer."""
        from newsbrief.pipeline.cluster import ClusterDoc

        try:
            row = json.loads(line)
            if not isinstance(row, dict) or "id" not in row:
                raise ValueError("expected an object with an id")
            return ClusterDoc(
                id=str(row["id"]),
                date=parse_datetime(row.get("date")),
                title=str(row.get("title") or ""),
                text=str(row.get("text") or ""),
            )
        except ValueError as e:
            raise InputError(f"line {number}: not a valid article: {e}", location="stdin") from e

    def _each(self, locations: Iterable[str], fn: Any) -> Iterator[Result]:
        for given in locations:
            try:
                expanded = self.expand([given])
            except NewsbriefError as e:
                yield Result(given, error=e)
                continue
            for loc in expanded:
                try:
                    yield Result(loc, value=fn(loc))
                except NewsbriefError as e:
                    if e.location is None:
                        e.location = loc
                    yield Result(loc, error=e)


def parse_datetime(value: object) -> datetime | None:
    """An ISO 8601 date or datetime (``Z`` allowed) as a timezone-aware datetime, else None."""
    if not value:
        return None
    text = str(value).strip().replace("Z", "+00:00")
    try:
        dt = datetime.fromisoformat(text)
    except ValueError as e:
        raise ValueError(f"bad date {value!r}") from e
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def make_engine(
    db: str | None = None,
    /,
    *,
    stdin: BinaryIO | None = None,
    loader: Loader | None = None,
    fetcher: Fetcher | None = None,
    extractor: HtmlExtractor | None = None,
    recognizer: EntityRecognizer | None = None,
    detector: LanguageDetector | None = None,
    storage: Storage | None = None,
    summariser: Summariser | None = None,
    **settings: Any,
) -> Engine:
    """Create an :class:`Engine`. ``settings`` override environment and defaults."""
    s = Settings.load(db=db, **settings)
    if loader is None and stdin is not None:
        from newsbrief.adapters.files import FileLoader

        loader = FileLoader(max_bytes=s.max_bytes, stdin=stdin)
    return Engine(
        s,
        loader=loader,
        fetcher=fetcher,
        extractor=extractor,
        recognizer=recognizer,
        detector=detector,
        storage=storage,
        summariser=summariser,
    )
