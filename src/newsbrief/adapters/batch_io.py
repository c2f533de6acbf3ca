"""Files of a batch run (``newsbrief batch``): WARC record offsets in, Parquet out.

::

    scan_warc(path)               -> record offsets (streamed; nothing is read whole)
    iter_record(path, start, end) -> the documents of one record, via sources.iter_warc
    PartitionWriter(path)         -> rows written in row groups to a temp file, then renamed
    read_batch_articles(dir)      -> NewArticle per row, in partition order (for ingest)
    mark_duplicates(file, values) -> the ``duplicate_of`` column rewritten (temp + rename)

A batch output directory holds ``articles/*.parquet`` (one file per partition, see
:data:`ARTICLE_SCHEMA`), ``failures.jsonl`` and the run's bookkeeping. Only this module
imports pyarrow; it is the ``batch`` extra.
"""

from __future__ import annotations

import io
import json
import os
import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from newsbrief.adapters.sources import ErrorHook, iter_warc, sniff_kind
from newsbrief.errors import InputError
from newsbrief.records import Fetched
from newsbrief.storage_records import NewArticle, brief_from_dict

__all__ = [
    "ARTICLE_SCHEMA",
    "PartitionWriter",
    "article_files",
    "is_batch_output",
    "iter_record",
    "mark_duplicates",
    "read_batch_articles",
    "read_fingerprints",
    "scan_warc",
]

_STRINGS = pa.list_(pa.string())
ARTICLE_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("record", pa.string()),  # "<WARC file name>#<record number>": unique per input record
        ("url", pa.string()),
        ("title", pa.string()),
        ("text", pa.string()),
        ("paragraphs", _STRINGS),
        ("source_name", pa.string()),
        ("source_domain", pa.string()),
        ("source_url", pa.string()),
        ("published", pa.string()),
        ("authors", _STRINGS),
        ("language", pa.string()),
        ("word_count", pa.int32()),
        ("read_time_minutes", pa.int32()),
        ("read_time_basis", pa.string()),
        ("quotes", _STRINGS),
        ("summary", pa.string()),
        ("summary_method", pa.string()),
        ("people", _STRINGS),
        ("organizations", _STRINGS),
        ("places", _STRINGS),
        ("genre", pa.string()),
        ("paywalled", pa.bool_()),
        ("image", pa.string()),
        ("fetched_at", pa.timestamp("us", tz="UTC")),
        ("minhash", pa.binary()),
        ("duplicate_of", pa.string()),
        ("brief", pa.string()),  # the whole brief as JSON (statements, relations, images...)
    ]
)
"""One row per article; the flat columns repeat the brief's fields for analysis tools."""

_GROUP_ROWS = 256


# --- WARC records ---------------------------------------------------------------------------


def scan_warc(path: str | os.PathLike[str]) -> Iterator[int]:
    """The byte offset of each record of a WARC or WARC.gz file, read as a stream.

    Raises InputError for a file that is not a WARC, or a gzip that is not one member per
    record (such a file cannot be split; ``warcio recompress`` fixes it).
    """
    name = os.fspath(path)
    try:
        with open(name, "rb") as stream:
            if sniff_kind(stream.read(65536)) != "warc":
                raise InputError("not a WARC file (no WARC/ record header)", location=name)
            stream.seek(0)
            records = ArchiveIterator(stream, no_record_parse=True)
            for _record in records:
                yield records.get_record_offset()
    except FileNotFoundError:
        raise InputError("no such file", location=name) from None
    except ArchiveLoadFailed as exc:
        reason = " ".join(str(exc).split())
        raise InputError(f"not a valid WARC file: {reason}", location=name) from None


def iter_record(
    path: str | os.PathLike[str],
    start: int,
    end: int | None,
    *,
    max_bytes: int = 10_000_000,
    on_error: ErrorHook | None = None,
) -> Iterator[Fetched]:
    """The document held by the record at ``[start, end)`` of a WARC file (none for records
    that hold no HTML or text page), through :func:`sources.iter_warc`; only that byte
    range is read."""
    with open(path, "rb") as raw:
        stream = io.BufferedReader(_Window(raw, start, end))
        yield from iter_warc(stream, max_bytes=max_bytes, on_error=on_error)


