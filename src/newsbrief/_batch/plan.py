"""Planning a batch: which WARC files, and how they split into partitions.

A partition is a run of at most ``records_per_partition`` consecutive records of one WARC
file, given by the byte offset of each record (a record ends where the next begins). The
offsets come from one streamed scan of the file (:func:`scan_file`, run on the workers),
so a large WARC is split without being read whole, and each partition reads only its own
byte range. Partition ids are ``<file stem>-<hash of name and size>-<number>``: the same
file gives the same ids on every run, which is what resuming relies on, and sorting the
ids sorts the partitions by file name, then position in the file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from newsbrief.errors import InputError, NewsbriefError

WARC_SUFFIXES = (".warc", ".warc.gz")


@dataclass(frozen=True)
class Partition:
    """Consecutive records of one WARC file: the unit of work of a batch."""

    id: str
    source: str
    """Path of the WARC file."""
    first: int
    """Number of the partition's first record in the file (0-based)."""
    offsets: tuple[int, ...]
    """Byte offset of each record."""
    end: int | None
    """Offset where the last record ends (the next partition's start), None for EOF."""

    def spans(self) -> list[tuple[int, int, int | None]]:
        """(record number, start, end) of each record."""
        ends = (*self.offsets[1:], self.end)
        return [
            (self.first + i, s, e) for i, (s, e) in enumerate(zip(self.offsets, ends, strict=True))
        ]


@dataclass(frozen=True)
class ScanTask:
    """Find the record offsets of one file and cut them into partitions."""

    source: str
    tag: str
    records_per_partition: int


@dataclass(frozen=True)
class ScanResult:
    task: ScanTask
    partitions: tuple[Partition, ...] = ()
    error: str | None = None


def expand_sources(sources: list[str] | tuple[str, ...]) -> list[str]:
    """WARC files named directly, and the ``.warc``/``.warc.gz`` files under directories
    (recursively, sorted); raises InputError for a missing path or an empty result."""
    files: list[str] = []
    for source in sources:
        path = Path(source).expanduser()
        if path.is_dir():
            found = sorted(
                str(p) for p in path.rglob("*") if p.is_file() and p.name.endswith(WARC_SUFFIXES)
            )
            if not found:
                raise InputError("directory holds no .warc or .warc.gz files", location=source)
            files.extend(found)
        elif path.is_file():
            files.append(str(path))
        else:
            raise InputError("no such file or directory", location=source)
    return list(dict.fromkeys(files))


def file_tag(path: str) -> str:
    """A stable, sortable name for a WARC file: its stem and a hash of its name and size."""
    name = os.path.basename(path)
    stem = re.sub(r"\.warc(\.gz)?$", "", name, flags=re.IGNORECASE)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", stem)[:80] or "warc"
    digest = hashlib.sha1(f"{name}:{os.path.getsize(path)}".encode()).hexdigest()[:8]
    return f"{stem}-{digest}"


def scan_file(task: ScanTask) -> ScanResult:
    """Worker task: stream through a WARC file once and cut its records into partitions."""
    from newsbrief.adapters.batch_io import scan_warc

    size = task.records_per_partition
    parts: list[Partition] = []
    chunk: list[int] = []
    try:
        for offset in scan_warc(task.source):
            if len(chunk) == size:
                parts.append(_partition(task, len(parts), chunk, end=offset))
                chunk = []
            chunk.append(offset)
    except NewsbriefError as e:
        return ScanResult(task, error=str(e))
    if chunk:
        parts.append(_partition(task, len(parts), chunk, end=None))
    return ScanResult(task, tuple(parts))


def _partition(task: ScanTask, number: int, offsets: list[int], *, end: int | None) -> Partition:
    return Partition(
        id=f"{task.tag}-{number:05d}",
        source=task.source,
        first=number * task.records_per_partition,
        offsets=tuple(offsets),
        end=end,
    )


# --- the plan cache: out/plan/<tag>.json, so a resumed batch does not scan again ----------


def load_plan(out: Path, task: ScanTask) -> list[Partition] | None:
    """The partitions found by an earlier scan of this file, if there was one."""
    path = out / "plan" / f"{task.tag}.json"
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if data.get("records_per_partition") != task.records_per_partition:
        return None
    return [
        Partition(p["id"], task.source, p["first"], tuple(p["offsets"]), p["end"])
        for p in data["partitions"]
    ]


def save_plan(out: Path, result: ScanResult) -> None:
    """Store a scan's partitions (temp file + rename)."""
    task = result.task
    data = {
        "source": task.source,
        "records_per_partition": task.records_per_partition,
        "partitions": [
            {"id": p.id, "first": p.first, "offsets": list(p.offsets), "end": p.end}
            for p in result.partitions
        ],
    }
    path = out / "plan" / f"{task.tag}.json"
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data))
    os.replace(tmp, path)
