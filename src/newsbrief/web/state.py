"""What the app holds between requests: the engine, the write token and the write lock.

Routes are plain ``def`` functions, so FastAPI runs them in its thread pool. The store is safe
to share across threads (SQLAlchemy hands each thread its own pooled connection; SQLite runs
in WAL mode with a busy timeout), except for an in-memory SQLite database, which is one
connection: calls on it are serialised. Ingests are serialised in every case, since an ingest
replays the story clusterer and writes stories (one writer at a time).

Errors are mapped to HTTP statuses in one place, :func:`http_error`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from newsbrief import Engine
from newsbrief.errors import (
    BlockedAddress,
    FetchError,
    InputError,
    NewsbriefError,
    StorageError,
)
from newsbrief.errors import (
    NotFound as NotFoundError,
)

T = TypeVar("T")
MAX_URL_LENGTH = 2048
INGEST_WAIT_S = 60.0


class HTTPError(Exception):
    """An error answer: status, a stable machine code and a one-line message."""

    def __init__(
        self, status: int, code: str, message: str, *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}


def http_error(exc: NewsbriefError) -> HTTPError:
    """The HTTP answer for a library error (404 for unknown ids, 400 for bad input...)."""
    message = str(exc)
    if isinstance(exc, NotFoundError):
        return HTTPError(404, "not_found", message)
    if isinstance(exc, BlockedAddress):
        return HTTPError(400, "blocked_address", message)
    if isinstance(exc, InputError):
        return HTTPError(400, "bad_request", message)
    if isinstance(exc, FetchError):
        return HTTPError(502, "fetch_failed", message)
    if isinstance(exc, StorageError):
        return HTTPError(503, "storage_unavailable", "the store could not be read or written")
    return HTTPError(500, "internal_error", message)


@dataclass(frozen=True)
class IngestOutcome:
    """What one ingest request did: per-document items and counts by status."""

    url: str
    items: tuple[dict[str, Any], ...]
    counts: dict[str, int]


class WebState:
    """The engine plus the locks and settings the routes share."""

    def __init__(self, engine: Engine, *, api_token: str | None) -> None:
        self.engine = engine
        self.api_token = api_token or None
        self._ingest_lock = threading.Lock()
        db = engine.settings.db
        self._serial = threading.RLock() if _in_memory(db) else None
        _ = engine.storage  # open (and migrate) now, not racing in the first requests

    @property
    def writes_enabled(self) -> bool:
        return self.api_token is not None

    def call(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Call an engine method, mapping library errors to :class:`HTTPError`."""
        with self._serial or nullcontext(), _mapped():
            return fn(*args, **kwargs)

    def ingest(self, url: str) -> IngestOutcome:
        """Ingest one http(s) URL (an article, feed or sitemap); one ingest at a time."""
        url = check_ingest_url(url)
        if not self._ingest_lock.acquire(timeout=INGEST_WAIT_S):
            raise HTTPError(503, "busy", "another ingest is running; try again later")
        try:
            with self._serial or nullcontext(), _mapped():
                items = list(self.engine.iter_ingest([url]))
        finally:
            self._ingest_lock.release()
        return _outcome(url, items)


def check_ingest_url(url: str) -> str:
    """The URL, stripped, if it is an absolute http(s) URL; else a 400 error.

    Files, directories and stdin are sources for the CLI only: the server never reads them.
    """
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise HTTPError(400, "bad_request", f"URL longer than {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise HTTPError(400, "bad_request", f"not a valid URL: {exc}") from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise HTTPError(400, "bad_request", "only absolute http:// and https:// URLs are ingested")
    if any(c.isspace() or ord(c) < 0x20 for c in url):
        raise HTTPError(400, "bad_request", "the URL contains spaces or control characters")
    return url


def _outcome(url: str, items: list[Any]) -> IngestOutcome:
    counts: dict[str, int] = {}
    for it in items:
        counts[it.status] = counts.get(it.status, 0) + 1
    rows = tuple(
        {
            "location": it.location,
            "status": it.status,
            "article_id": it.article_id,
            "story_id": it.story_id,
            "duplicate_of": it.duplicate_of,
            "error": str(it.error) if it.error is not None else None,
        }
        for it in items
    )
    failed = [it for it in items if it.status == "failed"]
    if items and len(failed) == len(items) and failed[0].error is not None:
        raise http_error(failed[0].error)
    return IngestOutcome(url, rows, counts)


@contextmanager
def _mapped() -> Iterator[None]:
    try:
        yield
    except NewsbriefError as exc:
        raise http_error(exc) from exc


def _in_memory(db: str) -> bool:
    return db.startswith("sqlite") and db.split("://", 1)[-1] in ("", "/", "/:memory:")
