"""Ingest: the I/O shell around the pipeline (fetch, extract, brief, dedup, cluster, store).

::

    for each SOURCE:
        kind = detect(SOURCE)                        article | feed | opml | sitemap | warc | dir
        documents = load(SOURCE) or expand(SOURCE)   feeds/sitemaps give links -> polite fetch
        for doc in documents:
            article = clean(extract(doc))
            unchanged?  same URL and same fingerprint as stored -> skip (nothing written)
            brief = brief(article)
            duplicate_of = near-duplicate index (MinHash) over everything stored
            upsert(article, brief)                   one transaction: added | updated
            story = duplicate_of's story, else clusterer.add(article)
    for each story touched: rebuild its brief from its members and store it

Every decision (duplicate? which story?) is made by pure pipeline code; this module only
moves records between the adapters and those decisions. The clusterer's state is rebuilt at
the start of a run by replaying the stored articles in ingest order, which is exactly what
``recluster`` does, so streaming and reclustering agree by construction.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from newsbrief.errors import FetchError, InputError, NewsbriefError
from newsbrief.records import Fetched
from newsbrief.storage_records import NewArticle, RunRecord, StoredArticle, StoryRow

if TYPE_CHECKING:
    from newsbrief.adapters.crawl import FetchResult, PoliteFetcher
    from newsbrief.adapters.sources import Link
    from newsbrief.engine import Engine
    from newsbrief.pipeline.cluster import ClusterDoc, StoryClusterer
    from newsbrief.pipeline.dedup import NearDuplicateIndex
    from newsbrief.ports import Storage

log = logging.getLogger(__name__)

ItemStatus = Literal["added", "updated", "unchanged", "not_modified", "robots", "failed"]


@dataclass(frozen=True)
class IngestItem:
    """What happened to one document (or one link that could not be fetched)."""

    location: str
    status: ItemStatus
    article_id: str | None = None
    story_id: str | None = None
    duplicate_of: str | None = None
    error: NewsbriefError | None = None


@dataclass
class IngestReport:
    """Counts of one ingest run, plus the error lines."""

    started_at: datetime
    finished_at: datetime | None = None
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def add(self, item: IngestItem) -> None:
        self.counts[item.status] += 1
        if item.duplicate_of:
            self.counts["duplicates"] += 1
        if item.error is not None and item.status == "failed":
            self.errors.append(f"{item.location}: {_one_line(item.error)}")

    @property
    def failed(self) -> int:
        return self.counts["failed"]


def _one_line(error: NewsbriefError) -> str:
    text = str(error)
    return text.split(": ", 1)[1] if error.location and text.startswith(error.location) else text


class Ingestor:
    """Runs one ingest over a store; see the module docstring for the order of work."""

    def __init__(self, engine: Engine, storage: Storage, *, fetch_workers: int = 4) -> None:
        self.engine = engine
        self.storage = storage
        self.fetch_workers = fetch_workers
        self._dedup: NearDuplicateIndex | None = None
        self._clusterer: StoryClusterer | None = None
        self._touched: set[str] = set()
        self._stored_story: dict[str, str | None] = {}  # article id -> story id, as stored
        self._last_seq = 0  # the newest stored article the clusterer has seen
        self._lock = threading.RLock()  # one run at a time per ingestor

    # -- public -----------------------------------------------------------------------
    def iter_run(self, sources: Iterable[str], /) -> Iterator[IngestItem]:
        """Ingest each source, yielding an :class:`IngestItem` per document as it is stored."""
        with self._lock:
            self._prepare()
            for source in sources:
                yield from self._source(source)
            self.refresh_stories(self._touched)
            self._touched.clear()

    def run(
        self, sources: Iterable[str], /, *, on_item: Callable[[IngestItem], None] | None = None
    ) -> IngestReport:
        """Ingest everything, store a run record and return the report."""
        report = IngestReport(started_at=datetime.now(UTC))
        for item in self.iter_run(sources):
            report.add(item)
            if on_item:
                on_item(item)
        report.finished_at = datetime.now(UTC)
        self.storage.record_run(
            RunRecord(
                started_at=report.started_at,
                finished_at=report.finished_at,
                counts=dict(report.counts),
                errors=tuple(report.errors[:200]),
            )
        )
        return report

    def refresh_stories(self, story_ids: Iterable[str]) -> None:
        """Rebuild and store the brief of each story from its current members (with the
        engine's LLM summary backend, when one is configured)."""
        from newsbrief.pipeline.story import build_story

        summariser = self.engine.summariser
        rows = []
        for sid in sorted(set(story_ids)):
            members = self.storage.story_articles(sid)
            if not members:
                self.storage.delete_story(sid)
                continue
            story = build_story(sid, members, summariser=summariser)
            rows.append(
                StoryRow(
                    id=sid,
                    title=story.title,
                    first_seen=story.first_seen,
                    last_updated=story.last_updated,
                    brief=story.to_dict(),
                    outlet_count=len(story.outlets),
                    article_count=len(story.articles),
                )
            )
        self.storage.upsert_stories(rows)

    def recluster(self) -> int:
        """Forget every story and rebuild them from the stored articles, in ingest order."""
        with self._lock:
            return self._recluster()

    def _recluster(self) -> int:
        self.storage.clear_stories()
        self._dedup, self._clusterer = None, None
        assignments = self._replay(write=True)
        self.refresh_stories(set(assignments.values()))
        return len(set(assignments.values()))

    # -- state ------------------------------------------------------------------------
    def _prepare(self) -> None:
        """Bring the dedup index and the clusterer up to date with the store: a full replay
        the first time, then only the articles stored since (by other processes)."""
        if self._clusterer is None:
            self._repair(self._replay(write=False))
            return
        for stored in self.storage.all_articles_in_order(after_seq=self._last_seq):
            self._remember(stored, {})

    def _repair(self, assignments: dict[str, str]) -> None:
        """Make the store agree with the replay. Articles that a killed run stored without
        their story get the replay's, and so do articles that an earlier version or
        configuration of the clusterer grouped otherwise (new articles then join the
        stories the store shows). Stories whose row is missing or miscounts its members
        are refreshed."""
        stored = self._stored_story
        moved = [(aid, assignments[aid]) for aid, sid in stored.items() if sid != assignments[aid]]
        if moved:
            self.storage.set_stories(moved)
            self._touched.update(sid for aid, new in moved for sid in (stored[aid], new) if sid)
        members = Counter(assignments[aid] for aid in stored)
        counts = {row.id: row.article_count for row in self.storage.iter_stories()}
        self._touched.update(sid for sid, n in members.items() if counts.get(sid) != n)
        self._touched.update(sid for sid in counts if sid not in members)
        stored.clear()

    def _replay(self, *, write: bool) -> dict[str, str]:
        """Feed every stored article to a fresh dedup index and clusterer, in ingest order."""
        from newsbrief.pipeline.dedup import NearDuplicateIndex

        self._dedup = NearDuplicateIndex()
        self._clusterer = self.engine.new_clusterer()
        assignments: dict[str, str] = {}
        self._stored_story.clear()
        self._last_seq = 0
        for stored in self.storage.all_articles_in_order():
            self._stored_story[stored.id] = stored.story_id
            self._remember(stored, assignments)
        if write:
            self.storage.set_stories(assignments.items())
        return assignments

    def _remember(self, stored: StoredArticle, assignments: dict[str, str]) -> None:
        """Feed one stored article to the dedup index and the clusterer."""
        from newsbrief.pipeline.dedup import unpack

        assert self._dedup is not None and self._clusterer is not None
        if stored.minhash:
            self._dedup.add_fingerprint(stored.id, unpack(stored.minhash))
        original = stored.duplicate_of
        if original and original in assignments:
            assignments[stored.id] = assignments[original]
        else:
            assignments[stored.id] = self._clusterer.add(_cluster_doc(stored))
        self._last_seq = max(self._last_seq, stored.seq)

    # -- sources ----------------------------------------------------------------------
    def _source(self, source: str) -> Iterator[IngestItem]:
        from newsbrief.engine import is_url

        try:
            if is_url(source):
                yield from self._url_source(source)
            elif source == "-":
                yield self._document(self.engine.load(source))
            else:
                yield from self._local_source(source)
        except NewsbriefError as e:
            yield IngestItem(source, "failed", error=_located(e, source))

    def _local_source(self, source: str) -> Iterator[IngestItem]:
        from newsbrief.adapters import sources

        path = Path(source)
        if not path.exists():
            from newsbrief.errors import SourceNotFound

            raise SourceNotFound("no such file or directory", location=source)
        if path.is_dir() and (path / "articles").is_dir():
            from newsbrief.adapters.batch_io import is_batch_output

            if is_batch_output(path):
                yield from self._batch_output(path)
                return
        kind = sources.detect(source)
        if kind == "article":
            yield self._document(self.engine.load(source))
            return
        failures: list[IngestItem] = []

        def on_error(location: str, error: NewsbriefError) -> None:
            failures.append(IngestItem(location, "failed", error=_located(error, location)))

        for item in sources.expand(source, kind, on_error=on_error, max_bytes=self._max_bytes):
            yield from failures
            failures.clear()
            yield from self._item(item)
        yield from failures

    def _batch_output(self, path: Path) -> Iterator[IngestItem]:
        """The articles of a ``newsbrief batch`` output: already briefed, so stored as they
        are (their ``duplicate_of`` kept), then clustered like any other article."""
        from newsbrief.adapters.batch_io import read_batch_articles

        for rec in read_batch_articles(path):
            yield self._store_briefed(rec, location=rec.url or rec.id)

    def _url_source(self, url: str) -> Iterator[IngestItem]:
        from newsbrief.adapters import sources

        result = self._fetch(url)
        if not result.ok or result.body is None:
            yield self._fetch_failure(url, result)
            return
        kind = sources.detect(url, result.body, result.content_type)
        if kind == "article":
            if result.fetched is None:
                raise InputError("not an HTML or text document", location=url)
            yield self._document(result.fetched, result)
            return
        links = sources.expand(
            result.final_url or url,
            kind,
            result.body,
            load=self._load_bytes,
            max_bytes=self._max_bytes,
        )
        yield from self._links(links)

    def _item(self, item: Link | Fetched) -> Iterator[IngestItem]:
        if isinstance(item, Fetched):
            yield self._document(item)
        else:
            yield from self._links([item])

    def _links(self, links: Iterable[Any]) -> Iterator[IngestItem]:
        """Fetch the pages that links point at (in parallel, politely), then store each."""
        pages = (link for link in links if isinstance(link, Fetched) or link.kind == "page")
        with ThreadPoolExecutor(max_workers=self.fetch_workers) as pool:
            for link, result in pool.map(lambda lk: (lk, self._fetch_link(lk)), pages):
                if isinstance(link, Fetched):
                    yield self._document(link)
                elif isinstance(result, str):  # stored already: a feed's old entry
                    yield IngestItem(link.url, "unchanged", article_id=result)
                elif not result.ok or result.fetched is None:
                    yield self._fetch_failure(link.url, result)
                else:
                    yield self._document(result.fetched, result)

    # -- fetching ---------------------------------------------------------------------
    @property
    def _max_bytes(self) -> int:
        return self.engine.settings.max_bytes

    @property
    def _crawler(self) -> PoliteFetcher:
        return self.engine.crawler

    def _fetch(self, url: str) -> FetchResult:
        state = self.storage.get_feed_state(url)
        result = self._crawler.fetch(
            url,
            etag=state.etag if state else None,
            last_modified=state.last_modified if state else None,
        )
        if result.status in ("ok", "not_modified"):
            from newsbrief.storage_records import FeedState

            self.storage.set_feed_state(
                FeedState(
                    url=url,
                    etag=result.etag or (state.etag if state else None),
                    last_modified=result.last_modified or (state.last_modified if state else None),
                    last_fetched=datetime.now(UTC),
                    last_status=result.http_status,
                )
            )
        return result

    def _fetch_link(self, link: Any) -> FetchResult | str:
        """The page a link points at, or the id of the article stored from it already (a
        feed's old entries are not fetched again)."""
        if isinstance(link, Fetched):
            return ""
        stored = self.storage.get_article_by_url(link.url)
        return stored.id if stored is not None else self._crawler.fetch(link.url)

    def _load_bytes(self, url: str) -> bytes:
        result = self._crawler.fetch(url)
        if not result.ok or result.body is None:
            raise result.error or FetchError(f"HTTP {result.http_status}", location=url)
        return result.body

    def _fetch_failure(self, url: str, result: FetchResult) -> IngestItem:
        if result.status == "robots":
            return IngestItem(url, "robots")
        if result.status == "not_modified":
            return IngestItem(url, "not_modified")
        error = result.error or FetchError(f"HTTP {result.http_status}", location=url)
        return IngestItem(url, "failed", error=_located(error, url))

    # -- one document -----------------------------------------------------------------
    def _document(self, doc: Fetched, fetch: FetchResult | None = None) -> IngestItem:
        try:
            article = self.engine.extract_document(doc)
        except NewsbriefError as e:
            return IngestItem(doc.location, "failed", error=_located(e, doc.location))
        return self._store_article(article, fetch, location=doc.location)

    def _store_article(
        self, article: Any, fetch: FetchResult | None, *, location: str
    ) -> IngestItem:
        from newsbrief.pipeline.dedup import fingerprint, pack
        from newsbrief.storage_records import fingerprint as text_fingerprint

        stored = self.storage.get_article(article.id)
        if stored is not None and stored.fingerprint == text_fingerprint(article.text):
            return IngestItem(location, "unchanged", article.id, stored.story_id)
        try:
            brief = self.engine.brief_article(article)
        except NewsbriefError as e:
            return IngestItem(location, "failed", error=_located(e, location))
        assert self._dedup is not None and self._clusterer is not None
        signature = fingerprint(article.text)
        original = self._dedup.add_fingerprint(article.id, signature)
        rec = NewArticle(
            brief=brief,
            paragraphs=article.paragraphs,
            fetched_at=article.fetched_at,
            minhash=pack(signature),
            fetch_status=fetch.http_status if fetch else None,
            etag=fetch.etag if fetch else None,
            last_modified=fetch.last_modified if fetch else None,
            duplicate_of=original,
        )
        status = self.storage.upsert_article(rec)
        story_id = self._assign_story(article.id, original)
        return IngestItem(location, status, article.id, story_id, duplicate_of=original)

    def _store_briefed(self, rec: NewArticle, *, location: str) -> IngestItem:
        """Store an article briefed elsewhere (a batch run): dedup, upsert, cluster."""
        from dataclasses import replace

        from newsbrief.pipeline.dedup import unpack

        stored = self.storage.get_article(rec.id)
        if stored is not None and stored.fingerprint == rec.fingerprint:
            return IngestItem(location, "unchanged", rec.id, stored.story_id)
        assert self._dedup is not None
        found = self._dedup.add_fingerprint(rec.id, unpack(rec.minhash)) if rec.minhash else None
        original = rec.duplicate_of or found
        if original is not None and self.storage.get_article(original) is None:
            original = found  # the batch's original is not in this store
        if original != rec.duplicate_of:
            rec = replace(rec, duplicate_of=original)
        status = self.storage.upsert_article(rec)
        story_id = self._assign_story(rec.id, original)
        return IngestItem(location, status, rec.id, story_id, duplicate_of=original)

    def _assign_story(self, article_id: str, original: str | None) -> str | None:
        stored = self.storage.get_article(article_id)
        if stored is None:
            return None
        base = self.storage.get_article(original) if original else None
        if base is not None and base.story_id:
            story_id = base.story_id
        else:
            assert self._clusterer is not None
            story_id = self._clusterer.add(_cluster_doc(stored))
        previous = stored.story_id
        self._last_seq = max(self._last_seq, stored.seq)
        self.storage.set_story(article_id, story_id)
        self._touched.add(story_id)
        if previous and previous != story_id:
            self._touched.add(previous)
        return story_id


def _cluster_doc(stored: StoredArticle) -> ClusterDoc:
    from newsbrief.pipeline.cluster import ClusterDoc

    ents = stored.brief.entities
    return ClusterDoc(
        id=stored.id,
        date=stored.dated_at,
        title=stored.title or "",
        text=stored.text,
        entities=(*ents.people, *ents.organizations, *ents.places),
    )


def _located(error: NewsbriefError, location: str) -> NewsbriefError:
    if error.location is None:
        error.location = location
    return error
