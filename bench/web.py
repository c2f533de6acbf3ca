#!/usr/bin/env python3
"""Benchmark: the web reader under load, over a store of 10,000 articles.

1. Builds the store (cached under bench/out/): ingests the bundled sample corpus (24 articles,
   16 stories), then writes variants of every sample story through the storage API until there
   are ``--articles`` articles: ``NewArticle`` records in batches (``upsert_articles``), the
   story rows (``upsert_stories``) and the links (``set_stories``). Variant n of an article has
   its own URL, a made-up place name in its title and opening, a rotated paragraph order and
   dates moved by n days; variant n of a story is the sample story's brief with its articles,
   quotes and timeline pointed at those variants. So the store holds stories of the sample's
   sizes (1 to 4 articles) rather than a few giant ones. Full ingest of 10,000 pages would
   mostly time extraction and briefing, which bench/extract.py and bench/brief.py measure.
2. Starts the real server, ``newsbrief serve``, in a subprocess on 127.0.0.1.
3. Runs a bounded load client on loopback: ``--connections`` threads, each with one keep-alive
   httpx connection, sending ``--requests`` requests per page after a warm-up, and prints
   requests per second and latency percentiles for the front page, a story page and search.

Usage: python bench/web.py [--articles 10000] [--requests 400] [--connections 4] [--rebuild]
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from newsbrief import make_engine
from newsbrief.records import Story, article_id
from newsbrief.storage_records import NewArticle, StoredArticle, StoryRow

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "src" / "newsbrief" / "sample"
OUT = ROOT / "bench" / "out"
SEARCHES = ("strike", "grain rail", "central bank", "flood", "comet probe", "defense bill")
_SYLLABLES = ("tar", "ven", "mos", "ril", "kad", "lun", "bre", "sol", "dun", "fia", "gor", "hal")


def place_name(n: int) -> str:
    """A made-up place name, different for each ``n`` (three syllables from a small set)."""
    a, b, c = n % 12, (n // 12) % 12, (n // 144) % 12
    return (_SYLLABLES[a] + _SYLLABLES[b] + _SYLLABLES[c]).title()


def variant(base: StoredArticle, n: int, fetched_at: datetime) -> NewArticle:
    """Variant ``n`` of a stored article, as a new record for the store."""
    place = place_name(n)
    paragraphs = list(base.paragraphs)
    k = n % max(1, len(paragraphs))
    paragraphs = paragraphs[k:] + paragraphs[:k]
    paragraphs[0] = f"In {place}, {paragraphs[0][0].lower()}{paragraphs[0][1:]}"
    url = f"{base.url or 'https://bench.example/a'}?variant={n}"
    text = "\n\n".join(paragraphs)
    brief = dataclasses.replace(
        base.brief,
        id=article_id(url, text),
        url=url,
        title=f"{base.title or 'Untitled'} ({place})",
        published=_shift(base.brief.published, n),
    )
    return NewArticle(brief=brief, paragraphs=tuple(paragraphs), fetched_at=fetched_at)


def _shift(value: str | None, days: int) -> str | None:
    """An ISO 8601 time moved by ``days`` (None stays None)."""
    if not value:
        return value
    return (datetime.fromisoformat(value) + timedelta(days=days)).isoformat()


def story_variant(story: Story, n: int, new: dict[str, NewArticle]) -> StoryRow:
    """Variant ``n`` of a story, whose articles are the variants in ``new`` (by base id)."""
    d = story.to_dict()
    d["id"] = f"{story.id}-v{n}"
    d["title"] = f"{story.title or 'Untitled story'} ({place_name(n)})"
    for key in ("first_seen", "last_updated"):
        d[key] = _shift(d[key], n)
    for entry in (*d["quotes"], *d["timeline"]):
        rec = new.get(entry.get("article_id") or "")
        if rec:
            entry.update(article_id=rec.id, url=rec.url)
    for entry in d["timeline"]:
        entry["date"] = _shift(entry["date"], n)
    for a in d["articles"]:
        rec = new[a["id"]]
        a.update(id=rec.id, url=rec.url, title=rec.brief.title, published=rec.brief.published)
        a["dated_at"] = _shift(a.get("dated_at"), n)
        if a.get("duplicate_of") in new:
            a["duplicate_of"] = new[a["duplicate_of"]].id
    first, last = (datetime.fromisoformat(d[k]) for k in ("first_seen", "last_updated"))
    return StoryRow(
        id=d["id"],
        title=d["title"],
        first_seen=first,
        last_updated=last,
        brief=d,
        outlet_count=len(d["outlets"]),
        article_count=len(d["articles"]),
    )


def build_store(path: Path, articles: int) -> str:
    """Create the benchmark store at ``path`` and return its URL."""
    db = f"sqlite:///{path}"
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    with make_engine(db, ner="gazetteer") as engine:
        t0 = time.perf_counter()
        engine.ingest([str(SAMPLE)])
        stories = list(engine.stories(limit=1000).items)
        members = {s.id: engine.story_articles(s.id) for s in stories}
        total = sum(len(m) for m in members.values())
        t1 = time.perf_counter()
        now = datetime.now().astimezone()
        for n in itertools.count(1):
            if total >= articles:
                break
            total += _write_variants(engine.storage, stories, members, n, now, articles - total)
        t2 = time.perf_counter()
        count = engine.storage.count_articles()
        story_count = engine.storage.count_stories()
    print(
        f"store: {count} articles in {story_count} stories "
        f"(sample ingest {t1 - t0:.1f}s, variants written {t2 - t1:.1f}s)"
    )
    return db


def _write_variants(
    storage: Any,
    stories: Sequence[Story],
    members: dict[str, list[StoredArticle]],
    n: int,
    now: datetime,
    budget: int,
) -> int:
    """Write variant ``n`` of every story (its articles, then the story); returns articles."""
    records: list[NewArticle] = []
    rows: list[StoryRow] = []
    links: list[tuple[str, str]] = []
    for story in stories:
        if len(records) + len(members[story.id]) > budget:
            break
        new = {a.id: variant(a, n, now) for a in members[story.id]}
        row = story_variant(story, n, new)
        records += new.values()
        rows.append(row)
        links += [(rec.id, row.id) for rec in new.values()]
    storage.upsert_articles(records)
    storage.upsert_stories(rows)
    storage.set_stories(links)
    return len(records) or budget  # a story larger than the budget ends the loop


@dataclasses.dataclass
class Result:
    name: str
    latencies: list[float]
    wall: float
    errors: int

    def line(self) -> str:
        lat = sorted(self.latencies)
        p50 = statistics.median(lat) * 1000
        p95 = lat[min(len(lat) - 1, int(len(lat) * 0.95))] * 1000
        rps = len(lat) / self.wall
        return (
            f"{self.name:<14} {rps:8.1f} req/s   p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   "
            f"max {lat[-1] * 1000:7.1f} ms   errors {self.errors}"
        )


def load(base: str, name: str, paths: Sequence[str], requests: int, connections: int) -> Result:
    """Send ``requests`` GETs over ``connections`` keep-alive connections; time each one."""
    counter = itertools.count()
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def worker() -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            while (i := next(counter)) < requests:
                t = time.perf_counter()
                r = client.get(paths[i % len(paths)])
                took = time.perf_counter() - t
                with lock:
                    latencies.append(took)
                    errors[0] += r.status_code != 200

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    start = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return Result(name, latencies, time.perf_counter() - start, errors[0])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(db: str) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "NEWSBRIEF_NER": "gazetteer"}
    env.pop("NEWSBRIEF_API_TOKEN", None)
    cmd = [sys.executable, "-m", "newsbrief", "serve", "--db", db, "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(base + "/api/v1/health", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)


def pick_story_pages(base: str, count: int = 10) -> list[str]:
    """Story pages of typical size: stories from the first pages of the front page."""
    ids: list[str] = []
    cursor = None
    while len(ids) < count * 5:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = httpx.get(base + "/api/v1/stories", params=params).json()
        ids += [s["id"] for s in page["items"]]
        cursor = page["next"]
        if not cursor:
            break
    random.Random(7).shuffle(ids)
    return [f"/stories/{i}" for i in ids[:count]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--requests", type=int, default=400, help="per page kind")
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--rebuild", action="store_true", help="rebuild the cached store")
    args = ap.parse_args()
    path = OUT / f"web-{args.articles}.db"
    db = f"sqlite:///{path}"
    if args.rebuild or not path.exists():
        db = build_store(path, args.articles)
    with make_engine(db) as engine:
        print(f"store: {engine.storage.count_articles()} articles at {path}")
    with serving(db) as base:
        kinds = {
            "front page": ["/"],
            "story page": pick_story_pages(base),
            "search": [f"/search?q={q.replace(' ', '+')}" for q in SEARCHES],
            "api stories": ["/api/v1/stories"],
        }
        print(f"load: {args.requests} requests per kind, {args.connections} connections")
        for name, paths in kinds.items():
            load(base, name, paths, max(20, args.requests // 10), args.connections)  # warm-up
            print(load(base, name, paths, args.requests, args.connections).line(), flush=True)


if __name__ == "__main__":
    main()
