"""Extractive summaries: the best sentences of a text, verbatim and in reading order.

Each sentence gets a handful of language-independent features (position, length, how central
its words are in the document, quotes, numbers, proper names) and a small logistic model scores
them; the weights are in ``newsbrief/data/summarizer.json`` (trained by
``scripts/train_summarizer.py`` on sentences labelled by a ROUGE oracle). Selection then takes
the best-scoring sentences, skipping any that repeat an already chosen one, and puts them back
in reading order. Inference is pure Python: no numpy at run time.

Multi-document mode adds cross-document support (how much of a sentence other documents also
say) and a penalty for drawing many sentences from one document, drops near-duplicates (wire
copies) and orders the result by document, then by sentence.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from newsbrief.pipeline.text import Span, count_words, sentence_spans, tokens

FEATURES: tuple[str, ...] = (
    "first",
    "pos_inv",
    "pos_rel",
    "para_first",
    "log_words",
    "short",
    "long",
    "centrality",
    "lead_sim",
    "keyness",
    "quoted",
    "starts_quote",
    "digits",
    "capitals",
    "no_terminal",
    "question",
    "log_doc_len",
    "attribution",
    "graph",
    "words",
)
MULTI_FEATURES: tuple[str, ...] = ("single", "support", "doc_first", "doc_rel")

_REDUNDANT = 0.5  # cosine above which a candidate repeats a chosen sentence
_QUOTES = '"“”«»„'
_DOC_PENALTY = 0.5  # score taken off a document's sentences for each one already chosen from it
_ATTRIBUTION = frozenset(
    ["said", "says", "told", "added", "according", "explained", "insisted", "claimed"]
)
_EN_FUNCTION = frozenset(
    ["the", "of", "and", "to", "in", "is", "was", "that", "for", "on", "with", "as", "it", "by"]
)


@dataclass(frozen=True)
class LinearModel:
    """A logistic scorer: standardised features, weights and a bias (loaded from JSON)."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> LinearModel:
        """Build from the JSON shape written by ``scripts/train_summarizer.py``."""

        def floats(key: str) -> tuple[float, ...]:
            value = data[key]
            assert isinstance(value, list)
            return tuple(float(v) for v in value)

        names = data["features"]
        assert isinstance(names, list)
        bias = data["bias"]
        assert isinstance(bias, int | float)
        return cls(
            tuple(str(n) for n in names),
            floats("mean"),
            floats("scale"),
            floats("weights"),
            float(bias),
        )

    def score(self, row: Sequence[float]) -> float:
        """Log-odds that the sentence belongs in the summary."""
        total = self.bias
        for x, m, s, w in zip(row, self.mean, self.scale, self.weights, strict=True):
            total += w * (x - m) / s
        return total


@dataclass(frozen=True)
class _Sentence:
    span: Span
    index: int
    tf: Counter[str]


@lru_cache(maxsize=4)
def _load(name: str) -> LinearModel:
    raw = resources.files("newsbrief.data").joinpath(name).read_text(encoding="utf-8")
    return LinearModel.from_dict(json.loads(raw))


def _single_model() -> LinearModel:
    return _load("summarizer.json")


def _one_model() -> LinearModel:
    return _load("summarizer_one.json")


def _multi_model() -> LinearModel:
    return _load("summarizer_multi.json")


def summarize(text: str, n: int = 3, *, language: str | None = None) -> list[str]:
    """The ``n`` best sentences of ``text``, verbatim, in reading order.

    ``n == 1`` uses a model trained to pick the one sentence that best stands for the whole
    text; larger ``n`` a model trained to pick the members of the best set of sentences.
    """
    return _summarize(text, n, language, _one_model() if n == 1 else _single_model())


def _summarize(text: str, n: int, language: str | None, model: LinearModel) -> list[str]:
    sents = _sentences(text)
    if n <= 0 or not sents:
        return []
    scores = [model.score(row) for row in _feature_rows(text, sents, language)]
    chosen = _select(sents, scores, n)
    return [sents[i].span.text for i in sorted(chosen)]


def summary_for_brief(
    text: str, *, max_sentences: int = 4, max_words: int = 90, language: str | None = None
) -> list[str]:
    """A short summary for a brief: 2 to ``max_sentences`` sentences within ``max_words``.

    The best sentence always opens the selection; the next best follow while they fit the word
    budget. The budget yields to the two-sentence minimum up to half again its size (the best
    sentence plus the best one that fits in 1.5 x ``max_words``); when no second sentence fits
    even then, the best sentence is returned alone, however long, so non-empty text always
    gives at least one sentence and never a cut one.
    """
    sents = _sentences(text)
    if not sents:
        return []
    scores = [_single_model().score(r) for r in _feature_rows(text, sents, language)]
    order = _readable_order(_select(sents, scores, len(sents)), [s.span.text for s in sents])
    words = [count_words(s.span.text) for s in sents]
    chosen = _fill(order, words, max_sentences, max_words, first=order[0])
    if len(chosen) < 2 <= max_sentences:
        chosen = _fill(order, words, 2, int(max_words * 1.5), first=order[0])
    return [sents[i].span.text for i in sorted(chosen)]


