"""The store commands end to end: ingest, search, stories, story, digest, export, recluster."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import SAMPLE, run_cli

MANIFEST = json.loads((SAMPLE / "MANIFEST.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("store") / "news.db"
    url = f"sqlite:///{path}"
    r = run_cli("ingest", str(SAMPLE), "--db", url, env={"NEWSBRIEF_NER": "gazetteer"})
    assert r.returncode == 0, r.stderr
    assert f"{len(MANIFEST)} added" in r.stdout
    return url


def test_ingest_is_idempotent(db: str) -> None:
    r = run_cli("ingest", str(SAMPLE), "--db", db)
    assert r.returncode == 0, r.stderr
    assert "0 added, 0 updated" in r.stdout
    assert f"{len(MANIFEST)} unchanged" in r.stdout
    rows = [json.loads(x) for x in run_cli("export", "--db", db).stdout.splitlines()]
    assert len(rows) == len(MANIFEST)


def test_wire_copies_are_marked(db: str) -> None:
    """Each wire copy is linked to its original (whichever was stored first points at the
    other) and shares its story."""
    rows = [json.loads(x) for x in run_cli("export", "--db", db).stdout.splitlines()]
    by_url = {r["url"]: r for r in rows}
    url_of = {m["file"]: m["url"] for m in MANIFEST}
    pairs = [
        (by_url[m["url"]], by_url[url_of[m["duplicate_of"]]]) for m in MANIFEST if m["duplicate_of"]
    ]
    assert pairs
    root = {r["id"]: r["duplicate_of"] or r["id"] for r in rows}
    for copy, original in pairs:  # copies of one text form one group (first stored = root)
        assert root[copy["id"]] == root[original["id"]]
        assert copy["story_id"] == original["story_id"]
    assert len([r for r in rows if r["duplicate_of"]]) == len(pairs)


def test_search_ranks_and_highlights(db: str) -> None:
    r = run_cli("search", "comet", "--db", db, "--format", "json")
    assert r.returncode == 0, r.stderr
    hits = json.loads(r.stdout)["items"]
    assert hits and all("comet" in (h["title"] + h["snippet"]).lower() for h in hits[:3])
    assert "⟦" in hits[0]["snippet"]
    text = run_cli("search", "comet", "--db", db)
    assert text.returncode == 0 and "comet" in text.stdout.lower()


def test_search_survives_query_syntax(db: str) -> None:
    for q in ['"unbalanced', "AND OR NOT", "*", "(", "col:umn"]:
        r = run_cli("search", q, "--db", db, "--format", "json")
        assert r.returncode in (0, 2), r.stderr
        assert "Traceback" not in r.stderr


def test_stories_and_story_follow_the_spec(db: str) -> None:
    r = run_cli("stories", "--db", db, "--format", "json", "--limit", "50")
    assert r.returncode == 0, r.stderr
    page = json.loads(r.stdout)
    assert set(page) == {"items", "next"}
    for s in page["items"]:
        for key in (
            "id",
            "title",
            "summary",
            "quotes",
            "articles",
            "outlets",
            "first_seen",
            "last_updated",
            "timeline",
            "entities",
        ):
            assert key in s
    last = [s["last_updated"] for s in page["items"]]
    assert last == sorted(last, reverse=True)
    biggest = max(page["items"], key=lambda s: len(s["articles"]))
    one = json.loads(run_cli("story", biggest["id"], "--db", db, "--format", "json").stdout)
    assert one["id"] == biggest["id"]
    assert all({"text", "source", "url"} <= set(q) for q in one["quotes"])
    for fmt in ("text", "markdown", "html"):
        out = run_cli("story", biggest["id"], "--db", db, "--format", fmt)
        assert out.returncode == 0 and biggest["title"][:20] in out.stdout


def test_unknown_story_is_a_one_line_error(db: str) -> None:
    r = run_cli("story", "st-nope", "--db", db)
    assert r.returncode == 2
    assert r.stderr.strip().startswith("error:") and "\n" not in r.stderr.strip()


def test_digest_formats(db: str) -> None:
    text = run_cli("digest", "--since", "3650d", "--db", db)
    assert text.returncode == 0, text.stderr
    rss = run_cli("digest", "--since", "3650d", "--db", db, "--format", "rss")
    items = ET.fromstring(rss.stdout).findall("./channel/item")
    assert 1 <= len(items) <= 10
    md = run_cli("digest", "--since", "3650d", "--db", db, "--format", "markdown")
    assert md.stdout.lstrip().startswith("#")
    bad = run_cli("digest", "--since", "soon", "--db", db)
    assert bad.returncode == 2 and bad.stderr.startswith("error:")


def test_export_formats(db: str) -> None:
    rows = list(csv.reader(io.StringIO(run_cli("export", "--db", db, "--format", "csv").stdout)))
    assert rows[0][:3] == ["id", "url", "title"] and len(rows) == len(MANIFEST) + 1
    rss = run_cli("export", "--db", db, "--format", "rss").stdout
    assert len(ET.fromstring(rss).findall("./channel/item")) == len(MANIFEST)
    md = run_cli("export", "--db", db, "--format", "markdown").stdout
    assert md.count("Read at") == len(MANIFEST)


def test_recluster_gives_the_streaming_result(db: str) -> None:
    def assignment() -> dict[str, str]:
        rows = [json.loads(x) for x in run_cli("export", "--db", db).stdout.splitlines()]
        return {r["id"]: r["story_id"] for r in rows}

    before = assignment()
    r = run_cli("recluster", "--db", db)
    assert r.returncode == 0, r.stderr
    assert assignment() == before


def test_bad_database_url(tmp_path: Path) -> None:
    r = run_cli("stories", "--db", "nosuchdb://x")
    assert r.returncode != 0
    assert r.stderr.strip().startswith("error:") and "Traceback" not in r.stderr


def test_ingest_with_a_failing_source_exits_1_and_keeps_the_rest(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    page = next(iter(sorted(SAMPLE.glob("*.html"))))
    r = run_cli("ingest", str(page), str(tmp_path / "missing.html"), "--db", url)
    assert r.returncode == 1
    assert "1 added" in r.stdout and "1 failed" in r.stdout
    assert any(line.startswith("error:") for line in r.stderr.splitlines())
