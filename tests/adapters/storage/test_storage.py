"""The storage suite, run against SQLite and PostgreSQL (see conftest.py)."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from newsbrief.adapters.storage import SCHEMA_VERSION, SqlStorage, _articles, _schema, open_storage
from newsbrief.adapters.storage._search import fts5_query
from newsbrief.adapters.storage._tables import articles as articles_table
from newsbrief.errors import InputError, StorageError
from newsbrief.ports import Storage
from newsbrief.records import Brief, Entities, Outlet, article_id
from newsbrief.storage_records import (
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    FeedState,
    NewArticle,
    RunRecord,
    StoryRow,
    brief_from_dict,
    fingerprint,
)

OpenStore = Callable[[], SqlStorage]

BODY = (
    "The town council approved a plan to rebuild the old harbour wall on {day}.",
    "Fishermen said the storm season had left the wall cracked in {n} places.",
    "Work on the project is expected to start in spring, officials said.",
)


def article(
    n: int,
    *,
    paragraphs: tuple[str, ...] | None = None,
    url: str | None = "auto",
    title: str | None = None,
    published: str | None = "auto",
    outlet: str = "Harbour Gazette",
    **extra: object,
) -> NewArticle:
    """A small article of our own making; ``n`` varies the URL, date and text."""
    if paragraphs is None:
        paragraphs = tuple(p.format(day=f"day {n}", n=n) for p in BODY)
    text = "\n\n".join(paragraphs)
    if url == "auto":
        url = f"https://gazette.example/news/{n}"
    if published == "auto":
        published = (datetime(2025, 3, 1, 9, tzinfo=UTC) + timedelta(hours=n)).isoformat()
    brief = Brief(
        id=article_id(url, text),
        url=url,
        title=title if title is not None else f"Harbour wall plan, part {n}",
        source=Outlet(outlet, "gazette.example", url),
        published=published,
        authors=("A. Writer",),
        language="en",
        word_count=len(text.split()),
        read_time_minutes=1,
        read_time_basis="full",
        quotes=(paragraphs[0],),
        summary=paragraphs[0],
        summary_method="extractive",
        entities=Entities(places=("Harbour",)),
    )
    return NewArticle(brief=brief, paragraphs=paragraphs, **extra)  # type: ignore[arg-type]


def story(n: int, *, updated_hours: int = 0, title: str | None = None) -> StoryRow:
    start = datetime(2025, 3, 1, tzinfo=UTC)
    return StoryRow(
        id=f"story-{n}",
        title=title or f"Story {n}",
        first_seen=start,
        last_updated=start + timedelta(hours=updated_hours),
        brief={"id": f"story-{n}", "summary": f"Summary {n}", "outlets": ["Harbour Gazette"]},
        outlet_count=1,
        article_count=2,
    )


# --- opening and migrations ---------------------------------------------------------------


def test_store_implements_the_port(store: SqlStorage) -> None:
    assert isinstance(store, Storage)
    assert store.schema_version == SCHEMA_VERSION


def test_reopening_keeps_data_and_schema(open_store: OpenStore) -> None:
    first = open_store()
    assert first.upsert_article(article(1)) == "added"
    first.close()
    again = open_store()
    assert again.schema_version == SCHEMA_VERSION
    assert again.count_articles() == 1


def test_opening_a_v1_database_applies_later_migrations(db_url: str, clock: object) -> None:
    engine = sa.create_engine(_driver_url(db_url))
    rec = article(7)
    with engine.begin() as conn:
        assert _schema.migrate(conn, target=1) == 1
        values = _articles._values(rec, datetime(2025, 1, 1, tzinfo=UTC), ingested_at=_T0)
        conn.execute(articles_table.insert(), {**values, "id": rec.id, "ingested_at": _T0})
    engine.dispose()

    store = open_storage(db_url)
    try:
        assert store.schema_version == SCHEMA_VERSION
        hits = store.search("cracked harbour").items
        assert [h.id for h in hits] == [rec.id]  # the v2 index covers rows stored under v1
        assert store.record_run(RunRecord(started_at=_T0)) >= 1  # v3's table exists
        assert store.get_article(rec.id) is not None
    finally:
        store.close()


def test_a_newer_schema_is_refused(db_url: str, store: SqlStorage) -> None:
    with store.engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE schema_version SET version = {SCHEMA_VERSION + 1}")
    store.close()
    with pytest.raises(StorageError, match="newer"):
        open_storage(db_url)


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url", "sqlite+foo:///{}/x.db"])
def test_unsupported_urls_are_input_errors(url: str, tmp_path: Path) -> None:
    with pytest.raises(InputError):
        open_storage(url.format(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_in_memory_sqlite_works() -> None:
    store = open_storage("sqlite://")
    try:
        assert store.upsert_article(article(1)) == "added"
        assert store.search("harbour").items
    finally:
        store.close()


# --- articles ------------------------------------------------------------------------------


def test_upsert_is_idempotent_and_keeps_versions(store: SqlStorage) -> None:
    rec = article(1)
    assert store.upsert_article(rec) == "added"
    assert store.upsert_article(rec) == "unchanged"
    first = store.get_article(rec.id)
    assert first is not None and first.version == 1

    changed = article(1, paragraphs=(*rec.paragraphs, "Correction: the vote was unanimous."))
    assert store.upsert_article(changed) == "updated"
    assert store.upsert_article(changed) == "unchanged"
    now = store.get_article(rec.id)
    assert now is not None
    assert now.version == 2 and now.text == changed.text
    assert now.ingested_at == first.ingested_at and now.seq == first.seq
    assert now.updated_at > first.updated_at
    (old,) = store.article_versions(rec.id)
    assert (old.version, old.text, old.fingerprint) == (1, rec.text, rec.fingerprint)
    assert old.brief == rec.brief
    assert store.count_articles() == 1


def test_unchanged_rewrites_nothing(store: SqlStorage) -> None:
    rec = article(1)
    store.upsert_article(rec)
    before = store.get_article(rec.id)
    # Same URL, same text up to case and punctuation: the fingerprint matches.
    noisy = article(1, paragraphs=tuple(p.upper().replace(",", "") for p in rec.paragraphs))
    assert store.upsert_article(noisy) == "unchanged"
    assert store.get_article(rec.id) == before
    assert store.article_versions(rec.id) == []


def test_articles_without_url_are_keyed_by_content(store: SqlStorage) -> None:
    a, b = article(1, url=None), article(2, url=None)
    assert store.upsert_articles([a, b, a]) == ["added", "added", "unchanged"]
    stored = store.get_article(a.id)
    assert stored is not None and stored.url is None
    assert store.count_articles() == 2


def test_round_trip_of_every_field(store: SqlStorage) -> None:
    fetched = datetime(2025, 3, 2, 8, 30, tzinfo=UTC)
    rec = article(
        3,
        published="2025-03-02T10:15:00+02:00",
        fetched_at=fetched,
        minhash=bytes(range(256)) * 2,
        fetch_status=200,
        etag='"abc"',
        last_modified="Sun, 02 Mar 2025 08:00:00 GMT",
    )
    store.upsert_article(rec)
    got = store.get_article(rec.id)
    assert got is not None
    assert got.brief == rec.brief and got.brief.to_dict() == rec.brief.to_dict()
    assert got.paragraphs == rec.paragraphs and got.text == rec.text
    assert got.minhash == rec.minhash and got.fetched_at == fetched
    assert (got.fetch_status, got.etag, got.last_modified) == (200, '"abc"', rec.last_modified)
    assert got.published_at == datetime(2025, 3, 2, 8, 15, tzinfo=UTC) == got.dated_at
    assert got.fingerprint == fingerprint(rec.text)
    assert (got.title, got.source_name, got.source_domain) == (
        rec.brief.title,
        "Harbour Gazette",
        "gazette.example",
    )
    assert store.get_article_by_url(rec.url or "") == got
    assert store.get_article("no-such-id") is None


@pytest.mark.parametrize("published", [None, "", "last Tuesday"])
def test_undated_articles_count_from_ingest(store: SqlStorage, published: str | None) -> None:
    rec = article(4, published=published)
    store.upsert_article(rec)
    got = store.get_article(rec.id)
    assert got is not None
    assert got.published_at is None and got.dated_at == got.ingested_at


def test_brief_json_survives_unknown_keys() -> None:
    d = article(1).brief.to_dict() | {"added_later": 1}
    d["source"] = {**d["source"], "logo": "x"}
    assert brief_from_dict(d) == article(1).brief


def test_list_articles_pages_newest_first(store: SqlStorage) -> None:
    recs = [article(n) for n in range(7)]
    store.upsert_articles(recs)
    seen: list[str] = []
    cursor: str | None = None
    while True:
        page = store.list_articles(limit=3, cursor=cursor)
        seen += [a.id for a in page.items]
        if page.next is None:
            break
        cursor = page.next
    assert seen == [r.id for r in reversed(recs)]
    since = datetime(2025, 3, 1, 9, tzinfo=UTC) + timedelta(hours=5)
    assert [a.id for a in store.list_articles(since=since).items] == [recs[6].id, recs[5].id]


def test_pages_of_equal_dates_do_not_skip_or_repeat(store: SqlStorage) -> None:
    same = "2025-03-01T00:00:00+00:00"
    store.upsert_articles([article(n, published=same) for n in range(5)])
    first = store.list_articles(limit=2)
    second = store.list_articles(limit=2, cursor=first.next)
    third = store.list_articles(limit=2, cursor=second.next)
    ids = [a.id for p in (first, second, third) for a in p.items]
    assert len(ids) == len(set(ids)) == 5 and third.next is None


@pytest.mark.parametrize("cursor", ["%%%", "bm90IGpzb24", "WzFd"])
def test_bad_cursors_and_limits_are_input_errors(store: SqlStorage, cursor: str) -> None:
    with pytest.raises(InputError):
        store.list_articles(cursor=cursor)
    with pytest.raises(InputError):
        store.list_stories(cursor=cursor)
    with pytest.raises(InputError):
        store.list_articles(limit=0)


def test_duplicates_link_to_their_original(store: SqlStorage) -> None:
    original = article(1)
    copy = article(2, paragraphs=original.paragraphs, duplicate_of=original.id)
    store.upsert_articles([original, copy])
    got = store.get_article(copy.id)
    assert got is not None and got.duplicate_of == original.id
    assert store.articles_with_fingerprint(original.fingerprint) == [original.id, copy.id]
    with pytest.raises(StorageError):  # the original must exist
        store.upsert_article(article(3, duplicate_of="missing"))
    assert store.count_articles() == 2


def test_all_articles_in_order_streams_in_ingest_order(
    store: SqlStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_articles, "_STREAM_BATCH", 3)
    recs = [article(n, published=f"2025-0{1 + n % 3}-01") for n in range(8)]
    for rec in recs:
        store.upsert_article(rec)
    store.upsert_article(article(0, paragraphs=("A rewritten first article.",)))
    assert [a.id for a in store.all_articles_in_order()] == [r.id for r in recs]
    assert [a.id for a in store.iter_export()] == [r.id for r in recs]


# --- search --------------------------------------------------------------------------------


def test_search_finds_ranks_and_highlights(store: SqlStorage) -> None:
    wall = article(1, title="Harbour wall rebuilt")
    ferry = article(2, title="Ferry timetable", paragraphs=("The ferry leaves at noon daily.",))
    mention = article(3, title="Council notes", paragraphs=("Minutes mention the harbour once.",))
    store.upsert_articles([wall, ferry, mention])
    hits = store.search("harbour").items
    assert [h.id for h in hits] == [wall.id, mention.id]  # the title match ranks first
    assert hits[0].score > hits[1].score
    assert f"{HIGHLIGHT_START}harbour{HIGHLIGHT_END}" in hits[0].snippet
    assert (hits[0].title, hits[0].source, hits[0].url) == (
        wall.brief.title,
        "Harbour Gazette",
        wall.url,
    )
    assert {h.id for h in store.search("ferry OR minutes").items} == {ferry.id, mention.id}
    assert [h.id for h in store.search("harbour -minutes").items] == [wall.id]
    assert [h.id for h in store.search('"leaves at noon"').items] == [ferry.id]
    assert store.search('"noon leaves"').items == ()


def test_search_follows_updates(store: SqlStorage) -> None:
    store.upsert_article(article(1))
    store.upsert_article(article(1, paragraphs=("Lighthouse keepers went on strike.",)))
    assert store.search("cracked").items == ()
    assert len(store.search("lighthouse").items) == 1


def test_search_pages(store: SqlStorage) -> None:
    store.upsert_articles([article(n) for n in range(5)])
    first = store.search("harbour", limit=2)
    second = store.search("harbour", limit=2, cursor=first.next)
    third = store.search("harbour", limit=2, cursor=second.next)
    ids = [h.id for p in (first, second, third) for h in p.items]
    assert len(ids) == len(set(ids)) == 5 and third.next is None


@pytest.mark.parametrize(
    "query",
    ['"', "harbour\"'", "(harbour", "harbour)", "NEAR(harbour wall)", "title:harbour", "*", "-",
     "harbour AND", "OR harbour OR", "^harbour", "a:b:c", "'; DROP TABLE articles; --", "",
     "   ", "\x00harbour", "--harbour", "harbour*", "héllo wörld", "港口"],
)  # fmt: skip
def test_hostile_queries_never_fail(store: SqlStorage, query: str) -> None:
    store.upsert_article(article(1))
    page = store.search(query)
    assert all(h.id == article(1).id for h in page.items)
    assert store.count_articles() == 1


def test_fts5_query_quotes_every_term() -> None:
    assert fts5_query("harbour wall") == '"harbour" AND "wall"'
    assert fts5_query('"old wall" OR pier -storm') == '("old wall" OR "pier") NOT ("storm")'
    assert fts5_query("harb* U.S.") == '"harb"* AND "U S"'
    assert fts5_query("-storm") is None
    assert fts5_query("!!! ...") is None


# --- stories -------------------------------------------------------------------------------


def test_stories_round_trip_and_list_newest_activity_first(store: SqlStorage) -> None:
    store.upsert_stories([story(n, updated_hours=n) for n in range(5)])
    store.upsert_story(story(1, updated_hours=10, title="Story 1, updated"))
    got = store.get_story("story-1")
    assert got == story(1, updated_hours=10, title="Story 1, updated")
    assert store.get_story("nope") is None
    first = store.list_stories(limit=3)
    rest = store.list_stories(limit=3, cursor=first.next)
    order = [s.id for s in first.items + rest.items]
    assert order == ["story-1", "story-4", "story-3", "story-2", "story-0"]
    assert rest.next is None
    since = datetime(2025, 3, 1, 3, tzinfo=UTC)
    recent = [s.id for s in store.list_stories(since=since).items]
    assert recent == ["story-1", "story-4", "story-3"]
    assert sorted(s.id for s in store.iter_stories()) == [f"story-{n}" for n in range(5)]
    assert store.count_stories() == 5


def test_story_articles_form_a_timeline(store: SqlStorage) -> None:
    late, early, other = article(5), article(2), article(3)
    store.upsert_articles([late, early, other])
    store.upsert_story(story(1))
    store.set_stories([(late.id, "story-1"), (early.id, "story-1")])
    store.set_story(other.id, "story-2")
    assert [a.id for a in store.story_articles("story-1")] == [early.id, late.id]
    store.set_story(other.id, None)
    assert store.story_articles("story-2") == []
    store.delete_story("story-1")
    assert store.get_story("story-1") is None and store.story_articles("story-1") == []
    got = store.get_article(late.id)
    assert got is not None and got.story_id is None


def test_clear_stories_unlinks_everything(store: SqlStorage) -> None:
    rec = article(1)
    store.upsert_article(rec)
    store.upsert_stories([story(1), story(2)])
    store.set_story(rec.id, "story-2")
    store.clear_stories()
    assert store.count_stories() == 0
    got = store.get_article(rec.id)
    assert got is not None and got.story_id is None


# --- feeds and runs ------------------------------------------------------------------------


def test_feed_state_round_trip(store: SqlStorage, clock: Callable[[], datetime]) -> None:
    url = "https://gazette.example/feed.xml"
    assert store.get_feed_state(url) is None
    at = datetime(2025, 3, 1, tzinfo=UTC)
    store.set_feed_state(FeedState(url, etag='"v1"', last_fetched=at, last_status=200))
    store.set_feed_state(FeedState(url, etag='"v2"', last_modified="x", last_status=304))
    got = store.get_feed_state(url)
    assert got is not None
    assert (got.etag, got.last_modified, got.last_status) == ('"v2"', "x", 304)
    assert got.last_fetched == clock() - timedelta(seconds=1)  # defaulted to the (fake) clock


def test_runs_are_recorded_newest_first(store: SqlStorage) -> None:
    t0 = datetime(2025, 3, 1, tzinfo=UTC)
    first = store.record_run(RunRecord(started_at=t0, counts={"added": 2}))
    second = store.record_run(
        RunRecord(started_at=t0 + timedelta(hours=1), finished_at=t0, errors=("x: timeout",))
    )
    runs = store.list_runs()
    assert [r.id for r in runs] == [second, first]
    assert runs[1].counts == {"added": 2} and runs[0].errors == ("x: timeout",)


# --- concurrency and crash safety ----------------------------------------------------------


def test_concurrent_writers_do_not_duplicate(open_store: OpenStore) -> None:
    stores = [open_store(), open_store()]
    recs = [article(n) for n in range(30)]
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def write(store: SqlStorage) -> None:
        try:
            results.append([store.upsert_article(r) for r in recs])
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert all(sorted(pair) == ["added", "unchanged"] for pair in zip(*results, strict=True))
    assert stores[0].count_articles() == 30


CRASH_ARTICLES = 200


def crash_batches() -> list[list[NewArticle]]:
    """The writes of the crash test: new articles, batches, and rewrites of earlier ones."""
    batches: list[list[NewArticle]] = []
    for n in range(CRASH_ARTICLES):
        batch = [article(n)]
        if n % 4 == 3:
            fix = f"Update {n}: the council later revised the figures."
            batch.append(article(n - 2, paragraphs=(*article(n - 2).paragraphs, fix)))
        if n % 10 == 9:
            batch += [article(n + 10_000 + k, url=None) for k in range(5)]
        batches.append(batch)
    return batches


def write_crash_batches(store: SqlStorage, *, report: bool = False) -> None:
    """Replays :func:`crash_batches` (a batch of one is a single upsert)."""
    for i, batch in enumerate(crash_batches()):
        if len(batch) == 1:
            store.upsert_article(batch[0])
        else:
            store.upsert_articles(batch)
        if report:
            print(i, flush=True)
    if report:
        print("done", flush=True)


def rewrite_forever(store: SqlStorage) -> None:
    """Keeps changing stored articles, so that every write copies a version."""
    for i in itertools.count():
        rec = article(i % 50)
        store.upsert_article(replace(rec, paragraphs=(*rec.paragraphs, f"Revision {i}.")))


_CHILD = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("storage_suite", sys.argv[1])
suite = importlib.util.module_from_spec(spec)
spec.loader.exec_module(suite)
from newsbrief.adapters.storage import open_storage
store = open_storage(sys.argv[2])
suite.write_crash_batches(store, report=True)
suite.rewrite_forever(store)
"""


