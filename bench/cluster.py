#!/usr/bin/env python3
"""Benchmark: story-clustering quality and speed on the shared dev sets.

For every set in ../shared/datasets/clustering/ (or --set NAME), streams the articles in
the scorer's order through :class:`newsbrief.pipeline.cluster.StoryClusterer`, in-process,
and prints pairwise ("standard") F1, BCubed F1 and NMI, computed by the reference scorer's
own ``score`` function (../shared/eval/clustering_eval.py, loaded with importlib so the
numbers match its CLI), plus articles/second, also as a ratio to the scorer's single-pass
TF-IDF baseline (its defaults: threshold 0.3, 7-day window) run on the same articles in the
same process, whose F1 is printed too. Sets that are absent are skipped.

``--halves`` also scores each set's two halves split by story (gold story labels sorted,
dealt alternately, stream order kept): tune on one half, check on the other.

``--resample N`` also scores N random halves of each set (stories drawn with seeds 0..N-1,
stream order kept) and prints the mean, lowest and highest pairwise F1: how much a figure
moves on a set of the same kind, such as a hidden split.

``--embed`` adds all-MiniLM-L6-v2 article embeddings (the extra ``newsbrief[embed]``);
articles/second then includes embedding time.

Usage: python bench/cluster.py [--set googlenews] [--limit N] [--halves] [--resample 10]
       [--param threshold=0.3]
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import random
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from newsbrief.pipeline.cluster import ClusterConfig, ClusterDoc, Embedder, StoryClusterer

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DATASETS = SHARED / "datasets" / "clustering"
SCORER = SHARED / "eval" / "clustering_eval.py"


def load_scorer() -> ModuleType | None:
    """The reference scorer as a module, or None when shared/ is absent."""
    if not SCORER.is_file():
        return None
    spec = importlib.util.spec_from_file_location("clustering_eval", SCORER)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def to_doc(record: dict[str, Any]) -> ClusterDoc:
    raw = record.get("date")
    date = datetime.fromisoformat(raw.replace("Z", "+00:00")) if raw else None
    return ClusterDoc(record["id"], date, record.get("title") or "", record.get("text") or "")


def parse_params(items: list[str]) -> ClusterConfig:
    """ClusterConfig from NAME=VALUE overrides (types follow the defaults)."""
    base = ClusterConfig()
    changes: dict[str, Any] = {}
    for item in items:
        name, _, value = item.partition("=")
        changes[name] = type(getattr(base, name))(value)
    return dataclasses.replace(base, **changes)


def halves(records: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The records of every other gold story (labels sorted), as two named halves."""
    labels = sorted({str(r["cluster"]) for r in records})
    half_of = {label: i % 2 for i, label in enumerate(labels)}
    return [(f"half{h}", [r for r in records if half_of[str(r["cluster"])] == h]) for h in (0, 1)]


def run_set(
    scorer: ModuleType,
    folder: Path,
    limit: int | None,
    config: ClusterConfig,
    split: bool,
    embedder: Embedder | None = None,
    resample: int = 0,
) -> None:
    _, records = scorer.load_dataset(str(folder))
    records = records[:limit] if limit else records
    parts = [("", records), *(halves(records) if split else [])]
    for suffix, part in parts:
        name = f"{folder.name}/{suffix}" if suffix else folder.name
        run_part(scorer, name, part, config, embedder)
    if resample:
        scores = [resampled_f1(scorer, records, config, seed) for seed in range(resample)]
        print(
            f"{folder.name + '/random halves':24s} n={resample:5d}  pairwise F1 mean "
            f"{statistics.mean(scores):6.2f}  lowest {min(scores):6.2f}  "
            f"highest {max(scores):6.2f}",
            flush=True,
        )


def resampled_f1(
    scorer: ModuleType, records: list[dict[str, Any]], config: ClusterConfig, seed: int
) -> float:
    """Pairwise F1 on the records of a random half of the gold stories."""
    labels = sorted({str(r["cluster"]) for r in records})
    keep = set(random.Random(seed).sample(labels, len(labels) // 2))
    part = [r for r in records if str(r["cluster"]) in keep]
    clusterer = StoryClusterer(config)
    pred = [clusterer.add(to_doc(r)) for r in part]
    return 100 * float(scorer.score([str(r["cluster"]) for r in part], pred)["standard_f1"])


def run_part(
    scorer: ModuleType,
    name: str,
    records: list[dict[str, Any]],
    config: ClusterConfig,
    embedder: Embedder | None = None,
) -> None:
    docs = [to_doc(r) for r in records]
    clusterer = StoryClusterer(config, embedder=embedder)
    start = time.perf_counter()
    pred = [clusterer.add(doc) for doc in docs]
    seconds = time.perf_counter() - start
    gold = [str(r["cluster"]) for r in records]
    m = scorer.score(gold, pred)
    # the scorer's own single-pass TF-IDF baseline (its default settings), same articles
    base_pred, vec_s, clu_s, _ = scorer.run_tfidf(records, 0.3, 7.0, 1)
    b = scorer.score(gold, base_pred)
    print(
        f"{name:24s} n={m['articles']:5d}  pairwise F1 {100 * m['standard_f1']:6.2f} "
        f"(P {100 * m['standard_p']:6.2f} R {100 * m['standard_r']:6.2f})  "
        f"BCubed F1 {100 * m['bcubed_f1']:6.2f}  NMI {m['nmi']:.4f}  "
        f"clusters {m['pred_clusters']} (gold {m['gold_clusters']})  "
        f"{m['articles'] / seconds:,.0f} art/s = {(vec_s + clu_s) / seconds:.2f}x baseline  "
        f"[tfidf baseline: F1 {100 * b['standard_f1']:.2f}, {m['articles'] / (vec_s + clu_s):,.0f} "
        "art/s]",
        flush=True,
    )


def main() -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", help="dataset folder name (repeatable)")
    parser.add_argument("--limit", type=int, help="only the first N articles of each set")
    parser.add_argument("--param", action="append", default=[], help="ClusterConfig NAME=VALUE")
    parser.add_argument("--halves", action="store_true", help="also score the two story halves")
    parser.add_argument("--embed", action="store_true", help="add MiniLM article embeddings")
    parser.add_argument("--resample", type=int, default=0, help="also score N random halves")
    args = parser.parse_args()
    scorer = load_scorer()
    if scorer is None or not DATASETS.is_dir():
        print(f"skipped: no scorer or datasets under {SHARED}")
        return 0
    config = parse_params(args.param)
    embedder = None
    if args.embed:
        from newsbrief.adapters.embed import make_embedder

        embedder = make_embedder("minilm")
    names = args.set or sorted(p.name for p in DATASETS.iterdir() if (p / "data.jsonl").is_file())
    for name in names:
        folder = DATASETS / name
        if not (folder / "data.jsonl").is_file():
            print(f"{name}: skipped (no {folder / 'data.jsonl'})")
            continue
        run_set(scorer, folder, args.limit, config, args.halves, embedder, args.resample)
    return 0


if __name__ == "__main__":
    sys.exit(main())
