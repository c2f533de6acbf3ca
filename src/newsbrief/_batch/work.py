"""The work of one partition, run on a worker process (local pool or Dask).

::

    for each record of the partition (its own byte range of the WARC file):
        doc      = the record's HTML/text page, or nothing (request, metadata, images...)
        article  = engine.extract_document(doc)
        brief    = engine.brief_article(article)
        minhash  = dedup.fingerprint(article.text)
        -> one Parquet row, or one failure line (stage and reason)
    failures/<id>.jsonl and articles/<id>.parquet are written to temp names and renamed

Each record gives exactly one row, one failure, or nothing (not a page): a partition that
is run again (after a worker died, or on resume) replaces its files whole, so a record is
never counted twice. Duplicates across partitions are marked later, by the driver.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsbrief._batch.plan import Partition

if TYPE_CHECKING:
    from newsbrief.engine import Engine
    from newsbrief.records import Article, Brief, Fetched

KILL_ENV = "NEWSBRIEF_BATCH_TEST_KILL"
"""Test hook: ``<partition id part>:<marker file>`` makes the worker running a matching
partition kill itself (SIGKILL) after its first record, once (the marker records that it
happened). Used by the tests to check recovery from a dead worker."""

_engines: dict[tuple[tuple[str, Any], ...], Engine] = {}


@dataclass(frozen=True)
class PartitionTask:
    """What a worker needs: the partition, the output directory, and engine settings."""

    partition: Partition
    out: str
    settings: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PartitionResult:
    """Counts of one finished partition (its files are in place)."""

    id: str
    source: str
    records: int
    articles: int
    failures: int
    skipped: int
    seconds: float
    peak_rss_mb: float
    """Peak resident memory of the worker process so far."""

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def run_partition(task: PartitionTask) -> PartitionResult:
    """Extract, brief and fingerprint every record of one partition; write its files."""
    from newsbrief.adapters.batch_io import PartitionWriter

    started = time.perf_counter()
    part, out = task.partition, Path(task.out)
    engine = _engine(task.settings)
    writer = PartitionWriter(out / "articles" / f"{part.id}.parquet")
    failures: list[dict[str, Any]] = []
    try:
        for number, start, end in part.spans():
            row, failure = _record(engine, part, number, start, end)
            if row is not None:
                writer.write(row)
            if failure is not None:
                failures.append(failure)
            _test_kill(part.id)
        _write_failures(out / "failures" / f"{part.id}.jsonl", failures)
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    records = len(part.offsets)
    return PartitionResult(
        id=part.id,
        source=part.source,
        records=records,
        articles=writer.count,
        failures=len(failures),
        skipped=records - writer.count - len(failures),
        seconds=round(time.perf_counter() - started, 3),
        peak_rss_mb=peak_rss_mb(),
    )


def _record(
    engine: Engine, part: Partition, number: int, start: int, end: int | None
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The row or the failure of one record (both None: the record holds no page)."""
    from newsbrief.adapters.batch_io import iter_record

    key = f"{os.path.basename(part.source)}#{number}"
    problems: list[tuple[str, Exception]] = []
    try:
        docs = list(
            iter_record(
                part.source,
                start,
                end,
                max_bytes=engine.settings.max_bytes,
                on_error=lambda location, error: problems.append((location, error)),
            )
        )
    except Exception as e:  # a broken record must not stop the partition
        return None, _failure(key, None, "read", e)
    if problems:
        return None, _failure(key, problems[0][0], "read", problems[0][1])
    if not docs:
        return None, None
    return _document(engine, key, docs[0])


def _document(
    engine: Engine, key: str, doc: Fetched
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    from newsbrief.pipeline.dedup import fingerprint

    try:
        article = engine.extract_document(doc)
    except Exception as e:
        return None, _failure(key, doc.url, "extract", e)
    try:
        brief = engine.brief_article(article)
    except Exception as e:
        return None, _failure(key, doc.url, "brief", e)
    return article_row(key, article, brief, fingerprint(article.text)), None


def article_row(
    key: str, article: Article, brief: Brief, minhash: tuple[int, ...]
) -> dict[str, Any]:
    """One Parquet row (see ``batch_io.ARTICLE_SCHEMA``) for a briefed article."""
    from newsbrief.pipeline.dedup import pack

    ents = brief.entities
    return {
        "id": brief.id,
        "record": key,
        "url": brief.url,
        "title": brief.title,
        "text": article.text,
        "paragraphs": list(article.paragraphs),
        "source_name": brief.source.name,
        "source_domain": brief.source.domain,
        "source_url": brief.source.url,
        "published": brief.published,
        "authors": list(brief.authors),
        "language": brief.language,
        "word_count": brief.word_count,
        "read_time_minutes": brief.read_time_minutes,
        "read_time_basis": brief.read_time_basis,
        "quotes": list(brief.quotes),
        "summary": brief.summary,
        "summary_method": brief.summary_method,
        "people": list(ents.people),
        "organizations": list(ents.organizations),
        "places": list(ents.places),
        "genre": brief.genre,
        "paywalled": brief.paywalled,
        "image": brief.image,
        "fetched_at": article.fetched_at,
        "minhash": pack(minhash) if minhash else None,
        "duplicate_of": None,
        "brief": json.dumps(brief.to_dict(), ensure_ascii=False, sort_keys=True),
    }


def _failure(key: str, url: str | None, stage: str, error: Exception) -> dict[str, Any]:
    message = " ".join(str(error).split()) or type(error).__name__
    if url and message.startswith(f"{url}: "):
        message = message[len(url) + 2 :]
    return {"record": key, "url": url, "stage": stage, "error": type(error).__name__,
            "reason": message}  # fmt: skip


def _write_failures(path: Path, failures: list[dict[str, Any]]) -> None:
    tmp = path.with_name(f".{path.stem}.{uuid.uuid4().hex}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        for line in failures:
            f.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")
    os.replace(tmp, path)


def _engine(settings: Mapping[str, Any]) -> Engine:
    """One engine per worker process and settings (models load once, not per partition)."""
    key = tuple(sorted(settings.items()))
    if key not in _engines:
        from newsbrief.engine import make_engine

        _engines[key] = make_engine(None, **settings)
    return _engines[key]


def peak_rss_mb() -> float:
    """Peak resident memory of this process, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def _test_kill(partition_id: str) -> None:
    spec = os.environ.get(KILL_ENV)
    if not spec:
        return
    part, _, marker = spec.partition(":")
    if part and part in partition_id and marker and not os.path.exists(marker):
        Path(marker).write_text(f"{partition_id} {os.getpid()}\n")
        os.kill(os.getpid(), signal.SIGKILL)
