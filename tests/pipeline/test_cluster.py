"""Story clustering: regression floor, cold window, determinism, persistence."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsbrief.pipeline.cluster import (
    ClusterConfig,
    ClusterDoc,
    StoryClusterer,
    cluster_stream,
    entity_phrases,
    join_decision,
    phrase_keys,
    story_id,
)

FLOOR_SET = Path(__file__).resolve().parents[1] / "data" / "cluster_floor.jsonl"
SEEDS = Path(__file__).resolve().parents[2] / ".." / "shared" / "seeds"
PAIRWISE_F1_FLOOR = 0.90  # achieved: 1.00 with the default config


def _floor_rows() -> list[dict[str, str]]:
    return [json.loads(line) for line in FLOOR_SET.read_text("utf-8").splitlines() if line]


def _doc(row: dict[str, str]) -> ClusterDoc:
    date = datetime.fromisoformat(row["date"].replace("Z", "+00:00"))
    return ClusterDoc(row["id"], date, row["title"], row["text"])


def _pairwise_f1(gold: list[str], pred: list[str]) -> float:
    def pairs(counts: Counter[object]) -> int:
        return sum(n * (n - 1) // 2 for n in counts.values())

    tp = pairs(Counter(zip(gold, pred, strict=True)))
    p_den, r_den = pairs(Counter(pred)), pairs(Counter(gold))
    precision = tp / p_den if p_den else 0.0
    recall = tp / r_den if r_den else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def test_pairwise_f1_helper() -> None:
    assert _pairwise_f1(["a", "a", "b"], ["x", "x", "y"]) == 1.0
    assert _pairwise_f1(["a", "a", "b"], ["x", "y", "z"]) == 0.0


def test_floor_set_groups_stories_above_floor() -> None:
    rows = _floor_rows()
    labels = cluster_stream([_doc(r) for r in rows])
    assert _pairwise_f1([r["story"] for r in rows], labels) >= PAIRWISE_F1_FLOOR


def test_same_topic_different_stories_stay_apart() -> None:
    rows = _floor_rows()
    stories = [r["story"] for r in rows]
    labels = dict(zip(stories, cluster_stream([_doc(r) for r in rows]), strict=True))
    for story, other in [("quake", "quake2"), ("election", "election2"), ("football", "football2")]:
        assert labels[story] != labels[other]


def test_story_id_comes_from_first_member() -> None:
    rows = _floor_rows()
    labels = cluster_stream([_doc(r) for r in rows])
    first: dict[str, str] = {}
    for row, label in zip(rows, labels, strict=True):
        first.setdefault(label, row["id"])
    assert all(label == story_id(doc_id) for label, doc_id in first.items())


def test_cold_story_is_not_joined() -> None:
    rows = _floor_rows()[:2]  # the first two reports of one story
    early, late = _doc(rows[0]), _doc(rows[1])
    assert early.date is not None
    late = dataclasses.replace(late, date=early.date + timedelta(days=60))
    cold = StoryClusterer(ClusterConfig(cold_days=30))
    assert cold.add(early) != cold.add(late)
    assert cold.open_stories() == 1
    warm = StoryClusterer(ClusterConfig(cold_days=90))
    assert warm.add(early) == warm.add(late)
    never = StoryClusterer(ClusterConfig(cold_days=0))
    assert never.add(early) == never.add(late)


def test_late_article_finds_its_story_after_newer_ones() -> None:
    rows = _floor_rows()
    early, late = _doc(rows[0]), _doc(rows[1])  # two reports of one story
    other = next(_doc(r) for r in rows if r["story"] != rows[0]["story"])
    assert early.date is not None
    newer = dataclasses.replace(other, date=early.date + timedelta(days=200))
    clusterer = StoryClusterer(ClusterConfig(cold_days=30, retain_days=365))
    first = clusterer.add(early)
    clusterer.add(newer)  # the stream moves on months past the first story's window
    assert clusterer.open_stories() == 1
    assert clusterer.add(late) == first  # an archive article arriving out of date order


def test_article_long_before_a_story_does_not_join_it() -> None:
    rows = _floor_rows()[:2]
    first, second = _doc(rows[0]), _doc(rows[1])
    assert first.date is not None
    earlier = dataclasses.replace(second, date=first.date - timedelta(days=60))
    clusterer = StoryClusterer(ClusterConfig(cold_days=30))
    assert clusterer.add(first) != clusterer.add(earlier)


def test_stories_past_retention_are_dropped() -> None:
    rows = _floor_rows()
    early, late = _doc(rows[0]), _doc(rows[1])
    other = next(_doc(r) for r in rows if r["story"] != rows[0]["story"])
    assert early.date is not None
    newer = dataclasses.replace(other, date=early.date + timedelta(days=100))
    clusterer = StoryClusterer(ClusterConfig(cold_days=30, retain_days=60))
    first = clusterer.add(early)
    clusterer.add(newer)
    assert len(clusterer.snapshot()["stories"]) == 1
    assert clusterer.add(late) != first  # forgotten: the late copy starts a new story


def test_version_one_snapshot_is_restored() -> None:
    docs = [_doc(r) for r in _floor_rows()]
    whole = StoryClusterer()
    expected = [whole.add(d) for d in docs]
    first = StoryClusterer()
    got = [first.add(d) for d in docs[:5]]
    data = json.loads(json.dumps(first.snapshot()))
    data["version"] = 1
    del data["latest"]
    for story in data["stories"]:
        del story["first"]
    second = StoryClusterer.restore(data)
    got += [second.add(d) for d in docs[5:]]
    assert got == expected


def test_naive_and_missing_dates_are_accepted() -> None:
    rows = _floor_rows()[:2]
    clusterer = StoryClusterer()
    first = clusterer.add(dataclasses.replace(_doc(rows[0]), date=datetime(2024, 3, 4)))
    assert clusterer.add(dataclasses.replace(_doc(rows[1]), date=None)) == first


def test_replay_is_deterministic() -> None:
    docs = [_doc(r) for r in _floor_rows()]
    assert cluster_stream(docs) == cluster_stream(docs)


def test_snapshot_restore_continues_identically() -> None:
    docs = [_doc(r) for r in _floor_rows()]
    whole = StoryClusterer()
    expected = [whole.add(d) for d in docs]
    half = len(docs) // 2
    first = StoryClusterer()
    got = [first.add(d) for d in docs[:half]]
    data = json.loads(json.dumps(first.snapshot()))
    second = StoryClusterer.restore(data)
    got += [second.add(d) for d in docs[half:]]
    assert got == expected
    assert json.dumps(second.snapshot()) == json.dumps(whole.snapshot())


def test_restore_rejects_unknown_version() -> None:
    with pytest.raises(ValueError, match="version"):
        StoryClusterer.restore({"version": 99})


def test_embedder_is_used_when_given() -> None:
    calls: list[str] = []

    def same_vector(text: str) -> list[float]:
        calls.append(text)
        return [1.0, 0.0, 0.0]

    config = ClusterConfig(embed_weight=1.0)
    rows = _floor_rows()
    quake, storm = _doc(rows[0]), next(_doc(r) for r in rows if r["story"] == "storm")
    storm = dataclasses.replace(storm, date=quake.date)
    clusterer = StoryClusterer(config, embedder=same_vector)
    assert clusterer.add(quake) == clusterer.add(storm)  # identical embeddings decide
    assert len(calls) == 2
    plain = StoryClusterer(config)
    assert plain.add(quake) != plain.add(storm)


def test_empty_article_starts_its_own_story() -> None:
    clusterer = StoryClusterer()
    date = datetime(2024, 1, 1, tzinfo=UTC)
    a = clusterer.add(ClusterDoc("a", date, "", ""))
    b = clusterer.add(ClusterDoc("b", date, "", ""))
    assert a != b


def test_join_decision_needs_a_clear_winner() -> None:
    config = ClusterConfig(threshold=0.2, margin_weight=0.5, short_terms=100)
    assert join_decision(0.3, 0.0, 200, config)
    assert not join_decision(0.3, 0.25, 200, config)
    assert not join_decision(0.15, 0.0, 200, config)
    assert join_decision(0.15, 0.0, 25, config)  # short texts need less overlap


def test_join_decision_in_a_crowded_topic_needs_shared_phrases() -> None:
    config = ClusterConfig(threshold=0.2, margin_weight=0.3, short_terms=100)
    # a long article barely ahead of the threshold, with a second story close behind
    assert not join_decision(0.27, 0.15, 300, config)
    assert join_decision(0.27, 0.15, 300, config, shared=config.phrase_min)
    assert join_decision(0.27, 0.0, 300, config)  # no competitor: words are enough
    assert join_decision(0.27, 0.15, 300, dataclasses.replace(config, phrase_margin_weight=0))
    # shared phrases never rescue an article below the threshold
    assert not join_decision(0.2, 0.15, 300, config, shared=50)


def test_shared_phrases_lower_the_bar_for_short_texts_only() -> None:
    config = ClusterConfig(threshold=0.2, margin_weight=0.0, short_terms=100)
    # a 25-term snippet needs 0.1; a 300-term article needs 0.2
    assert not join_decision(0.09, 0.0, 25, config)
    assert join_decision(0.09, 0.0, 25, config, shared=2)
    assert not join_decision(0.19, 0.0, 300, config, shared=50)


def test_phrase_keys() -> None:
    keys = phrase_keys("The harbour board said on Monday that the harbour board would vote.")
    same = "the HARBOUR board said, on Monday; that the harbour board would vote"
    assert keys == phrase_keys(same)
    assert phrase_keys("the harbour board") <= keys
    assert not phrase_keys("on the one of")  # no trigram with two content words
    assert phrase_keys("and then it was") == set()
    assert all(0 <= k < 2**64 for k in keys)


def _story_of_two_with_a_rival() -> tuple[list[ClusterDoc], ClusterDoc]:
    """Two reports of a harbour strike, one on a harvest, and a late copy that
    repeats the first reports' phrases."""
    day = datetime(2025, 3, 1, tzinfo=UTC)
    words = [
        "dock workers at Port Aven walked out over the new night shift rota",
        "the union said the walkout would last until the harbour board withdrew the rota",
        "ferries to the islands were cancelled and lorries queued along the coast road",
    ]
    docs = [
        ClusterDoc("a", day, "Port Aven dockers strike", " ".join(words)),
        ClusterDoc("b", day, "Strike shuts Port Aven", " ".join(reversed(words))),
        ClusterDoc("c", day, "Caldra apple harvest", "Orchards near Caldra picked a record crop."),
    ]
    late = ClusterDoc("d", day, "Dockers stay out", words[1] + " " + words[2])
    return docs, late


