"""Train the summarizer's sentence scorers and report cross-validated ROUGE.

Labels: the reference scorer's greedy ROUGE oracle marks the sentences (of our own splitter)
that best rebuild each reference. Features: newsbrief.pipeline.summarize's FEATURES (single
document) and MULTI_FEATURES (multi-document). Models: L2-regularised logistic regression
(scikit-learn, a training-only dependency), exported as JSON for pure-Python inference.

Cross-validation is by article: items are split into --folds folds by a hash of their id; each
fold is summarised by a model trained on the other folds only, and the reported figures are the
out-of-fold summaries scored against Lead (the reference scorer's) with a paired bootstrap CI.
With --write, models trained on every dev item are written to src/newsbrief/data/.

    .venv/bin/python scripts/train_summarizer.py --write
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import sys
from collections import Counter
from itertools import pairwise
from pathlib import Path
from types import ModuleType
from typing import Any

from sklearn.linear_model import LogisticRegression, Ridge

from newsbrief.pipeline import summarize as sm

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "newsbrief" / "data"
Item = dict[str, Any]


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bench_summarize", ROOT / "bench" / "summarize.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _fold(item_id: str, folds: int) -> int:
    return int(hashlib.sha1(item_id.encode()).hexdigest()[:8], 16) % folds


def _labels(
    ev: ModuleType, texts: list[list[str]], reference: str, k: int, target: str = "oracle"
) -> list[float]:
    if target == "soft":
        return [_sentence_rouge(ev, t, reference) for doc in texts for t in doc]
    picked = set(ev.run_oracle(texts, reference, k))
    return [float(t in picked) for doc in texts for t in doc]


def _sentence_rouge(ev: ModuleType, sentence: str, reference: str) -> float:
    """ROUGE-1 F + ROUGE-2 F of one sentence alone against the reference."""
    ref, hyp = ev.rouge_tokens(reference), ev.rouge_tokens(sentence)
    r1, h1 = Counter(ref), Counter(hyp)
    r2, h2 = Counter(pairwise(ref)), Counter(pairwise(hyp))
    f1 = ev._f1(sum((r1 & h1).values()), len(hyp), len(ref))
    f2 = ev._f1(sum((r2 & h2).values()), max(0, len(hyp) - 1), max(0, len(ref) - 1))
    return f1 + f2


def _single_examples(
    ev: ModuleType, items: list[Item], k: int, target: str
) -> list[tuple[list, list]]:
    out = []
    for item in items:
        text = "\n\n".join(item["documents"])
        sents = sm._sentences(text)
        rows = sm._feature_rows(text, sents, None)
        texts = [[s.span.text for s in sents]]
        out.append((rows, _labels(ev, texts, item["reference"], k, target)))
    return out


def _multi_examples(
    ev: ModuleType, items: list[Item], k: int, single: sm.LinearModel
) -> list[tuple[list, list]]:
    out = []
    for item in items:
        rows = sm._multi_rows(item["documents"], None, single)
        texts = [[s.span.text for d, s, _ in rows]]
        out.append(([r for _, _, r in rows], _labels(ev, texts, item["reference"], k)))
    return out


def fit(
    examples: list[tuple[list, list]],
    names: tuple[str, ...],
    c: float,
    weights: list[float] | None = None,
    target: str = "oracle",
) -> sm.LinearModel:
    """Logistic regression on standardised features; returned as the JSON-able LinearModel.

    ``weights`` gives one weight per example (article), spread over its sentences.
    """
    xs = [r for rows, _ in examples for r in rows]
    ys = [y for _, labels in examples for y in labels]
    ws = [
        w
        for (rows, _), w in zip(examples, weights or [1.0] * len(examples), strict=True)
        for _ in rows
    ]
    ws = [w * len(ws) / sum(ws) for w in ws]  # mean 1, so that C keeps its meaning
    dims = len(names)
    mean = [sum(r[j] for r in xs) / len(xs) for j in range(dims)]
    scale = [(sum((r[j] - mean[j]) ** 2 for r in xs) / len(xs)) ** 0.5 or 1.0 for j in range(dims)]
    z = [[(r[j] - mean[j]) / scale[j] for j in range(dims)] for r in xs]
    if target == "soft":
        reg = Ridge(alpha=1.0 / c).fit(z, ys, sample_weight=ws)
        coef, bias = list(reg.coef_), float(reg.intercept_)
    else:
        clf = LogisticRegression(C=c, max_iter=2000).fit(z, ys, sample_weight=ws)
        coef, bias = list(clf.coef_[0]), float(clf.intercept_[0])
    return sm.LinearModel(names, tuple(mean), tuple(scale), tuple(float(w) for w in coef), bias)


def _report(
    bench: ModuleType, ev: ModuleType, name: str, items: list[Item], outs: list[list[str]], k: int
) -> None:
    scorer = bench.rouge_scorer(ev)
    ours = [
        bench.score_output(ev, scorer, i["reference"], o) for i, o in zip(items, outs, strict=True)
    ]
    print(f"\n{name}: {len(items)} items, {k} sentences, out-of-fold (cross-validated)")
    for base in ("lead3", "lead-ours", "textrank") if k == 1 else ("lead3", "lead-ours"):
        rows = [
            bench.score_output(ev, scorer, i["reference"], _baseline(bench, ev, base, i, k))
            for i in items
        ]
        for j, metric in enumerate(bench.METRICS):
            a, b = [r[j] for r in ours], [r[j] for r in rows]
            d, lo, hi = bench.bootstrap_ci(a, b)
            print(
                f"  {metric:<9} ours {sum(a) / len(a):6.2f}  {base} {sum(b) / len(b):6.2f}  "
                f"diff {d:+.2f} [{lo:+.2f}, {hi:+.2f}]"
            )


def _baseline(bench: ModuleType, ev: ModuleType, base: str, item: Item, k: int) -> list[str]:
    """A reference baseline, or "lead-ours": round-robin lead on newsbrief's own sentences."""
    if base != "lead-ours":
        return list(bench.baseline(ev, base, item, k))
    docs = [[s.span.text for s in sm._sentences(d)] for d in item["documents"]]
    return list(ev.run_lead(docs, k))