# Openers that lean on the sentence before ("It ...", "However, ..."): a brief that quotes such
# a sentence without its predecessor reads as if something were missing.
_DANGLING = re.compile(
    r"""^["“'‘]?(?:it|its|this|that|these|those|he|she|they|his|her|their|but|however|yet|
    also|moreover|furthermore|still|such|nor|indeed|and|so|then|at\s+the\s+same\s+time|
    er|sie|es|pero|sin\s+embargo|aber|doch)\b""",
    re.IGNORECASE | re.VERBOSE,
)


def _readable_order(order: list[int], texts: list[str]) -> list[int]:
    """``order`` with sentences that open on a dangling reference moved behind the others."""
    dangling = {i for i in order if i > 0 and _DANGLING.match(texts[i])}
    return [i for i in order if i not in dangling] + [i for i in order if i in dangling]


def _fill(order: list[int], words: list[int], limit: int, budget: int, *, first: int) -> list[int]:
    chosen = [first]
    total = sum(words[i] for i in chosen)
    for i in order:
        if len(chosen) >= limit:
            break
        if i not in chosen and total + words[i] <= budget:
            chosen.append(i)
            total += words[i]
    return chosen


def summarize_many(docs: Sequence[str], n: int = 9, *, language: str | None = None) -> list[str]:
    """A multi-document summary of ``docs`` (given in chronological order).

    Sentences are scored within their document, boosted by support from the other documents
    and spread across documents; near-duplicates (wire copies) count once. The result reads in
    chronological order: document order, then sentence order.
    """
    return _summarize_many(docs, n, language, _single_model(), _multi_model())


def _summarize_many(
    docs: Sequence[str], n: int, language: str | None, single: LinearModel, multi: LinearModel
) -> list[str]:
    rows = _multi_rows(docs, language, single)
    if n <= 0 or not rows:
        return []
    flat = [s for _, s, _ in rows]
    scores = [multi.score(r) for _, _, r in rows]
    doc_of = [d for d, _, _ in rows]
    chosen = _opening_on_a_lead(_select(flat, scores, n, doc_of=doc_of), flat, doc_of)
    return [flat[i].span.text for i in sorted(chosen)]


def _opening_on_a_lead(chosen: list[int], sents: list[_Sentence], doc_of: list[int]) -> list[int]:
    """``chosen`` (best first) such that the summary, read in document order, opens on the
    first sentence of an article: when the earliest pick comes from inside its article
    ("The operator said the failure began ..."), that article's lead replaces the weakest
    pick, so the summary starts where the story does. A one-sentence summary keeps its
    best sentence, and a lead that repeats a pick (a standfirst) is not taken."""
    if len(chosen) < 2 or sents[min(chosen)].index == 0:
        return chosen
    lead = doc_of.index(doc_of[min(chosen)])  # rows run in document order, then sentence order
    if any(_cosine(sents[lead].tf, sents[j].tf) > _REDUNDANT for j in chosen):
        return chosen
    return [*chosen[:-1], lead]


def _multi_rows(
    docs: Sequence[str], language: str | None, single: LinearModel
) -> list[tuple[int, _Sentence, list[float]]]:
    """(document index, sentence, multi-document features) for every sentence of every doc."""
    per_doc = [_sentences(d) for d in docs]
    doc_tf = [sum((s.tf for s in sents), Counter[str]()) for sents in per_doc]
    out: list[tuple[int, _Sentence, list[float]]] = []
    for d, (text, sents) in enumerate(zip(docs, per_doc, strict=True)):
        if not sents:
            continue
        others = sum((tf for j, tf in enumerate(doc_tf) if j != d), Counter[str]())
        rows = _feature_rows(text, sents, language)
        for s, row in zip(sents, rows, strict=True):
            support = _cosine(s.tf, others) if others else 0.0
            feats = [single.score(row), support, float(d == 0), d / len(docs)]
            out.append((d, s, feats))
    return out


def _sentences(text: str) -> list[_Sentence]:
    out: list[_Sentence] = []
    for span in sentence_spans(text):
        toks = tokens(span.text)
        if toks:
            out.append(_Sentence(span, len(out), Counter(toks)))
    return out


def _select(
    sents: list[_Sentence], scores: list[float], n: int, *, doc_of: list[int] | None = None
) -> list[int]:
    """Best-first indices, skipping near-duplicates; with ``doc_of``, spread across documents."""
    chosen: list[int] = []
    per_doc: Counter[int] = Counter()
    remaining = set(range(len(sents)))

    def gain(i: int) -> tuple[float, int]:
        spread = per_doc[doc_of[i]] * _DOC_PENALTY if doc_of else 0.0
        return scores[i] - spread, -i

    while remaining and len(chosen) < n:
        best = max(remaining, key=gain)
        remaining.discard(best)
        if any(_cosine(sents[best].tf, sents[j].tf) > _REDUNDANT for j in chosen):
            continue
        chosen.append(best)
        if doc_of:
            per_doc[doc_of[best]] += 1
    return chosen


