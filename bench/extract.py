"""Benchmark ``newsbrief extract --format text`` against trafilatura on the shared extraction sets.

For every set in ../shared/datasets/extraction/ (a folder with pages/ and truth.jsonl) it runs, in
one process and on the same pages:

* ours: the path the CLI runs (FileLoader.load on the page file, then Engine.extract_document);
* trafilatura with default settings, and with include_comments=False (its best setting here);

and scores each with the reference scorer's own functions (../shared/eval/extraction_eval.py,
imported with importlib so that the numbers match it): token 4-gram shingle precision, recall and
F1. It prints pages/second for each (summed wall time of the extraction calls only, after one
untimed warm-up call), the paired bootstrap over pages of our F1 minus trafilatura's best (mean
and 95% interval), and the F1 of each on two fixed halves of the pages (split by a hash of the
page id) so that a gain fitted to some pages shows up as a gap between the halves.

    .venv/bin/python bench/extract.py                     # every set
    .venv/bin/python bench/extract.py --set fundus --limit 40
    .venv/bin/python bench/extract.py --cli               # also score the CLI via the scorer

Skips (exit 0) with a message when the datasets or the reference scorer are absent.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import random
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared"
DATASETS = SHARED / "datasets" / "extraction"
SCORER = SHARED / "eval" / "extraction_eval.py"

Triple = tuple[float, float, float]
Runner = Callable[[Path, str, str | None], str]


@dataclass
class Run:
    """One extractor's outputs over a set: per-page (tp, fp, fn) and time spent."""

    name: str
    triples: list[Triple] = field(default_factory=list)
    seconds: float = 0.0
    errors: int = 0


