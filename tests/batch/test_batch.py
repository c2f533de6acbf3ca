"""``newsbrief batch``: WARC collections to Parquet on a process pool or Dask, exactly once,
resumable, and loadable by ``ingest``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from newsbrief._batch import PartitionResult, run_batch
from newsbrief._batch.work import KILL_ENV
from newsbrief.config import Settings
from newsbrief.engine import make_engine
from tests.batch.warcs import pages, write_warc
from tests.conftest import run_cli

SETTINGS = Settings.load(ner="gazetteer")
PART = 4  # records per partition: the two files (13 and 7 records) give 4 + 2 partitions


@pytest.fixture(scope="module")
def warcs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("warcs")
    write_warc(folder / "a.warc", pages())
    write_warc(folder / "b.warc.gz", pages()[:7], gzip=True)
    return folder


def expected_articles() -> int:
    return sum(p.kind == "page" for p in pages()) + sum(p.kind == "page" for p in pages()[:7])


def expected_records() -> set[str]:
    """Every record that holds a page: it must come out once, as a row or a failure."""
    keys = {f"a.warc#{n}" for n, p in enumerate(pages()) if p.kind in ("page", "empty")}
    keys |= {f"b.warc.gz#{n}" for n, p in enumerate(pages()[:7]) if p.kind in ("page", "empty")}
    return keys


def batch(warcs: Path, out: Path, **kwargs: Any) -> Any:
    kwargs.setdefault("workers", 2)
    return run_batch([str(warcs)], out, records_per_partition=PART, settings=SETTINGS, **kwargs)


def rows(out: Path) -> list[dict[str, Any]]:
    table = pq.read_table(out / "articles")
    return sorted(table.to_pylist(), key=lambda r: r["record"])


def failures(out: Path) -> list[dict[str, Any]]:
    lines = (out / "failures.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def assert_exactly_once(out: Path) -> None:
    keys = [r["record"] for r in rows(out)] + [f["record"] for f in failures(out)]
    assert sorted(keys) == sorted(expected_records())
    assert not list(out.rglob(".*.tmp")), "temp files left behind"


@pytest.fixture(scope="module")
def reference(warcs: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("local") / "out"
    report = batch(warcs, out, engine="local")
    assert report.complete and report.partitions == 6 and report.resumed == 0
    return out


def test_local_run_writes_one_row_per_article(reference: Path) -> None:
    assert_exactly_once(reference)
    got = rows(reference)
    assert len(got) == expected_articles() == 14
    for row in got:
        assert row["text"] and row["title"] and row["url"].startswith("https://")
        assert row["read_time_minutes"] >= 1 and row["word_count"] > 50
        assert 2 <= len(row["quotes"]) <= 3
        assert all(q in row["text"] for q in row["quotes"])
        assert len(row["minhash"]) == 128 * 4
        assert json.loads(row["brief"])["id"] == row["id"]
    assert {r["source_name"] for r in got} >= {"Estuary Gazette", "Valley Post", "Wire Desk"}
    manifest = (reference / "manifest.jsonl").read_text().splitlines()
    assert len(manifest) == 6


def test_failures_carry_the_stage_and_reason(reference: Path) -> None:
    lines = failures(reference)
    assert {f["url"] for f in lines} == {"https://estuarygazette.example/empty"}
    assert {f["stage"] for f in lines} == {"extract"} and all(f["reason"] for f in lines)
    assert len(lines) == 2  # once in each file


def test_duplicates_are_marked_across_partitions_not_dropped(reference: Path) -> None:
    by_url = {}
    for row in rows(reference):
        by_url.setdefault(row["url"], []).append(row)
    original = by_url["https://estuarygazette.example/news/ferry-0"][0]
    copies = by_url["https://wire.example/ferry-copy"]
    # the copy in a.warc points at the original; the same page again in b.warc.gz is the
    # same article (same id), not a copy of another
    assert [c["duplicate_of"] for c in copies] == [original["id"], None]
    others = [r for r in rows(reference) if r["url"] != "https://wire.example/ferry-copy"]
    assert all(r["duplicate_of"] is None for r in others)


def test_dask_local_cluster_gives_identical_output(warcs: Path, reference: Path, tmp_path: Path):
    report = batch(warcs, tmp_path / "out", engine="dask")
    assert report.complete
    assert rows(tmp_path / "out") == rows(reference)
    assert failures(tmp_path / "out") == failures(reference)


@pytest.mark.parametrize("engine", ["local", "dask"])
def test_killed_worker_is_retried_with_exactly_once_output(
    engine: str, warcs: Path, reference: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "killed"
    monkeypatch.setenv(KILL_ENV, f"a-:{marker}")  # the first partition of a.warc to start
    report = batch(warcs, tmp_path / "out", engine=engine)
    assert marker.exists(), "the hook did not kill a worker"
    assert report.complete
    assert_exactly_once(tmp_path / "out")
    assert rows(tmp_path / "out") == rows(reference)


def test_interrupted_batch_resumes_without_redoing_finished_partitions(
    warcs: Path, reference: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    first: list[str] = []

    def interrupt(result: PartitionResult) -> None:
        first.append(result.id)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        batch(warcs, out, engine="local", workers=1, on_partition=interrupt)
    again: list[str] = []
    report = batch(warcs, out, engine="local", on_partition=lambda r: again.append(r.id))
    assert report.complete and report.resumed == 1
    assert first[0] not in again and len(again) == 5
    assert_exactly_once(out)
    assert rows(out) == rows(reference)
    assert report.articles == 14 and report.duplicates == 1


def test_ingest_of_batch_output_stores_articles_and_forms_stories(
    reference: Path, tmp_path: Path
) -> None:
    with make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}", ner="gazetteer") as engine:
        report = engine.ingest([str(reference)])
        ids = {r["id"] for r in rows(reference)}
        assert report.counts["added"] == len(ids) and report.failed == 0
        copy = next(r for r in rows(reference) if r["duplicate_of"])
        stored = engine.article(copy["id"])
        assert stored.duplicate_of == copy["duplicate_of"]
        assert stored.story_id == engine.article(copy["duplicate_of"]).story_id
        stories = engine.stories(limit=50).items
        assert 1 <= len(stories) < len(ids)
        ferry = [s for s in stories if any("ferry" in (a.url or "") for a in s.articles)]
        assert len(ferry) == 1 and len(ferry[0].articles) == 3
        again = engine.ingest([str(reference)])
        assert again.counts["unchanged"] == len(rows(reference))


def test_unreadable_files_are_reported_and_the_rest_processed(warcs: Path, tmp_path: Path):
    import gzip

    bad = tmp_path / "whole.warc.gz"  # one gzip stream for the whole file: cannot be split
    bad.write_bytes(gzip.compress((warcs / "a.warc").read_bytes()))
    report = run_batch(
        [str(bad), str(warcs / "b.warc.gz")], tmp_path / "out", workers=1, settings=SETTINGS
    )
    assert not report.complete and "not a valid WARC" in report.errors[0]
    assert report.articles == 5 and report.partitions == 1


def test_cli_batch(warcs: Path, tmp_path: Path) -> None:
    usage = run_cli("batch", str(warcs), "--out", str(tmp_path / "x"), "--scheduler", "h:1")
    assert usage.returncode == 2 and usage.stderr.startswith("error: --scheduler")
    done = run_cli(
        "batch", str(warcs / "b.warc.gz"), "--out", str(tmp_path / "out"), "--workers", "1",
        env={"NEWSBRIEF_NER": "gazetteer"},
    )  # fmt: skip
    assert done.returncode == 1, done.stderr  # one record failed (the empty page)
    assert "5 articles" in done.stdout and "1 failures" in done.stdout
    assert "failures.jsonl" in done.stderr