def _kill_child_after(db_url: str, line: str, delay: float) -> None:
    """Runs the writer child, and SIGKILLs it ``delay`` seconds after it printed ``line``."""
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, __file__, db_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    for got in child.stdout:
        if got.strip() == line:
            break
    time.sleep(delay)
    os.kill(child.pid, signal.SIGKILL)
    _, err = child.communicate()
    assert child.returncode == -signal.SIGKILL, err


@pytest.mark.slow
def test_kill_9_mid_ingest_leaves_a_consistent_store(db_url: str) -> None:
    open_storage(db_url).close()  # migrate first, so the kills land among article writes
    _kill_child_after(db_url, "40", 0.05)  # while adding articles, in batches or one by one
    with open_storage(db_url) as store:
        assert store.count_articles() > 0
        _assert_consistent(store)
        _assert_batches_all_or_nothing(store)
    _kill_child_after(db_url, "done", 0.2)  # while rewriting articles (copying versions)
    with open_storage(db_url) as store:
        _assert_consistent(store)
        write_crash_batches(store)
        _assert_consistent(store)
        _assert_final_state(store)


def _assert_batches_all_or_nothing(store: SqlStorage) -> None:
    stored = {a.id for a in store.all_articles_in_order()}
    seen: set[str] = set()
    for batch in crash_batches():
        new = {rec.id for rec in batch} - seen
        seen |= new
        assert new <= stored or not (new & stored), "a batch was half written"


