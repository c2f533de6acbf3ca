#!/usr/bin/env python3
"""Benchmark: briefing speed and memory.

Reports, in one run:
  * the time to brief one typical article (median of repeated runs, warm);
  * articles/second over a folder of N generated HTML pages (default 1,000), through the
    public API (load, extract, clean, brief), with spaCy entities and with the gazetteer;
  * the same pages through trafilatura's extraction alone: the baseline, so that speed is
    given as a ratio measured on the same machine in the same run;
  * peak memory (max RSS of this process, and tracemalloc's peak for one brief).

Pages are generated from the bundled sample corpus (paragraphs recombined and numbers
changed), written to a temporary folder. Usage: python bench/brief.py [--pages N]
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

import newsbrief

SAMPLE = Path(newsbrief.__file__).parent / "sample"


def generate(out: Path, n: int, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    pages = sorted(SAMPLE.glob("*.html"))
    texts = [p.read_text(encoding="utf-8") for p in pages]
    paras = [m for t in texts for m in re.findall(r"<p>[^<]{80,}</p>", t)]
    paths = []
    for i in range(n):
        base = texts[i % len(texts)]
        extra = "".join(rng.sample(paras, k=min(4, len(paras))))
        extra = re.sub(r"\d+", lambda m: str(int(m.group()) + rng.randint(1, 9)), extra)
        page = base.replace("</article>", extra + "</article>", 1)
        page = page.replace('<link rel="canonical" href="', f'<link rel="canonical" href="{i}-', 1)
        p = out / f"page{i:05d}.html"
        p.write_text(page, encoding="utf-8")
        paths.append(p)
    return paths


def rate(fn, paths: list[Path]) -> float:
    t0 = time.perf_counter()
    for p in paths:
        fn(p)
    return len(paths) / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=1000)
    args = ap.parse_args()
    import trafilatura

    with tempfile.TemporaryDirectory() as tmp:
        paths = generate(Path(tmp), args.pages)
        spacy_engine = newsbrief.make_engine(ner="auto")
        gaz_engine = newsbrief.make_engine(ner="gazetteer")
        for e in (spacy_engine, gaz_engine):
            e.brief(str(paths[0]))  # warm up: load models
        one = []
        for p in paths[:30]:
            t0 = time.perf_counter()
            spacy_engine.brief(str(p))
            one.append(time.perf_counter() - t0)
        tracemalloc.start()
        spacy_engine.brief(str(paths[1]))
        peak_one = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()

        base = rate(lambda p: trafilatura.extract(p.read_text(encoding="utf-8")), paths)
        spacy_rate = rate(lambda p: spacy_engine.brief(str(p)), paths)
        gaz_rate = rate(lambda p: gaz_engine.brief(str(p)), paths)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"pages: {args.pages}")
    print(f"one brief (spaCy), median of 30: {statistics.median(one) * 1000:.1f} ms")
    print(f"baseline trafilatura.extract only: {base:.1f} pages/s")
    print(
        f"brief with spaCy entities:         {spacy_rate:.1f} articles/s "
        f"({spacy_rate / base:.2f}x baseline)"
    )
    print(
        f"brief with gazetteer entities:     {gaz_rate:.1f} articles/s "
        f"({gaz_rate / base:.2f}x baseline)"
    )
    print(
        f"peak traced allocation of one brief: {peak_one / 1e6:.1f} MB; "
        f"max RSS of the run: {rss:.0f} MB"
    )


if __name__ == "__main__":
    main()
