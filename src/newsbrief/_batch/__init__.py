"""Batch runs over WARC collections: ``newsbrief batch SOURCE... --out DIR``.

::

    files      = WARC files named, and those under directories
    partitions = scan each file (on the workers, once; cached in DIR/plan/)
                 -> runs of N consecutive records, by byte offset
    for each partition not in DIR/manifest.jsonl (on a process pool or Dask):
        extract -> brief -> fingerprint each record
        -> DIR/articles/<id>.parquet, DIR/failures/<id>.jsonl (temp name, then rename)
        -> a manifest line (driver)
    final pass: duplicate_of over all fingerprints, in partition order; DIR/failures.jsonl

Output layout and the guarantees (exactly once, resumable, bounded memory) are described in
docs/batch.md. Requires the ``batch`` extra (pyarrow; dask[distributed] for ``dask``).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsbrief._batch.engines import EngineName, Runner, make_runner
from newsbrief._batch.finish import (
    append_manifest,
    join_failures,
    mark_duplicates,
    read_manifest,
    remove_temp_files,
)
from newsbrief._batch.plan import (
    Partition,
    ScanResult,
    ScanTask,
    expand_sources,
    file_tag,
    load_plan,
    save_plan,
    scan_file,
)
from newsbrief._batch.work import PartitionResult, PartitionTask, peak_rss_mb, run_partition
from newsbrief.config import Settings
from newsbrief.errors import InputError

__all__ = ["BatchReport", "Partition", "PartitionResult", "run_batch"]

log = logging.getLogger(__name__)


@dataclass
class BatchReport:
    """What one ``batch`` run did; counts cover the whole output (resumed partitions too)."""

    out: Path
    partitions: int = 0
    resumed: int = 0
    """Partitions already finished by an earlier run (not redone)."""
    records: int = 0
    articles: int = 0
    failures: int = 0
    skipped: int = 0
    """Records that hold no HTML or text page (requests, metadata, images...)."""
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)
    """Files that could not be read and partitions that failed for good."""
    seconds: float = 0.0
    driver_peak_rss_mb: float = 0.0
    worker_peak_rss_mb: float = 0.0

    @property
    def complete(self) -> bool:
        return not self.errors

    def add(self, entry: dict[str, Any]) -> None:
        for name in ("records", "articles", "failures", "skipped"):
            setattr(self, name, getattr(self, name) + int(entry.get(name, 0)))
        self.worker_peak_rss_mb = max(self.worker_peak_rss_mb, entry.get("peak_rss_mb", 0.0))


def run_batch(
    sources: Sequence[str],
    out: str | os.PathLike[str],
    /,
    *,
    engine: EngineName = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    records_per_partition: int = 1000,
    retries: int = 3,
    settings: Settings | None = None,
    on_partition: Callable[[PartitionResult], None] | None = None,
) -> BatchReport:
    """Process WARC files into ``out`` (see the module docstring); resumes a run into the
    same ``out``. Raises InputError when no source can be used."""
    started = time.perf_counter()
    files = expand_sources(list(sources))
    root = Path(out)
    for folder in ("articles", "failures", "plan"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    remove_temp_files(root)
    report = BatchReport(out=root)
    task_settings = _worker_settings(settings or Settings.load())
    runner = make_runner(engine, workers or os.cpu_count() or 1, scheduler=scheduler,
                         retries=retries)  # fmt: skip
    try:
        partitions = _plan(runner, root, files, records_per_partition, report)
        _run(runner, root, partitions, task_settings, report, on_partition)
    finally:
        runner.close()
    remove_temp_files(root)  # left by workers that died while writing
    report.duplicates = mark_duplicates(root)
    join_failures(root)
    report.seconds = round(time.perf_counter() - started, 2)
    report.driver_peak_rss_mb = peak_rss_mb()
    return report


def _worker_settings(settings: Settings) -> dict[str, Any]:
    return {"ner": settings.ner, "max_bytes": settings.max_bytes}


def _plan(
    runner: Runner, out: Path, files: list[str], size: int, report: BatchReport
) -> list[Partition]:
    """Every partition of every file, in id order; scans only files not planned before."""
    partitions: list[Partition] = []
    to_scan: list[ScanTask] = []
    for path in files:
        task = ScanTask(path, file_tag(path), size)
        cached = load_plan(out, task)
        if cached is None:
            to_scan.append(task)
        else:
            partitions.extend(cached)
    for scan, result in runner.map_unordered(scan_file, to_scan):
        if not isinstance(result, ScanResult):
            report.errors.append(f"{scan.source}: scan failed: {result}")
        elif result.error:
            report.errors.append(result.error)
        else:
            save_plan(out, result)
            partitions.extend(result.partitions)
    if not partitions and report.errors:
        raise InputError("; ".join(report.errors))
    return sorted(partitions, key=lambda p: p.id)


def _run(
    runner: Runner,
    out: Path,
    partitions: list[Partition],
    settings: dict[str, Any],
    report: BatchReport,
    on_partition: Callable[[PartitionResult], None] | None,
) -> None:
    done = read_manifest(out)
    wanted = {p.id for p in partitions}
    report.partitions = len(partitions)
    for pid, entry in done.items():
        if pid in wanted:
            report.resumed += 1
            report.add(entry)
    tasks = [PartitionTask(p, str(out), settings) for p in partitions if p.id not in done]
    log.info("%d partitions, %d to run", len(partitions), len(tasks))
    for task, result in runner.map_unordered(run_partition, tasks):
        if not isinstance(result, PartitionResult):
            report.errors.append(f"partition {task.partition.id} failed: {result!r}")
            continue
        append_manifest(out, result)
        report.add(result.to_dict())
        if on_partition is not None:
            on_partition(result)
