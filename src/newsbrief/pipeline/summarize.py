"""Extractive summaries (placeholder: lead-N; replaced by the real scorer)."""

from __future__ import annotations

from newsbrief.pipeline.text import split_sentences


def summarize(text: str, n: int = 3, *, language: str | None = None) -> list[str]:
    """The ``n`` best sentences of ``text``, verbatim, in reading order."""
    return split_sentences(text)[:n]
