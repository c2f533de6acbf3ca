"""Dependency parsing with spaCy's small English pipeline, for statement detection.

Implements :class:`newsbrief.ports.DependencyParser`. The pipeline is the entity
recognizer's (:func:`newsbrief.adapters.ner_spacy.shared_pipeline`: one model in memory,
loaded once, lazily), run without its NER. Without the package, :func:`make_parser` returns
``None`` and statement detection uses its patterns alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from newsbrief.adapters.ner_spacy import MODEL_PACKAGE, shared_pipeline, spacy_available
from newsbrief.ports import DependencyParser, ParsedToken

_MAX_CHARS = 5_000


class SpacyParser:
    """Sentence parses from spaCy (tokens with offsets, heads and dependency labels)."""

    name = f"spacy:{MODEL_PACKAGE}"

    def parse(self, text: str, /) -> Sequence[ParsedToken]:
        """Tokens of ``text`` (its first 5,000 characters) with heads and labels."""
        doc = shared_pipeline()(text[:_MAX_CHARS], disable=["ner"])
        return [
            ParsedToken(
                start=t.idx,
                end=t.idx + len(t.text),
                lemma=(t.lemma_ or t.text).lower(),
                pos=t.pos_,
                dep=t.dep_,
                head=t.head.i,
            )
            for t in doc
        ]


def make_parser(prefer: str = "auto") -> DependencyParser | None:
    """The parser to pass to ``make_brief``: spaCy when installed (``"auto"``), else ``None``.

    ``"none"`` disables parsing; ``"spacy"`` raises :class:`ValueError` without the package.
    """
    if prefer == "none":
        return None
    if prefer == "spacy" and not spacy_available():
        raise ValueError(f"the spaCy model package {MODEL_PACKAGE!r} is not installed")
    if prefer in ("spacy", "auto"):
        return SpacyParser() if spacy_available() else None
    raise ValueError(f"unknown parser {prefer!r} (use auto, spacy or none)")
