"""Quotes: 2-3 informative, non-redundant passages copied verbatim from the body.

Candidates are sentences (or a very short sentence joined with its neighbour in the
same paragraph), taken as exact slices of the text, so every quote occurs character
for character in it. Fragments, overlong sentences, questions, headings and lines
that look like page furniture are rejected. Each candidate is scored on

- the document weight of its content words (words the article keeps coming back to),
- names (capitalised words inside the sentence) and numbers,
- reported speech (quotation marks, "said", "told", "according to"),
- a comfortable length,

and the passages are picked by maximal marginal relevance, so that they do not repeat
each other, nor (preferably) the summary's sentences passed as ``exclude``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from newsbrief.pipeline.readtime import word_equivalents
from newsbrief.pipeline.text import Span, normalize, sentence_spans, tokens

MIN_WORDS = 8
MAX_WORDS = 60
_LAMBDA = 0.7
_REDUNDANT = 0.5
"""Above this similarity to a chosen passage, a third passage is not worth adding."""

_STOPWORD_TEXT = """
a about above after again against all also am an and any are as at be because been
before being below between both but by can could did do does doing down during each few
for from further had has have having he her here hers herself him himself his how i if
in into is it its itself just let me more most my myself no nor not now of off on once
only or other our ours out over own same she should so some such than that the their
theirs them themselves then there these they this those through to too under until up
very was we were what when where which while who whom why will with would you your yours
yourself said says told one two also may might must shall its it's he's she's they're
we're there's would've however still even yet much many well
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_SPEECH = re.compile(
    r"\b(?:said|says|told|tells|stated|added|announced|warned|argued|wrote|insisted|"
    r"declared|explained|according to|in a statement)\b",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[\"“«„]([^\"”»“]{12,})[\"”»“]")
_BOILERPLATE = re.compile(
    r"^(?:photo|image|picture|video|watch|listen|credit|source|read more|read also|"
    r"related|advertisement|sponsored|subscribe|sign up|follow us|share this|click|"
    r"copyright|all rights reserved|latest news|breaking news|newsletter|cookies?)\b"
    r"|https?://|www\.|\b[\w-]+\.(?:com|org|net|info|co\.uk)\b|[|•©®™]"
    r"|\b(?:cookies|javascript|newsletter|log in|sign in|terms of (?:use|service))\b",
    re.IGNORECASE,
)
_ENDS_CLEANLY = re.compile(r"[.!…。！]['\"”’»)\]]*$")
_ANAPHORIC_TEXT = "he she it they this that these those his her their its nor and or so"
_ANAPHORIC = frozenset(_ANAPHORIC_TEXT.split())
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w'’-]+")


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    first: int
    """Index of its first sentence."""
    last: int
    text: str
    words: frozenset[str]
    """Its content words (lower-cased, without stop words)."""


def select_quotes(
    text: str, *, k: int = 3, exclude: Sequence[str] = (), forbid: Sequence[str] = ()
) -> list[str]:
    """Up to ``k`` informative, non-redundant passages of ``text``, verbatim, in reading order.

    ``exclude`` holds sentences to avoid if possible (the summary's); ``forbid`` holds
    texts no passage may come from (an aggregator's own summary). Gives 2 when the text
    only supports 2, and fewer only when it has fewer usable sentences.
    """
    if k <= 0 or not text.strip():
        return []
    spans = sentence_spans(text)
    pool = _usable(text, spans, MIN_WORDS) or _usable(text, spans, MIN_WORDS // 2)
    banned = [normalize(s) for f in forbid for s in _sentences_of(f)]
    pool = [c for c in pool if not _overlaps(normalize(c.text), banned)]
    weights = _weights(spans)
    score = {c: _relevance(c, weights) for c in pool}
    avoid = [normalize(s) for e in exclude for s in _sentences_of(e)]
    preferred = [c for c in pool if not _overlaps(normalize(c.text), avoid)]
    picks = _mmr(preferred, score, k, [])
    if len(picks) < min(k, 2):
        picks = _mmr([c for c in pool if c not in preferred], score, min(k, 2), picks)
    return [c.text for c in sorted(picks, key=lambda c: c.start)]


def _sentences_of(text: str) -> list[str]:
    return [s.text for s in sentence_spans(text)] or [text]


def _overlaps(candidate: str, others: Sequence[str]) -> bool:
    return any(o and (o in candidate or candidate in o) for o in others)


# --- candidates -----------------------------------------------------------------------------


def _usable(text: str, spans: Sequence[Span], min_words: int) -> list[_Candidate]:
    """Sentences and short-sentence pairs that can stand as quotes, first occurrence only."""
    found: list[_Candidate] = []
    seen: set[str] = set()
    for i, span in enumerate(spans):
        options = [(i, i)]
        if i + 1 < len(spans) and _same_paragraph(text, span, spans[i + 1]):
            short = min(word_equivalents(span.text), word_equivalents(spans[i + 1].text))
            if short < MIN_WORDS:
                options.append((i, i + 1))
        for first, last in options:
            start, end = spans[first].start, spans[last].end
            passage = text[start:end]
            key = normalize(passage)
            if key in seen or not _acceptable(passage, min_words):
                continue
            seen.add(key)
            found.append(_Candidate(start, end, first, last, passage, _content(passage)))
    return found


def _same_paragraph(text: str, a: Span, b: Span) -> bool:
    return "\n" not in text[a.end : b.start]


def _acceptable(passage: str, min_words: int) -> bool:
    """Whether ``passage`` can be a quote: a whole, plain sentence of sensible length."""
    size = word_equivalents(passage)
    letters = sum(c.isalpha() for c in passage)
    return (
        min_words <= size <= MAX_WORDS
        and bool(_ENDS_CLEANLY.search(passage))
        and letters >= 0.6 * len(passage.replace(" ", ""))
        and not _BOILERPLATE.search(passage)
        and not _shouting(passage)
    )


def _shouting(passage: str) -> bool:
    letters = [c for c in passage if c.isalpha()]
    return sum(c.isupper() for c in letters) > 0.5 * len(letters)


def _content(passage: str) -> frozenset[str]:
    return frozenset(t for t in tokens(passage) if t not in _STOPWORDS and len(t) > 2)


# --- scoring --------------------------------------------------------------------------------


def _weights(spans: Sequence[Span]) -> dict[str, float]:
    """Document weight of each content word: how many sentences use it (log-damped)."""
    df: Counter[str] = Counter()
    for span in spans:
        df.update(_content(span.text))
    return {w: math.log1p(n) for w, n in df.items()}


def _relevance(c: _Candidate, weights: dict[str, float]) -> float:
    """How informative a passage is, about 0 to 1."""
    size = word_equivalents(c.text)
    central = sum(weights.get(w, 0.0) for w in c.words) / math.sqrt(size + 4) / 2.0
    names = len(_CAPITALISED.findall(c.text))
    speech = bool(_SPEECH.search(c.text)) or bool(_QUOTED.search(c.text))
    fit = 1.0 if 14 <= size <= 42 else 0.6
    score = (
        0.45 * min(1.0, central)
        + 0.2 * min(1.0, names / 3)
        + 0.1 * bool(re.search(r"\d", c.text))
        + 0.15 * speech
        + 0.1 * fit
    )
    return score - _penalty(c)


def _penalty(c: _Candidate) -> float:
    """Things that make a passage read badly out of context."""
    first_word = tokens(c.text[:40])[:1]
    penalty = 0.08 if first_word and first_word[0] in _ANAPHORIC else 0.0
    if (c.text.count('"') % 2) or (c.text.count("“") != c.text.count("”")):
        penalty += 0.15
    if c.last > c.first:
        penalty += 0.05
    if re.search(r"\?['\"”’»)]*\s", c.text):
        penalty += 0.1  # a question answered in the next sentence
    return penalty


def _similarity(a: _Candidate, b: _Candidate) -> float:
    if a.first <= b.last and b.first <= a.last:
        return 1.0  # they share a sentence
    if not a.words or not b.words:
        return 0.0
    overlap = len(a.words & b.words) / math.sqrt(len(a.words) * len(b.words))
    adjacent = 0.15 if abs(a.first - b.last) == 1 or abs(b.first - a.last) == 1 else 0.0
    return min(1.0, overlap + adjacent)


def _mmr(
    pool: Sequence[_Candidate], score: dict[_Candidate, float], k: int, chosen: list[_Candidate]
) -> list[_Candidate]:
    """Greedy maximal marginal relevance: relevant, and unlike what is already chosen."""
    picks = list(chosen)
    while len(picks) < k:
        best: tuple[float, _Candidate] | None = None
        for c in pool:
            if c in picks:
                continue
            sim = max((_similarity(c, p) for p in picks), default=0.0)
            if sim >= 1.0 or (len(picks) >= 2 and sim > _REDUNDANT):
                continue
            value = _LAMBDA * score[c] - (1 - _LAMBDA) * sim
            if best is None or value > best[0]:
                best = (value, c)
        if best is None:
            break
        picks.append(best[1])
    return picks
