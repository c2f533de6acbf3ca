"""The driver's bookkeeping: the manifest of finished partitions, and the final pass.

``manifest.jsonl`` gets one line per partition, appended (and synced) after the worker has
renamed the partition's files into place; a resumed run skips the partitions it lists.
The final pass runs once all partitions are done, and again on every resume (it is
idempotent): it replays the MinHash fingerprints of every row, in partition order, through
one near-duplicate index and rewrites the ``duplicate_of`` column of the files where it
changed, then joins the partitions' failure files into ``failures.jsonl``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from newsbrief._batch.work import PartitionResult

MANIFEST = "manifest.jsonl"


def read_manifest(out: Path) -> dict[str, dict[str, Any]]:
    """Finished partitions by id, whose files are still in place (a torn line is ignored)."""
    done: dict[str, dict[str, Any]] = {}
    try:
        lines = (out / MANIFEST).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return done
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        pid = entry.get("id")
        if isinstance(pid, str) and _files_in_place(out, pid):
            done[pid] = entry
    return done


def _files_in_place(out: Path, pid: str) -> bool:
    return (out / "articles" / f"{pid}.parquet").is_file() and (
        out / "failures" / f"{pid}.jsonl"
    ).is_file()


def append_manifest(out: Path, result: PartitionResult) -> None:
    """Record a finished partition (one line, flushed to disk)."""
    with open(out / MANIFEST, "a", encoding="utf-8") as f:
        f.write(json.dumps(result.to_dict(), sort_keys=True) + "\n")
        f.flush()
        os.fsync(f.fileno())


def mark_duplicates(out: Path, *, threshold: float = 0.8) -> int:
    """Set ``duplicate_of`` on every row of the output; returns how many rows copy another.

    Rows are taken in partition order, then row order, so the result does not depend on
    which worker ran what or when. A page recorded again under the same id is not marked
    (it is the same article, not a copy of another).
    """
    from newsbrief.adapters import batch_io
    from newsbrief.pipeline.dedup import NearDuplicateIndex, unpack

    index = NearDuplicateIndex(threshold=threshold)
    copies = 0
    for file in batch_io.article_files(out):
        rows = batch_io.read_fingerprints(file)
        values: list[str | None] = []
        for article_id, minhash, _old in rows:
            seen = article_id in index  # the same page again (same URL): not a copy
            original = index.add_fingerprint(article_id, unpack(minhash)) if minhash else None
            values.append(None if seen or original == article_id else original)
        copies += sum(v is not None for v in values)
        if values != [old for *_, old in rows]:
            batch_io.mark_duplicates(file, values)
    return copies


def join_failures(out: Path) -> int:
    """Write ``failures.jsonl`` from the failure files of finished partitions (temp file +
    rename); returns the number of lines."""
    target = out / "failures.jsonl"
    tmp = out / f".{target.name}.tmp"
    count = 0
    with open(tmp, "w", encoding="utf-8") as dest:
        for part in sorted((out / "failures").glob("[!.]*.jsonl")):
            if not (out / "articles" / f"{part.stem}.parquet").is_file():
                continue  # its partition did not finish: it will be run again
            with open(part, encoding="utf-8") as src:
                for line in src:
                    dest.write(line)
                    count += 1
    os.replace(tmp, target)
    return count


def remove_temp_files(out: Path) -> None:
    """Delete the temp files of partitions whose worker died while writing them."""
    for folder in ("articles", "failures", "plan"):
        for tmp in (out / folder).glob(".*.tmp"):
            tmp.unlink(missing_ok=True)
