"""Partitioning WARC files by record offsets, reading one record's byte range, the Parquet
writer, and the local engine's retries."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from newsbrief._batch.engines import LocalRunner
from newsbrief._batch.plan import ScanTask, expand_sources, file_tag, scan_file
from newsbrief.adapters.batch_io import (
    PartitionWriter,
    iter_record,
    mark_duplicates,
    read_fingerprints,
    scan_warc,
)
from newsbrief.errors import InputError
from tests.batch.warcs import pages, write_warc


@pytest.fixture(params=[False, True], ids=["warc", "warc.gz"])
def warc(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    name = "c.warc.gz" if request.param else "c.warc"
    return write_warc(tmp_path / name, pages(), gzip=request.param)


def test_partitions_cover_every_record_once_in_order(warc: Path) -> None:
    offsets = list(scan_warc(warc))
    assert len(offsets) == len(pages()) and offsets == sorted(offsets) and offsets[0] == 0
    result = scan_file(ScanTask(str(warc), file_tag(str(warc)), 5))
    assert result.error is None
    parts = result.partitions
    assert [len(p.offsets) for p in parts] == [5, 5, 3]
    spans = [s for p in parts for s in p.spans()]
    assert [n for n, _, _ in spans] == list(range(len(pages())))
    assert [start for _, start, _ in spans] == offsets
    assert [end for _, _, end in spans] == [*offsets[1:], None]
    assert [p.id for p in parts] == sorted(p.id for p in parts)


def test_one_record_is_read_from_its_byte_range(warc: Path) -> None:
    offsets = [*scan_warc(warc), None]
    found = []
    for page, start, end in zip(pages(), offsets, offsets[1:], strict=False):
        docs = list(iter_record(warc, start or 0, end))
        found.append([d.url for d in docs])
        expected = [page.url] if page.kind in ("page", "empty") else []
        assert [d.url for d in docs] == expected, page.kind
    assert len(found) == len(pages())


def test_a_file_that_is_not_a_warc_is_an_input_error(tmp_path: Path) -> None:
    other = tmp_path / "notes.warc"
    other.write_text("<html><body><p>hello</p></body></html>")
    with pytest.raises(InputError):
        list(scan_warc(other))
    assert scan_file(ScanTask(str(other), "t", 10)).error
    with pytest.raises(InputError):
        expand_sources([str(tmp_path / "missing")])
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError):
        expand_sources([str(empty)])


def test_file_tags_are_stable_and_name_ordered(tmp_path: Path) -> None:
    a, b = tmp_path / "CC-NEWS-01.warc.gz", tmp_path / "CC-NEWS-02.warc.gz"
    a.write_bytes(b"x" * 10)
    b.write_bytes(b"x" * 10)
    assert file_tag(str(a)) == file_tag(str(a)) and file_tag(str(a)).startswith("CC-NEWS-01-")
    assert file_tag(str(a)) < file_tag(str(b))
    assert expand_sources([str(tmp_path)]) == [str(a), str(b)]


def test_partition_writer_is_atomic(tmp_path: Path) -> None:
    target = tmp_path / "p.parquet"
    writer = PartitionWriter(target)
    writer.write({"id": "a", "record": "f#0", "text": "body"})
    writer.abort()
    assert not list(tmp_path.iterdir())
    writer = PartitionWriter(target)
    for n in range(300):  # more than one row group
        writer.write({"id": f"id{n}", "record": f"f#{n}", "minhash": b"\x01\x00\x00\x00"})
        assert not target.exists()
    writer.commit()
    assert [p.name for p in tmp_path.iterdir()] == ["p.parquet"]
    mark_duplicates(target, ["id0" if n % 2 else None for n in range(300)])
    rows = read_fingerprints(target)
    assert [r[2] for r in rows[:3]] == [None, "id0", None] and rows[5][0] == "id5"
    assert pq.read_table(target).column("record").to_pylist()[299] == "f#299"
    with pytest.raises(ValueError):
        mark_duplicates(target, [None])


def always_fails(item: int) -> int:
    raise ValueError(f"bad item {item}")


def test_local_runner_gives_up_after_retries() -> None:
    runner = LocalRunner(1, retries=1)
    results = dict(runner.map_unordered(always_fails, [7]))
    assert isinstance(results[7], ValueError) and "bad item 7" in str(results[7])
