"""The Python API: :func:`make_engine` wires the pipeline's stages to adapters.

One article goes through::

    load      location -> Fetched        (adapters.files / adapters.http)
    extract   Fetched  -> Extracted      (adapters.extract_trafilatura | pipeline.plaintext)
    clean     Extracted -> Article       (pipeline.clean)
    brief     Article  -> Brief          (pipeline.brief, with entity and language adapters)

The CLI and the web app call only the methods of :class:`Engine`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any, BinaryIO

from newsbrief.config import Settings
from newsbrief.errors import InputError, NewsbriefError, NoArticle
from newsbrief.ports import EntityRecognizer, Fetcher, HtmlExtractor, LanguageDetector, Loader
from newsbrief.records import Article, Brief, Fetched


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
    ) -> None:
        self.settings = settings
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
    def detector(self) -> LanguageDetector:
        if self._detector is not None:
            return self._detector
        from newsbrief.adapters.langid import Py3LangidDetector

        return Py3LangidDetector()

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

        return make_brief(article, recognizer=self.recognizer, detector=self.detector)

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
    )