def _model_json(model: sm.LinearModel, note: str) -> str:
    data = {
        "note": note,
        "features": list(model.features),
        "mean": list(model.mean),
        "scale": list(model.scale),
        "weights": list(model.weights),
        "bias": model.bias,
    }
    return json.dumps(data, indent=1) + "\n"


def main() -> None:
    """Cross-validate, report, and optionally write the shipped weights."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--c", type=float, default=0.1, help="inverse L2 strength")
    ap.add_argument("--limit", type=int, help="first N items of each set (quick runs)")
    ap.add_argument(
        "--xsum-share",
        type=float,
        default=0.3,
        help="total training weight of XSum relative to CNN/DM",
    )
    ap.add_argument("--single-only", action="store_true", help="skip the multi-document model")
    ap.add_argument("--write", action="store_true", help="write models trained on all items")
    args = ap.parse_args()
    bench = _bench()
    ev = bench.load_reference_scorer()
    if ev is None:
        sys.exit(0)
    sets = {
        n: ev.load_set(str(bench.DATASETS / bench.SETS[n].folder), args.limit)
        for n in ("cnndm", "xsum", "multinews")
    }
    ks = {n: bench.SETS[n].sentences for n in sets}
    # n >= 2: logistic regression on oracle membership; n == 1: ridge on each sentence's ROUGE
    targets = {"cnndm": "oracle", "xsum": "soft"}
    share = {"cnndm": 1.0, "xsum": args.xsum_share}
    weight = {n: [share[n] / len(sets[n])] * len(sets[n]) for n in targets}
    full = {}
    for n, target in targets.items():
        single = {m: _single_examples(ev, sets[m], ks[n], target) for m in targets}
        outs: list[list[str]] = [[] for _ in sets[n]]
        for f in range(args.folds):
            keep = [
                (e, w)
                for m in single
                for i, e, w in zip(sets[m], single[m], weight[m], strict=True)
                if _fold(i["id"], args.folds) != f
            ]
            model = fit([e for e, _ in keep], sm.FEATURES, args.c, [w for _, w in keep], target)
            for j, item in enumerate(sets[n]):
                if _fold(item["id"], args.folds) == f:
                    outs[j] = sm._summarize("\n\n".join(item["documents"]), ks[n], None, model)
        _report(bench, ev, n, sets[n], outs, ks[n])
        full[target] = fit(
            [e for m in single for e in single[m]],
            sm.FEATURES,
            args.c,
            [w for m in single for w in weight[m]],
            target,
        )
    full_single = full["oracle"]
    if args.single_only:
        return
    _cross_validate_multi(bench, ev, sets["multinews"], ks["multinews"], full_single, args)
    if args.write:
        (DATA / "summarizer.json").write_text(_model_json(full_single, "cnndm+xsum dev, all"))
        (DATA / "summarizer_one.json").write_text(_model_json(full["soft"], "cnndm+xsum, all"))
        multi = fit(
            _multi_examples(ev, sets["multinews"], ks["multinews"], full_single),
            sm.MULTI_FEATURES,
            args.c,
        )
        (DATA / "summarizer_multi.json").write_text(_model_json(multi, "multinews dev, all"))
        print(f"\nwrote {DATA}/summarizer, summarizer_one and summarizer_multi .json")


def _cross_validate_multi(
    bench: ModuleType,
    ev: ModuleType,
    items: list[Item],
    k: int,
    single: sm.LinearModel,
    args: argparse.Namespace,
) -> None:
    examples = _multi_examples(ev, items, k, single)
    outs: list[list[str]] = [[] for _ in items]
    for f in range(args.folds):
        train = [e for i, e in zip(items, examples, strict=True) if _fold(i["id"], args.folds) != f]
        model = fit(train, sm.MULTI_FEATURES, args.c)
        for j, item in enumerate(items):
            if _fold(item["id"], args.folds) == f:
                outs[j] = sm._summarize_many(item["documents"], k, None, single, model)
    _report(bench, ev, "multinews", items, outs, k)


if __name__ == "__main__":
    main()
