#!/usr/bin/env python3
"""Benchmark: who said what, relations and entity merging against the hand-annotated set.

The set is ``tests/data/annotated/*.json``: short articles written for this project, with
statements, relations and entities marked by hand. Reports precision, recall and F1 of

  * statements: a found statement matches a gold one when the speakers agree (same name,
    same surname or same resolved entity) and the texts overlap (at least 60% of the gold
    words, and half of the found words);
  * relations: type, subject, object and polarity all agree (subject and object may swap for
    the symmetric type "agreement");
  * entity merging: pairwise over every gold mention of the whole set (all articles pooled),
    resolved with ``resolve.resolve_entities``: a pair is positive when both mentions name
    the same gold entity.

Files marked ``"heldout": true`` were annotated after the rules were written and never used
to tune them; the others are the development set (the rules were tuned on it), so the
held-out figures are the honest ones. Usage: python bench/who_said_what.py [--verbose]
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

from newsbrief.pipeline.entities import GazetteerRecognizer, clean_name
from newsbrief.pipeline.relations import extract_relations
from newsbrief.pipeline.resolve import fold, resolve, resolve_entities
from newsbrief.pipeline.statements import extract_statements
from newsbrief.records import Relation, Statement

ANNOTATED = Path(__file__).resolve().parents[1] / "tests" / "data" / "annotated"
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Score:
    """Precision and recall of one task."""

    true_pos_pred: int
    predicted: int
    true_pos_gold: int
    gold: int

    @property
    def precision(self) -> float:
        return self.true_pos_pred / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_pos_gold / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __str__(self) -> str:
        return (
            f"P={self.precision:.3f} ({self.true_pos_pred}/{self.predicted})  "
            f"R={self.recall:.3f} ({self.true_pos_gold}/{self.gold})  F1={self.f1:.3f}"
        )


def load_articles(folder: Path = ANNOTATED, *, heldout: bool | None = None) -> list[dict[str, Any]]:
    """Annotated articles, in file then list order (``heldout`` selects one part)."""
    out: list[dict[str, Any]] = []
    for f in sorted(folder.glob("*.json")):
        data = json.loads(f.read_text(encoding="utf-8"))
        if heldout is None or bool(data.get("heldout")) == heldout:
            out.extend(data["articles"])
    return out


def same_speaker(found: str, gold: str) -> bool:
    a, b = fold(found), fold(gold)
    if a == b or a in b or b in a or a.split()[-1] == b.split()[-1]:
        return True
    ra, rb = resolve(found, "any", role="actor"), resolve(gold, "any", role="actor")
    return ra is not None and rb is not None and ra.id == rb.id


def same_text(found: str, gold: str) -> bool:
    f, g = set(_WORD.findall(fold(found))), set(_WORD.findall(fold(gold)))
    common = len(f & g)
    return bool(g) and bool(f) and common >= 0.6 * len(g) and common >= 0.5 * len(f)


def _statement_match(s: Statement, g: dict[str, Any]) -> bool:
    return same_speaker(s.speaker, g["speaker"]) and same_text(s.text, g["text"])


def _same_name(found: str, gold: str) -> bool:
    ra, rb = resolve(found, "any", role="actor"), resolve(gold, "any", role="actor")
    if ra is not None and rb is not None and ra.id == rb.id:
        return True
    return fold(found) == fold(gold) or fold(found).split()[-1] == fold(gold).split()[-1]


def _relation_match(r: Relation, g: dict[str, Any]) -> bool:
    if r.type != g["type"] or r.polarity != g["polarity"]:
        return False
    pairs = [(r.subject, r.object)]
    if r.type == "agreement":
        pairs.append((r.object, r.subject))
    return any(_same_name(s, g["subject"]) and _same_name(o, g["object"]) for s, o in pairs)


def _score(found: Sequence[Any], gold: Sequence[dict[str, Any]], match: Any) -> Score:
    tp_pred = sum(any(match(f, g) for g in gold) for f in found)
    tp_gold = sum(any(match(f, g) for f in found) for g in gold)
    return Score(tp_pred, len(found), tp_gold, len(gold))


def _add(a: Score, b: Score) -> Score:
    return Score(
        a.true_pos_pred + b.true_pos_pred,
        a.predicted + b.predicted,
        a.true_pos_gold + b.true_pos_gold,
        a.gold + b.gold,
    )


def score_extraction(
    articles: Iterable[dict[str, Any]], *, verbose: bool = False
) -> tuple[Score, Score]:
    """Statement and relation scores over ``articles`` (gazetteer people as hints)."""
    recognizer = GazetteerRecognizer()
    st, rel = Score(0, 0, 0, 0), Score(0, 0, 0, 0)
    for art in articles:
        people = recognizer.entities(art["text"]).people
        found_st = extract_statements(art["text"], people=people)
        found_rel = extract_relations(art["text"], people=people)
        st = _add(st, _score(found_st, art["statements"], _statement_match))
        rel = _add(rel, _score(found_rel, art["relations"], _relation_match))
        if verbose:
            _report(art, found_st, found_rel)
    return st, rel


def score_merging(articles: Iterable[dict[str, Any]]) -> Score:
    """Pairwise precision/recall of entity merging over all gold mentions, pooled."""
    hints = {"person": "person", "org": "org", "place": "place", "country": "any"}
    mentions: dict[tuple[str, str], str] = {}
    for art in articles:
        for ent in art["entities"]:
            for m in ent["mentions"]:
                mentions.setdefault((m, hints[ent["kind"]]), ent["name"])
    entities = resolve_entities(list(mentions), role="actor")
    predicted: dict[tuple[str, str], str] = {}
    for m, kind in mentions:
        found = resolve(m, kind, role="actor")
        surface = clean_name(m)
        owner = next(
            (e.id for e in entities if found and surface in e.aliases and e.kind == found.kind),
            "none:" + m,
        )
        predicted[(m, kind)] = owner
    pairs = list(combinations(mentions, 2))
    gold_pos = {p for p in pairs if mentions[p[0]] == mentions[p[1]]}
    pred_pos = {p for p in pairs if predicted[p[0]] == predicted[p[1]]}
    both = len(gold_pos & pred_pos)
    return Score(both, len(pred_pos), both, len(gold_pos))


def _report(art: dict[str, Any], sts: Sequence[Statement], rels: Sequence[Relation]) -> None:
    for s in sts:
        ok = any(_statement_match(s, g) for g in art["statements"])
        print(f"{art['id']} {'ok ' if ok else 'FP '} S {s.speaker!r} {s.cue} {s.text!r}")
    for g in art["statements"]:
        if not any(_statement_match(s, g) for s in sts):
            print(f"{art['id']} FN  S {g['speaker']!r} {g['cue']} {g['text']!r}")
    for r in rels:
        ok = any(_relation_match(r, g) for g in art["relations"])
        verdict = "ok " if ok else "FP "
        print(f"{art['id']} {verdict} R {r.type} {r.subject}->{r.object} {r.polarity}")
    for g in art["relations"]:
        if not any(_relation_match(r, g) for r in rels):
            print(f"{art['id']} FN  R {g['type']} {g['subject']}->{g['object']} {g['polarity']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--verbose", action="store_true", help="print every hit and miss")
    args = parser.parse_args()
    for label, part in (("development", False), ("held-out", True), ("all", None)):
        articles = load_articles(heldout=part)
        st, rel = score_extraction(articles, verbose=args.verbose and part is not None)
        print(f"== {label}: {len(articles)} articles")
        print(f"statements:      {st}")
        print(f"relations:       {rel}")
        print(f"entity merging:  {score_merging(articles)}")


if __name__ == "__main__":
    main()
