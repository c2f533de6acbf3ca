"""The small interfaces behind which Newsbrief's edges sit.

Stages in :mod:`newsbrief.pipeline` take these as parameters; the adapters in
:mod:`newsbrief.adapters` implement them, and :mod:`newsbrief.engine` wires the
two together. Tests swap an adapter for a fake instead of monkeypatching.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from newsbrief.records import Entities, Extracted, Fetched


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