def test_phrase_postings_follow_stories_and_are_dropped_with_them() -> None:
    docs, late = _story_of_two_with_a_rival()
    clusterer = StoryClusterer(ClusterConfig(cold_days=30, retain_days=60))
    labels = [clusterer.add(d) for d in docs]
    assert labels[0] == labels[1] != labels[2]
    assert clusterer.add(late) == labels[0]
    held = set(clusterer._phrase_posts.values())
    assert held == {labels[0], labels[2]}  # every phrase belongs to exactly one story here
    later = dataclasses.replace(docs[2], id="e", date=datetime(2025, 9, 1, tzinfo=UTC))
    clusterer.add(later)  # six months on: the strike story and the first harvest one go
    assert set(clusterer._phrase_posts.values()) == {story_id("e")}


def test_snapshot_keeps_phrases() -> None:
    docs, late = _story_of_two_with_a_rival()
    whole = StoryClusterer()
    for doc in docs:
        whole.add(doc)
    data = json.loads(json.dumps(whole.snapshot()))
    assert all(story["phrases"] for story in data["stories"])
    restored = StoryClusterer.restore(data)
    assert restored._phrase_posts == whole._phrase_posts
    assert restored.add(late) == whole.add(late)


def test_entity_phrases() -> None:
    text = "Officials in Port Aven said the Bank of England and Anna Lindqvist agreed."
    assert entity_phrases(text) == ["port aven", "bank of england", "anna lindqvist"]


def test_seed_documents_join_one_story() -> None:
    seeds = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    if len(seeds) < 2:
        pytest.skip(f"seed documents not found under {SEEDS}")
    clusterer = StoryClusterer()
    for row in _floor_rows():
        clusterer.add(_doc(row))
    first, second = (p.read_text("utf-8") for p in seeds[:2])
    a = clusterer.add(ClusterDoc("seed-0", datetime(2025, 8, 1), first.splitlines()[0], first))
    b = clusterer.add(ClusterDoc("seed-1", datetime(2025, 11, 20), second.splitlines()[0], second))
    assert a == b
