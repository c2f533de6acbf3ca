#!/usr/bin/env python3
"""Benchmark: ``ingest`` throughput from a loopback web server into SQLite and PostgreSQL.

Serves N generated article pages (default 2,000) and a sitemap listing them from a real HTTP
server in a thread on 127.0.0.1. The pages are made from the bundled sample corpus: each has
its own canonical URL and a body of paragraphs drawn from the whole corpus with the numbers
changed, so few are near-duplicates. Then, each in a fresh process (so peak RSS is per phase):

  * baseline ``fetch``: the same pages fetched with plain httpx (4 threads, as ingest uses);
  * baseline ``brief``: the same pages fetched, extracted and briefed, nothing stored
    (``engine.brief(url)`` one after the other);
  * ``ingest`` into SQLite, then a second, idempotent run over the same sitemap;
  * the same into PostgreSQL (a fresh schema, dropped afterwards), when a URL is given by
    ``--pg`` or NEWSBRIEF_TEST_PG_URL; skipped otherwise.

Everything goes through the public API: ``make_engine(db, allow_private=True,
crawl_interval=0, ner=...).ingest([sitemap_url])``.

Usage: python bench/ingest.py [--pages N] [--ner gazetteer|spacy] [--pg URL]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import newsbrief

SAMPLE = Path(newsbrief.__file__).parent / "sample"
BODY_PARAGRAPH = re.compile(r"<p\b([^>]*)>([^<]{120,})</p>")
CANONICAL = re.compile(r'<link rel="canonical" href="([^"]+)"')


# -- the site ----------------------------------------------------------------------------------
def generate(base_url: str, pages: int, seed: int = 7) -> dict[str, bytes]:
    """Path -> body for the sitemap and ``pages`` article pages."""
    rng = random.Random(seed)
    bases = [p.read_text(encoding="utf-8") for p in sorted(SAMPLE.glob("*.html"))]
    pool = [m.group(2) for t in bases for m in BODY_PARAGRAPH.finditer(t)]

    def swap(m: re.Match[str]) -> str:
        text = re.sub(r"\d+", lambda d: str(int(d.group()) + rng.randint(1, 99)), rng.choice(pool))
        return f"<p{m.group(1)}>{text}</p>"

    site: dict[str, bytes] = {}
    for i in range(pages):
        base = bases[i % len(bases)]
        found = CANONICAL.search(base)
        assert found is not None, "sample page without a canonical link"
        path = f"/news/{i:05d}.html"
        page = BODY_PARAGRAPH.sub(swap, base.replace(found.group(1), base_url + path))
        site[path] = page.encode("utf-8")
    urls = "".join(f"<url><loc>{base_url}{p}</loc></url>" for p in site)
    site["/sitemap.xml"] = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    ).encode()
    site["/robots.txt"] = b"User-agent: *\nAllow: /\n"
    return site


class _Handler(BaseHTTPRequestHandler):
    site: ClassVar[dict[str, bytes]] = {}
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        body = self.site.get(self.path.split("?", 1)[0])
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        kind = "application/xml" if self.path.endswith(".xml") else "text/html; charset=utf-8"
        kind = "text/plain" if self.path.endswith(".txt") else kind
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve(pages: int) -> tuple[ThreadingHTTPServer, str]:
    """Start the loopback site in a daemon thread; returns the server and the sitemap URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    base = f"http://127.0.0.1:{server.server_address[1]}"
    _Handler.site = generate(base, pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, base + "/sitemap.xml"


# -- one phase, in a fresh process --------------------------------------------------------
def _page_urls(sitemap: str) -> list[str]:
    import httpx

    xml = httpx.get(sitemap).text
    return re.findall(r"<loc>([^<]+)</loc>", xml)


def phase_fetch(sitemap: str) -> dict[str, Any]:
    """Baseline: every page fetched with plain httpx, 4 threads."""
    import httpx

    urls = _page_urls(sitemap)
    start = time.perf_counter()
    with httpx.Client() as client, ThreadPoolExecutor(4) as pool:
        sizes = list(pool.map(lambda u: len(client.get(u).content), urls))
    return {"pages": len(sizes), "seconds": time.perf_counter() - start}


def phase_brief(sitemap: str, ner: str) -> dict[str, Any]:
    """Baseline: every page fetched, extracted and briefed, nothing stored."""
    urls = _page_urls(sitemap)
    with newsbrief.make_engine(allow_private=True, crawl_interval=0, ner=ner) as engine:
        engine.brief(urls[0])  # load the models outside the timing
        start = time.perf_counter()
        briefs = [engine.brief(u) for u in urls]
    return {"pages": len(briefs), "seconds": time.perf_counter() - start}


def phase_ingest(sitemap: str, db: str, ner: str) -> dict[str, Any]:
    """Ingest the sitemap into ``db``, then again (nothing changed)."""
    out: dict[str, Any] = {}
    for run in ("first", "second"):
        with newsbrief.make_engine(db, allow_private=True, crawl_interval=0, ner=ner) as engine:
            start = time.perf_counter()
            report = engine.ingest([sitemap])
            out[run] = {"seconds": time.perf_counter() - start, "counts": dict(report.counts)}
            out["stored"] = engine.storage.count_articles()
            out["stories"] = engine.storage.count_stories()
    return out


def child(args: argparse.Namespace) -> None:
    """Run one phase and print its figures (with this process's peak RSS) as JSON."""
    if args.child == "fetch":
        result = phase_fetch(args.sitemap)
    elif args.child == "brief":
        result = phase_brief(args.sitemap, args.ner)
    else:
        result = phase_ingest(args.sitemap, args.db, args.ner)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def _spawn(phase: str, sitemap: str, ner: str, db: str = "") -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", phase, "--sitemap", sitemap, "--ner", ner]
    done = subprocess.run([*cmd, "--db", db], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{phase} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


# -- PostgreSQL: a fresh schema per run ----------------------------------------------------------
def _pg_schema(url: str, name: str, *, drop: bool) -> str:
    """Create (or drop) schema ``name``; returns a URL whose search_path is that schema."""
    import sqlalchemy as sa

    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        sql = f"DROP SCHEMA IF EXISTS {name} CASCADE" if drop else f"CREATE SCHEMA {name}"
        conn.exec_driver_sql(sql)
    engine.dispose()
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{name}"


# -- the report ------------------------------------------------------------------------------------
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--ner", default="gazetteer")
    ap.add_argument("--pg", default=os.environ.get("NEWSBRIEF_TEST_PG_URL", ""))
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--sitemap", help=argparse.SUPPRESS)
    ap.add_argument("--db", default="", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    server, sitemap = serve(args.pages)
    print(f"{args.pages} pages on {sitemap} (ner={args.ner}, {os.cpu_count()} cpus)")
    try:
        rows = _run_all(args, sitemap)
    finally:
        server.shutdown()
    _print(rows, args.pages)


def _run_all(args: argparse.Namespace, sitemap: str) -> list[tuple[str, dict[str, Any]]]:
    rows = [("fetch (httpx)", _spawn("fetch", sitemap, args.ner))]
    rows.append(("brief, no store", _spawn("brief", sitemap, args.ner)))
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{Path(tmp) / 'bench.db'}"
        rows.append(("ingest sqlite", _spawn("ingest", sitemap, args.ner, db)))
    if not args.pg:
        print("skip postgresql: no --pg or NEWSBRIEF_TEST_PG_URL")
        return rows
    name = f"bench_{uuid.uuid4().hex[:10]}"
    try:
        db = _pg_schema(args.pg, name, drop=False)
        rows.append(("ingest postgresql", _spawn("ingest", sitemap, args.ner, db)))
    finally:
        _pg_schema(args.pg, name, drop=True)
    return rows


def _print(rows: list[tuple[str, dict[str, Any]]], pages: int) -> None:
    fetch_rate = pages / rows[0][1]["seconds"]
    brief_rate = pages / rows[1][1]["seconds"]
    print(f"\n{'phase':<20} {'pages/s':>9} {'vs fetch':>9} {'vs brief':>9} {'peak RSS':>10}")
    for name, r in rows:
        first = r.get("first", r)
        rate = pages / first["seconds"]
        rss = f"{r['peak_rss_mb']:.0f} MB"
        print(
            f"{name:<20} {rate:>9.1f} {rate / fetch_rate:>9.3f} {rate / brief_rate:>9.2f} {rss:>10}"
        )
        if "second" in r:
            again = r["second"]
            print(
                f"{'  second run':<20} {pages / again['seconds']:>9.1f}"
                f"  ({again['seconds']:.2f} s; {again['counts']})"
            )
            print(
                f"{'  stored':<20} {r['stored']} articles, {r['stories']} stories; first run "
                f"{first['counts']}"
            )


if __name__ == "__main__":
    main()
