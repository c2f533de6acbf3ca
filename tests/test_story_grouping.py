"""Ingest groups the bundled sample corpus into its stories, and the two seeds into theirs.

The sample corpus's MANIFEST.json gives each article's gold story key. Its stories are told
days apart by different outlets from different angles, and it is ingested file by file (by
outlet, not by date), so a story's articles also arrive out of date order. The seeds carry
no dates (they get the ingest time, months after the corpus) and must form one story of
their own, whichever order they come in, with no sample article in it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import newsbrief
from newsbrief._ingest import IngestItem

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "src" / "newsbrief" / "sample"
SEEDS = ROOT.parent / "shared" / "seeds"
RECALL_FLOOR = 0.9  # achieved: 1.0 (every story whole), with precision 1.0


@dataclass(frozen=True)
class Grouping:
    """Final story of each ingested document, keyed by gold story ("seed" for the seeds)."""

    stories: list[tuple[str, str]]
    """(gold key, assigned story id) for every ingested document, in ingest order."""


def _seed_paths() -> list[Path]:
    return sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []


def _gold_by_file() -> dict[str, str]:
    manifest = json.loads((SAMPLE / "MANIFEST.json").read_text("utf-8"))
    return {entry["file"]: entry["story"] for entry in manifest}


def _ingest(tmp: Path, sources: list[Path]) -> Grouping:
    gold = _gold_by_file()
    seeds = {p.resolve() for p in _seed_paths()}
    items: list[IngestItem] = []
    engine = newsbrief.make_engine(f"sqlite:///{tmp / 'stories.db'}", ner="gazetteer")
    try:
        engine.ingest([str(s) for s in sources], on_item=items.append)
        pairs = []
        for item in items:
            assert item.status == "added" and item.article_id, item
            path = Path(item.location)
            key = "seed" if path.resolve() in seeds else gold[path.name]
            story = engine.article(item.article_id).story_id
            assert story is not None
            pairs.append((key, story))
    finally:
        engine.close()
    return Grouping(pairs)


def _pair_counts(stories: list[tuple[str, str]]) -> tuple[int, int, int]:
    """(pairs together in both, pairs together in the output, pairs together in gold)."""

    def pairs(counts: Counter[object]) -> int:
        return sum(n * (n - 1) // 2 for n in counts.values())

    both = pairs(Counter(stories))
    return both, pairs(Counter(s for _, s in stories)), pairs(Counter(k for k, _ in stories))


@pytest.fixture(scope="module", params=["seeds-last", "seeds-first-reversed"])
def grouping(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Grouping]:
    """The corpus ingested once per order: seeds after it, or (reversed) before it."""
    seeds = _seed_paths()
    if request.param == "seeds-last":
        sources = [SAMPLE, *seeds]
    else:
        if len(seeds) < 2:
            pytest.skip(f"seed documents not found under {SEEDS}: one order is enough")
        sources = [*reversed(seeds), SAMPLE]
    yield _ingest(tmp_path_factory.mktemp(request.param), sources)


def test_every_sample_article_is_ingested(grouping: Grouping) -> None:
    keys = Counter(k for k, _ in grouping.stories if k != "seed")
    assert keys == Counter(_gold_by_file().values())


def test_sample_stories_are_pure(grouping: Grouping) -> None:
    corpus = [(k, s) for k, s in grouping.stories if k != "seed"]
    both, predicted, _ = _pair_counts(corpus)
    assert both == predicted  # pairwise precision 1.0: no story mixes two gold stories


def test_sample_stories_are_kept_together(grouping: Grouping) -> None:
    corpus = [(k, s) for k, s in grouping.stories if k != "seed"]
    both, _, gold = _pair_counts(corpus)
    assert both / gold >= RECALL_FLOOR


def test_days_apart_coverage_of_one_event_is_one_story(grouping: Grouping) -> None:
    by_key: dict[str, set[str]] = {}
    for key, story in grouping.stories:
        by_key.setdefault(key, set()).add(story)
    split = sorted(k for k, s in by_key.items() if k != "seed" and len(s) > 1)
    assert len(split) <= 1, f"stories split across ids: {split}"


def test_seeds_form_one_story_of_their_own(grouping: Grouping) -> None:
    seeds = {s for k, s in grouping.stories if k == "seed"}
    if len(_seed_paths()) < 2:
        pytest.skip(f"seed documents not found under {SEEDS}")
    assert len(seeds) == 1
    (story,) = seeds
    intruders = [k for k, s in grouping.stories if s == story and k != "seed"]
    assert intruders == []
