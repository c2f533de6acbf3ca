"""Benchmark the extractive summarizer against Lead and sumy baselines on the shared ROUGE sets.

Runs newsbrief.pipeline.summarize in-process on every item of each set, scores it with the
reference scorer's own functions (../shared/eval/summarization_eval.py: same sentence splitter,
same ROUGE-1/2/Lsum F1 with Porter stemming), runs the baselines on the same items, and prints a
table, paired bootstrap 95% confidence intervals of ours minus each baseline, and articles/second.

    .venv/bin/python bench/summarize.py                  # every set
    .venv/bin/python bench/summarize.py --set cnndm --limit 50

Needs the bench-only packages: pip install rouge-score sumy pysbd numpy. Skips (exit 0) with a
message when ../shared/datasets or the reference scorer is absent.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared"
DATASETS = SHARED / "datasets" / "summarization"
SCORER = SHARED / "eval" / "summarization_eval.py"
METRICS = ("rouge1", "rouge2", "rougeLsum")


@dataclass(frozen=True)
class BenchSet:
    """One dataset: where it lives, how many sentences to extract, single or multi-document."""

    name: str
    folder: str
    sentences: int
    multi: bool
    baselines: tuple[str, ...]


SETS = {
    "cnndm": BenchSet("cnndm", "cnndm_test_sample", 3, False, ("lead3", "lexrank")),
    "multinews": BenchSet("multinews", "multinews_longbench", 9, True, ("lead3", "lexrank")),
    "xsum": BenchSet("xsum", "xsum_test_1000", 1, False, ("lead3", "lexrank", "textrank")),
}


def load_reference_scorer() -> ModuleType | None:
    """Import the shared reference scorer as a module, or None (with a message) if unusable."""
    if not SCORER.is_file():
        print(f"skip: reference scorer not found at {SCORER}")
        return None
    spec = importlib.util.spec_from_file_location("summarization_eval", SCORER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    except SystemExit:
        print("skip: the reference scorer needs: pip install rouge-score sumy pysbd numpy")
        return None
    return module


def rouge_scorer(ev: ModuleType) -> Any:
    """The reference scorer's ROUGE configuration (Porter stemming)."""
    return ev.rouge_scorer.RougeScorer(ev.METRICS, use_stemmer=True)


def score_output(ev: ModuleType, scorer: Any, reference: str, sentences: list[str]) -> list[float]:
    """ROUGE F1 x100 of a system's sentences, scored exactly as the scorer's ``command`` mode."""
    pred = "\n".join(ev.lsum_text(s) for s in sentences if s.strip())
    result = scorer.score(ev.reference_lsum(reference), pred)
    return [result[m].fmeasure * 100 for m in METRICS]


def baseline(ev: ModuleType, system: str, item: dict[str, Any], k: int) -> list[str]:
    """A reference-scorer baseline on the scorer's own (pysbd) sentence units."""
    docs = ev.doc_sentences(item)
    if system == "lead3":
        return list(ev.run_lead(docs, k))
    return list(ev.run_sumy(system, docs, k))


def bootstrap_ci(
    ours: list[float], base: list[float], iters: int = 2000, seed: int = 0
) -> tuple[float, float, float]:
    """Mean paired difference (ours - base) and its percentile bootstrap 95% interval."""
    diffs = [a - b for a, b in zip(ours, base, strict=True)]
    n = len(diffs)
    rng = random.Random(seed)
    means = sorted(sum(diffs[rng.randrange(n)] for _ in range(n)) / n for _ in range(iters))
    return sum(diffs) / n, means[int(0.025 * iters)], means[int(0.975 * iters) - 1]


def our_system(bench: BenchSet) -> Callable[[list[str]], list[str]]:
    """Newsbrief's summarizer for this set (single- or multi-document)."""
    from newsbrief.pipeline.summarize import summarize, summarize_many

    if bench.multi:
        return lambda docs: summarize_many(docs, bench.sentences)
    return lambda docs: summarize("\n\n".join(docs), bench.sentences)


def run_set(ev: ModuleType, bench: BenchSet, limit: int | None, iters: int) -> None:
    """Score ours and the baselines on one set and print the table and intervals."""
    folder = DATASETS / bench.folder
    if not (folder / "data.jsonl").is_file():
        print(f"skip {bench.name}: no data at {folder}")
        return
    items = ev.load_set(str(folder), limit)
    scorer = rouge_scorer(ev)
    system = our_system(bench)
    ours: list[list[float]] = []
    elapsed = 0.0
    for item in items:
        t0 = time.perf_counter()
        out = system(item["documents"])
        elapsed += time.perf_counter() - t0
        ours.append(score_output(ev, scorer, item["reference"], out))
    bases = {
        b: [
            score_output(ev, scorer, i["reference"], baseline(ev, b, i, bench.sentences))
            for i in items
        ]
        for b in bench.baselines
    }
    _print_set(bench, len(items), ours, bases, iters, len(items) / elapsed)


def _print_set(
    bench: BenchSet,
    n: int,
    ours: list[list[float]],
    bases: dict[str, list[list[float]]],
    iters: int,
    rate: float,
) -> None:
    print(f"\n{bench.name}: {n} items, {bench.sentences} sentences, ROUGE F1 x100")
    print(f"{'system':<10} {'R-1':>7} {'R-2':>7} {'R-Lsum':>7}")
    for name, rows in [("newsbrief", ours), *bases.items()]:
        means = [sum(r[j] for r in rows) / n for j in range(len(METRICS))]
        print(f"{name:<10} " + " ".join(f"{m:7.2f}" for m in means))
    for name, rows in bases.items():
        cis = []
        for j, metric in enumerate(METRICS):
            d, lo, hi = bootstrap_ci([r[j] for r in ours], [r[j] for r in rows], iters)
            cis.append(f"{metric} {d:+.2f} [{lo:+.2f}, {hi:+.2f}]")
        print(f"newsbrief - {name}: " + "  ".join(cis))
    print(f"newsbrief speed: {rate:.0f} articles/s (one process, one core)")


def main() -> int:
    """Command-line entry point."""
    if os.environ.get("PYTHONHASHSEED") != "0":  # sumy's tie-breaking depends on set order
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable, *sys.argv])
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", choices=[*SETS, "all"], default="all", help="which set (default all)")
    ap.add_argument("--limit", type=int, help="score only the first N items of each set")
    ap.add_argument("--bootstrap", type=int, default=2000, help="bootstrap resamples")
    args = ap.parse_args()
    if not DATASETS.is_dir():
        print(f"skip: no datasets at {DATASETS}")
        return 0
    ev = load_reference_scorer()
    if ev is None:
        return 0
    for name in SETS if args.set == "all" else [args.set]:
        run_set(ev, SETS[name], args.limit, args.bootstrap)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    raise SystemExit(main())