def _feature_rows(text: str, sents: list[_Sentence], language: str | None) -> list[list[float]]:
    """One row of ``FEATURES`` values per sentence."""
    total = len(sents)
    doc_tf = sum((s.tf for s in sents), Counter[str]())
    isf = _inverse_sentence_frequency(sents)
    lead = sum((s.tf for s in sents[:3]), Counter[str]())
    english = _is_english(doc_tf, language)
    graph = _graph_degree(sents)
    rows = []
    for s, g in zip(sents, graph, strict=True):
        rest = doc_tf - s.tf
        rows.append([*_row(text, s, total, rest, lead, isf, english), g, sum(s.tf.values()) / 25])
    return rows


def _graph_degree(sents: list[_Sentence], window: int = 60) -> list[float]:
    """TextRank's similarity summed over the other sentences (within ``window``), max-scaled."""
    sets = [set(s.tf) for s in sents]
    logs = [math.log(len(x) + 1) for x in sets]
    degree = [0.0] * len(sents)
    for i in range(len(sents)):
        for j in range(i + 1, min(len(sents), i + window)):
            shared = len(sets[i] & sets[j])
            if shared:
                sim = shared / (logs[i] + logs[j])
                degree[i] += sim
                degree[j] += sim
    top = max(degree, default=0.0) or 1.0
    return [d / top for d in degree]


def _row(
    text: str,
    s: _Sentence,
    total: int,
    rest: Counter[str],
    lead: Counter[str],
    isf: dict[str, float],
    english: bool,
) -> list[float]:
    raw = s.span.text
    n_words = sum(s.tf.values())
    lead_sim = _cosine(s.tf, lead - s.tf, isf)
    in_quotes = sum(len(m) for m in re.findall(r"[\"“«„][^\"”»“]*[\"”»“]", raw))
    return [
        float(s.index == 0),
        1.0 / (s.index + 1),
        s.index / total,
        float(_paragraph_first(text, s.span)),
        math.log1p(n_words),
        float(n_words < 6),
        float(n_words > 40),
        _cosine(s.tf, rest, isf),
        lead_sim,
        _keyness(s.tf, rest),
        in_quotes / max(1, len(raw)),
        float(raw[:1] in _QUOTES or raw[:1] in "'‘"),
        float(any(c.isdigit() for c in raw)),
        _capital_share(raw),
        float(raw[-1:] not in ".!?…\"”’'»)。"),
        float(raw.rstrip("\"”’'»)")[-1:] == "?"),
        math.log1p(total),
        float(english and any(t in _ATTRIBUTION for t in s.tf)),
    ]


def _paragraph_first(text: str, span: Span) -> bool:
    before = text[: span.start].rstrip(" \t")
    return not before or before.endswith("\n")


def _inverse_sentence_frequency(sents: list[_Sentence]) -> dict[str, float]:
    df: Counter[str] = Counter()
    for s in sents:
        df.update(s.tf.keys())
    total = len(sents) + 1
    return {t: math.log(total / c) for t, c in df.items()}


def _cosine(a: Counter[str], b: Counter[str], weight: dict[str, float] | None = None) -> float:
    if len(a) > len(b):
        a, b = b, a
    dot = 0.0
    for t, c in a.items():
        if t in b:
            w = weight.get(t, 0.0) if weight else 1.0
            dot += c * b[t] * w * w
    if not dot:
        return 0.0
    return dot / (_norm(a, weight) * _norm(b, weight))


def _norm(tf: Counter[str], weight: dict[str, float] | None) -> float:
    if weight is None:
        return math.sqrt(sum(c * c for c in tf.values()))
    return math.sqrt(sum((c * weight.get(t, 0.0)) ** 2 for t, c in tf.items())) or 1.0


def _keyness(tf: Counter[str], rest: Counter[str]) -> float:
    """Mean count elsewhere in the document of the sentence's longer words (Luhn's idea)."""
    words = [t for t in tf if len(t) > 3 and not t.isdigit()]
    if not words:
        return 0.0
    return math.log1p(sum(rest[t] for t in words) / len(words))


def _capital_share(raw: str) -> float:
    words = re.findall(r"\w+", raw)
    if len(words) < 2:
        return 0.0
    return sum(1 for w in words[1:] if w[:1].isupper()) / (len(words) - 1)


def _is_english(doc_tf: Counter[str], language: str | None) -> bool:
    if language is not None:
        return language.lower().startswith("en")
    total = sum(doc_tf.values())
    return bool(total) and sum(doc_tf[t] for t in _EN_FUNCTION) / total > 0.12