class _Window(io.RawIOBase):
    """A read-only view of ``[start, end)`` of an open file (to EOF when end is None)."""

    def __init__(self, raw: IO[bytes], start: int, end: int | None) -> None:
        raw.seek(start)
        self._raw, self._left = raw, (None if end is None else end - start)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        size = len(view) if self._left is None else min(len(view), self._left)
        data = self._raw.read(size)
        view[: len(data)] = data
        if self._left is not None:
            self._left -= len(data)
        return len(data)


# --- Parquet output -------------------------------------------------------------------------


class PartitionWriter:
    """Writes one partition's rows to ``path`` atomically: a hidden temp file in the same
    directory, renamed into place by :meth:`commit`; :meth:`abort` removes it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._tmp = path.with_name(f".{path.stem}.{uuid.uuid4().hex}.tmp")
        self._writer = pq.ParquetWriter(self._tmp, ARTICLE_SCHEMA, compression="zstd")
        self._rows: list[dict[str, Any]] = []
        self.count = 0

    def write(self, row: Mapping[str, Any]) -> None:
        """Add one row (keys of :data:`ARTICLE_SCHEMA`; missing ones are null)."""
        self._rows.append(dict(row))
        self.count += 1
        if len(self._rows) >= _GROUP_ROWS:
            self._flush()

    def commit(self) -> None:
        """Finish the file and rename it into place."""
        self._flush()
        self._writer.close()
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        self._writer.close()
        self._tmp.unlink(missing_ok=True)

    def _flush(self) -> None:
        if self._rows:
            self._writer.write_table(pa.Table.from_pylist(self._rows, schema=ARTICLE_SCHEMA))
            self._rows.clear()


def article_files(out: Path) -> list[Path]:
    """The finished partition files of a batch output, in partition (name) order."""
    return sorted((out / "articles").glob("[!.]*.parquet"))


def is_batch_output(path: Path) -> bool:
    """Whether ``path`` is a directory written by ``newsbrief batch``."""
    return path.is_dir() and bool(article_files(path))


def read_fingerprints(file: Path) -> list[tuple[str, bytes | None, str | None]]:
    """(id, minhash, duplicate_of) of each row of one partition file, in row order."""
    table = pq.read_table(file, columns=["id", "minhash", "duplicate_of"])
    ids, prints, dups = (table.column(c).to_pylist() for c in ("id", "minhash", "duplicate_of"))
    return list(zip(ids, prints, dups, strict=True))


def mark_duplicates(file: Path, values: Sequence[str | None]) -> None:
    """Rewrite one partition file with a new ``duplicate_of`` column (temp file + rename),
    one row group at a time."""
    source = pq.ParquetFile(file)
    tmp = file.with_name(f".{file.stem}.{uuid.uuid4().hex}.tmp")
    column = ARTICLE_SCHEMA.get_field_index("duplicate_of")
    done = 0
    with pq.ParquetWriter(tmp, ARTICLE_SCHEMA, compression="zstd") as writer:
        for batch in source.iter_batches(batch_size=_GROUP_ROWS):
            part = pa.array(values[done : done + batch.num_rows], pa.string())
            writer.write_batch(batch.set_column(column, "duplicate_of", part))
            done += batch.num_rows
    source.close()
    if done != len(values):
        tmp.unlink()
        raise ValueError(f"{file}: {done} rows, {len(values)} values")
    os.replace(tmp, file)


def read_batch_articles(out: str | os.PathLike[str]) -> Iterator[NewArticle]:
    """Every article of a batch output, as records ready to store, in partition order (so an
    article comes after the one it copies); read one row group at a time."""
    for file in article_files(Path(out)):
        source = pq.ParquetFile(file)
        for batch in source.iter_batches(batch_size=_GROUP_ROWS):
            for row in batch.to_pylist():
                yield _new_article(row)
        source.close()


def _new_article(row: Mapping[str, Any]) -> NewArticle:
    brief = brief_from_dict(json.loads(row["brief"]))
    fetched: datetime | None = row["fetched_at"]
    return NewArticle(
        brief=brief,
        paragraphs=tuple(row["paragraphs"] or ()),
        fetched_at=fetched,
        minhash=row["minhash"],
        duplicate_of=row["duplicate_of"],
    )