def load_scorer() -> ModuleType | None:
    """The shared reference scorer as a module, or None (with a message) if it is absent."""
    if not SCORER.is_file():
        print(f"skip: reference scorer not found at {SCORER}")
        return None
    spec = importlib.util.spec_from_file_location("extraction_eval", SCORER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def find_sets(only: str | None) -> list[Path]:
    """The dataset folders (those with a truth.jsonl), optionally just one by name."""
    if not DATASETS.is_dir():
        return []
    sets = sorted(p for p in DATASETS.iterdir() if (p / "truth.jsonl").is_file())
    return [p for p in sets if only in (None, p.name)]


def make_runners() -> dict[str, Runner]:
    """Ours (the CLI's in-process path) and trafilatura in two settings."""
    import trafilatura

    from newsbrief.adapters.files import FileLoader
    from newsbrief.engine import make_engine
    from newsbrief.errors import NewsbriefError

    engine = make_engine()
    loader = FileLoader()
    loaded: dict[Path, Any] = {}

    def ours(path: Path, html: str, url: str | None) -> str:
        doc = loaded.get(path) or loader.load(str(path))
        try:
            return engine.extract_document(doc).text
        except NewsbriefError:
            return ""

    def preload(path: Path, html: str, url: str | None) -> str:
        loaded[path] = loader.load(str(path))  # reading the file is not timed
        return ""

    def traf(**kw: Any) -> Runner:
        return lambda path, html, url: trafilatura.extract(html, url=url, **kw) or ""

    return {
        "_load": preload,
        "ours": ours,
        "trafilatura": traf(),
        "trafilatura_nocomments": traf(include_comments=False),
    }


def run_set(scorer: ModuleType, folder: Path, limit: int | None) -> tuple[list[str], list[Run]]:
    """Run every extractor on every page of ``folder``; returns page ids and runs."""
    recs = scorer.load_dataset(folder)[:limit]
    runners = make_runners()
    runs = [Run(name) for name in runners if not name.startswith("_")]
    pages = [folder / "pages" / f"{r['id']}.html" for r in recs]
    htmls = [scorer.read_html(p.read_bytes()) for p in pages]
    for run in runs:  # one untimed warm-up call each
        runners[run.name](pages[0], htmls[0], recs[0].get("url"))
    for rec, path, html in zip(recs, pages, htmls, strict=True):
        runners["_load"](path, html, rec.get("url"))
        for run in runs:
            t0 = time.perf_counter()
            try:
                pred = runners[run.name](path, html, rec.get("url"))
            except Exception:  # a failure scores as an empty output, as in the scorer
                pred, run.errors = "", run.errors + 1
            run.seconds += time.perf_counter() - t0
            run.triples.append(scorer.tp_fp_fn(rec["text"], pred))
    return [r["id"] for r in recs], runs


def f1(scorer: ModuleType, triples: list[Triple]) -> float:
    return float(scorer.aggregate(triples)["f1"])


def paired_bootstrap(
    scorer: ModuleType, ours: list[Triple], base: list[Triple], n: int = 1000, seed: int = 0
) -> tuple[float, float, float]:
    """Mean and 95% interval of F1(ours) - F1(base) over resamples of pages."""
    rng = random.Random(seed)
    size = len(ours)
    diffs = []
    for _ in range(n):
        idx = [rng.randrange(size) for _ in range(size)]
        diffs.append(f1(scorer, [ours[i] for i in idx]) - f1(scorer, [base[i] for i in idx]))
    diffs.sort()
    return sum(diffs) / n, diffs[int(0.025 * n)], diffs[int(0.975 * n) - 1]


def half_of(page_id: str) -> int:
    """A fixed split of the pages in two halves, by a hash of the id."""
    return hashlib.sha1(page_id.encode("utf-8")).digest()[0] % 2


def report(scorer: ModuleType, name: str, ids: list[str], runs: list[Run]) -> dict[str, Any]:
    """Print the table for one set and return its summary."""
    print(f"\n== {name}: {len(ids)} pages")
    print(f"{'extractor':<24}{'P':>7}{'R':>7}{'F1':>7}{'F1 h0':>8}{'F1 h1':>8}{'pages/s':>9}")
    summary: dict[str, Any] = {"set": name, "pages": len(ids)}
    for run in runs:
        m = scorer.aggregate(run.triples)
        halves = [
            f1(scorer, [t for t, i in zip(run.triples, ids, strict=True) if half_of(i) == h])
            for h in (0, 1)
        ]
        speed = len(ids) / run.seconds if run.seconds else float("inf")
        print(
            f"{run.name:<24}{m['precision']:7.3f}{m['recall']:7.3f}{m['f1']:7.3f}"
            f"{halves[0]:8.3f}{halves[1]:8.3f}{speed:9.1f}"
        )
        summary[run.name] = {**m, "halves": halves, "pages_per_s": speed, "errors": run.errors}
    by_name = {r.name: r for r in runs}
    for base in ("trafilatura", "trafilatura_nocomments"):
        mean, lo, hi = paired_bootstrap(scorer, by_name["ours"].triples, by_name[base].triples)
        print(f"ours - {base:<24} F1 {mean:+.4f}  95% CI [{lo:+.4f}, {hi:+.4f}]")
        summary[f"gain_vs_{base}"] = {"mean": mean, "ci95": [lo, hi]}
    ratio = summary["ours"]["pages_per_s"] / summary["trafilatura_nocomments"]["pages_per_s"]
    print(f"speed ratio ours / trafilatura_nocomments: {ratio:.2f}x")
    return summary


def cli_score(folder: Path, limit: int | None) -> None:
    """Score ``newsbrief extract --format text`` with the reference scorer (one process a page)."""
    cmd = [sys.executable, str(SCORER), str(folder), "command", "--n-bootstrap", "200"]
    cmd += ["--cmd", f"{sys.executable} -m newsbrief extract --format text"]
    if limit:
        cmd += ["--limit", str(limit)]
    print(subprocess.run(cmd, capture_output=True, text=True, check=False).stdout)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", help="only this set (folder name)")
    ap.add_argument("--limit", type=int, help="only the first N pages of each set (by id)")
    ap.add_argument("--cli", action="store_true", help="also score the CLI via the scorer")
    ap.add_argument("--json", type=Path, help="write the summaries here")
    args = ap.parse_args()
    scorer = load_scorer()
    sets = find_sets(args.set) if scorer else []
    if scorer and not sets:
        print(f"skip: no extraction datasets under {DATASETS}")
    summaries = []
    for folder in sets if scorer else []:
        assert scorer is not None
        ids, runs = run_set(scorer, folder, args.limit)
        summaries.append(report(scorer, folder.name, ids, runs))
        if args.cli:
            cli_score(folder, args.limit)
    if args.json:
        args.json.write_text(json.dumps(summaries, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