def _assert_consistent(store: SqlStorage) -> None:
    assert store.integrity_errors() == []
    with store.engine.connect() as conn:
        n = conn.exec_driver_sql("SELECT count(*) FROM articles").scalar()
        if store.dialect == "sqlite":
            indexed = conn.exec_driver_sql("SELECT count(*) FROM articles_fts_docsize").scalar()
        else:
            sql = "SELECT count(*) FROM articles WHERE tsv IS NOT NULL"
            indexed = conn.exec_driver_sql(sql).scalar()
        orphans = conn.exec_driver_sql(
            "SELECT count(*) FROM article_versions v"
            " LEFT JOIN articles a ON a.id = v.article_id WHERE a.id IS NULL"
        ).scalar()
        gaps = conn.exec_driver_sql(
            "SELECT count(*) FROM articles a WHERE a.version - 1 <>"
            " (SELECT count(*) FROM article_versions v WHERE v.article_id = a.id)"
        ).scalar()
    assert (indexed, orphans, gaps) == (n, 0, 0)


def _assert_final_state(store: SqlStorage) -> None:
    last: dict[str, NewArticle] = {}
    for batch in crash_batches():
        for rec in batch:
            last[rec.id] = rec
    assert store.count_articles() == len(last)
    stored = {a.id: a for a in store.all_articles_in_order()}
    assert {i: a.text for i, a in stored.items()} == {i: r.text for i, r in last.items()}
    urls = [a.url for a in stored.values() if a.url]
    assert len(urls) == len(set(urls))


# --- helpers -------------------------------------------------------------------------------

_T0 = datetime(2025, 1, 1, tzinfo=UTC)


def _driver_url(url: str) -> sa.URL:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")
    return parsed


def test_storage_records_are_frozen() -> None:
    rec = article(1)
    with pytest.raises(AttributeError):
        rec.etag = "x"  # type: ignore[misc]
    assert replace(rec, etag="x").etag == "x"
