#!/usr/bin/env python3
"""Benchmark: ``newsbrief batch`` throughput, scaling and memory.

Generates one uncompressed WARC of N article pages (default 20,000) made from the bundled
sample corpus (paragraphs recombined and numbers changed, as in bench/brief.py), padded
to a target size (default 1 GiB) with image responses between the pages, as in a real
crawl: those records are streamed past, not processed. Then runs the batch on the local
engine with 1 worker and with 2 workers, each in a fresh process, and reports:

  * pages/second for each worker count, and the scaling efficiency (speed-up / workers);
  * the seconds per page on one core (what a cluster estimate scales from);
  * peak RSS of the driver process and of the largest worker process.

Usage: python bench/batch.py [--pages N] [--size-gb G] [--workers 1,2] [--ner gazetteer]
       python bench/batch.py --pages 1000 --size-gb 0 --ner spacy    (full NER, smaller)
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import newsbrief

SAMPLE = Path(newsbrief.__file__).parent / "sample"


def generate(path: Path, pages: int, size: int, seed: int = 7) -> dict[str, Any]:
    """Write the WARC; returns counts (pages, padding records, bytes)."""
    rng = random.Random(seed)
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLE.glob("*.html"))]
    paras = [m for t in texts for m in re.findall(r"<p>[^<]{80,}</p>", t)]
    html_bytes = sum(len(t.encode()) for t in texts) / len(texts) + 1500
    pad = max(0, int((size - pages * html_bytes) / pages)) if size else 0
    padding = 0
    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=False)
        for i in range(pages):
            base = texts[i % len(texts)]
            extra = "".join(rng.sample(paras, k=min(4, len(paras))))
            extra = re.sub(r"\d+", lambda m: str(int(m.group()) + rng.randint(1, 9)), extra)
            page = base.replace("</article>", extra + "</article>", 1)
            url = f"https://bench{i % 97}.example/news/{i:06d}.html"
            page = re.sub(
                r'<link rel="canonical" href="[^"]*"', f'<link rel="canonical" href="{url}"', page
            )
            _write(writer, url, page.encode("utf-8"), "text/html; charset=utf-8", i)
            if pad:
                _write(writer, url.replace(".html", ".jpg"), os.urandom(pad), "image/jpeg", i)
                padding += 1
    return {"pages": pages, "padding_records": padding, "bytes": path.stat().st_size}


def _write(writer: WARCWriter, url: str, payload: bytes, ctype: str, i: int) -> None:
    http = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
    date = f"2026-03-{1 + i % 28:02d}T{i % 24:02d}:00:00Z"
    headers = {"WARC-Date": date}
    record = writer.create_warc_record(
        url, "response", payload=io.BytesIO(payload), http_headers=http, warc_headers_dict=headers
    )
    writer.write_record(record)


def run_one(warc: str, out: str, workers: int, ner: str, partition: int) -> dict[str, Any]:
    """One batch run in this (fresh) process: the figures as a dict."""
    from newsbrief._batch import run_batch
    from newsbrief.config import Settings

    started = time.perf_counter()
    settings = Settings.load(ner=ner)
    report = run_batch(
        [warc], out, workers=workers, records_per_partition=partition, settings=settings
    )
    seconds = time.perf_counter() - started
    return {
        "workers": workers,
        "ner": ner,
        "seconds": round(seconds, 1),
        "articles": report.articles,
        "failures": report.failures,
        "duplicates": report.duplicates,
        "pages_per_second": round(report.articles / seconds, 2),
        "driver_peak_rss_mb": report.driver_peak_rss_mb,
        "worker_peak_rss_mb": report.worker_peak_rss_mb,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=20_000)
    ap.add_argument("--size-gb", type=float, default=1.0, help="pad the WARC to this size")
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--ner", default="gazetteer", choices=["gazetteer", "spacy", "auto"])
    ap.add_argument("--partition-size", type=int, default=1000, help="records per partition")
    ap.add_argument("--keep", metavar="DIR", help="write here instead of a temp dir")
    ap.add_argument("--run", nargs=3, metavar=("WARC", "OUT", "WORKERS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.run:
        warc, out, workers = args.run
        print(json.dumps(run_one(warc, out, int(workers), args.ner, args.partition_size)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(args.keep or tmp)
        root.mkdir(parents=True, exist_ok=True)
        warc = root / "bench.warc"
        started = time.perf_counter()
        made = generate(warc, args.pages, int(args.size_gb * 2**30))
        made["generate_seconds"] = round(time.perf_counter() - started, 1)
        print(json.dumps({"warc": made}), flush=True)
        runs = [
            _subprocess_run(args, warc, root / f"out{w}", int(w)) for w in args.workers.split(",")
        ]
        base = runs[0]
        for r in runs:
            speedup = float(r["pages_per_second"]) / float(base["pages_per_second"])
            r["efficiency"] = round(speedup * int(base["workers"]) / int(r["workers"]), 2)
            r["core_seconds_per_page"] = round(
                int(r["workers"]) * float(r["seconds"]) / int(r["articles"]), 4
            )
        print(json.dumps({"runs": runs}, indent=2))


def _subprocess_run(
    args: argparse.Namespace, warc: Path, out: Path, workers: int
) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--run", str(warc), str(out), str(workers),
           "--ner", args.ner, "--partition-size", str(args.partition_size)]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    print(json.dumps(result), flush=True)
    return result


if __name__ == "__main__":
    main()
