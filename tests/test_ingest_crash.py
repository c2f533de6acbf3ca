"""Crash safety of ``newsbrief ingest``: SIGKILL mid-run, then run it again.

A real ``python -m newsbrief ingest DIR`` subprocess stores a directory of generated article
pages; it is killed with SIGKILL once the store holds some but not all of them, and the same
command is run again to completion. Afterwards every page is stored exactly once, the file is
intact, the full-text index matches the table, every article has a story that exists, and
``newsbrief export`` works.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SAMPLE, run_cli

PAGES = 150
BODY_PARAGRAPH = re.compile(r"<p\b([^>]*)>([^<]{120,})</p>")
CANONICAL = re.compile(r'<link rel="canonical" href="([^"]+)"')

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals")


def _write_pages(folder: Path, count: int, seed: int = 11) -> None:
    """``count`` article pages from the sample corpus, each with its own canonical URL and a
    body of paragraphs drawn from the whole corpus (numbers changed), so few are duplicates."""
    rng = random.Random(seed)
    bases = [p.read_text(encoding="utf-8") for p in sorted(SAMPLE.glob("*.html"))]
    pool = [m.group(2) for t in bases for m in BODY_PARAGRAPH.finditer(t)]
    folder.mkdir()
    for i in range(count):
        base = bases[i % len(bases)]
        found = CANONICAL.search(base)
        assert found is not None
        page = base.replace(found.group(1), f"https://crash{i % 7}.example/news/{i:04d}")

        def swap(m: re.Match[str]) -> str:
            text = re.sub(
                r"\d+", lambda d: str(int(d.group()) + rng.randint(1, 99)), rng.choice(pool)
            )
            return f"<p{m.group(1)}>{text}</p>"

        (folder / f"page-{i:04d}.html").write_text(BODY_PARAGRAPH.sub(swap, page), "utf-8")


def _count(db: Path, sql: str) -> int:
    """One number from the store, read-only (never blocks or changes the writer)."""
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2) as conn:
            return int(conn.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:
        return 0  # not created yet, or busy for a moment


def _ingest_and_kill(folder: Path, db: Path, env: dict[str, str], at_least: int) -> int:
    """Start the ingest and SIGKILL it once ``at_least`` articles are stored."""
    cmd = [sys.executable, "-m", "newsbrief", "ingest", str(folder), "--db", f"sqlite:///{db}"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            if _count(db, "SELECT count(*) FROM articles") >= at_least:
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    return proc.returncode


def test_sigkill_then_rerun_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    folder, db = tmp_path / "pages", tmp_path / "news.db"
    _write_pages(folder, PAGES)
    env = {**os.environ, "NEWSBRIEF_NER": "gazetteer"}

    returncode = _ingest_and_kill(folder, db, env, at_least=PAGES // 3)
    stored_before = _count(db, "SELECT count(*) FROM articles")
    assert returncode == -signal.SIGKILL, "the ingest finished before it could be killed"
    assert 0 < stored_before < PAGES

    done = run_cli("ingest", str(folder), "--db", f"sqlite:///{db}", env=env)
    assert done.returncode == 0, done.stderr

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        ids = [row[0] for row in conn.execute("SELECT id FROM articles")]
        urls = {row[0] for row in conn.execute("SELECT url FROM articles")}
        fts = conn.execute("SELECT count(*) FROM articles_fts").fetchone()[0]
        no_story = conn.execute("SELECT count(*) FROM articles WHERE story_id IS NULL")
        no_story_count = no_story.fetchone()[0]
        missing = conn.execute(
            "SELECT count(DISTINCT story_id) FROM articles"
            " WHERE story_id NOT IN (SELECT id FROM stories)"
        ).fetchone()[0]
        empty = conn.execute(
            "SELECT count(*) FROM stories WHERE id NOT IN"
            " (SELECT story_id FROM articles WHERE story_id IS NOT NULL)"
        ).fetchone()[0]
        counted = conn.execute(
            "SELECT count(*) FROM stories s WHERE article_count !="
            " (SELECT count(*) FROM articles a WHERE a.story_id = s.id)"
        ).fetchone()[0]
    expected = {f"https://crash{i % 7}.example/news/{i:04d}" for i in range(PAGES)}
    assert len(ids) == len(set(ids)) == PAGES
    assert urls == expected
    assert fts == PAGES
    assert no_story_count == 0
    assert missing == 0, f"{missing} stories referenced by articles were never stored"
    assert empty == 0 and counted == 0

    exported = run_cli("export", "--db", f"sqlite:///{db}", env=env)
    assert exported.returncode == 0, exported.stderr
    lines = [json.loads(line) for line in exported.stdout.splitlines() if line.strip()]
    assert sorted(a["id"] for a in lines) == sorted(ids)
