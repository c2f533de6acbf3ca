"""SpacyParser (the real small English model) and make_parser."""

from __future__ import annotations

import pytest

from newsbrief.adapters.ner_spacy import SpacyRecognizer, shared_pipeline, spacy_available
from newsbrief.adapters.parse_spacy import SpacyParser, make_parser

needs_spacy = pytest.mark.skipif(not spacy_available(), reason="spaCy model not installed")


def test_make_parser_choices() -> None:
    assert make_parser("none") is None
    with pytest.raises(ValueError, match="unknown parser"):
        make_parser("stanza")
    assert isinstance(make_parser(), SpacyParser) == spacy_available()


@needs_spacy
def test_parse_gives_offsets_heads_and_labels() -> None:
    text = "The harbour board said the quay would reopen on Friday."
    tokens = SpacyParser().parse(text)
    assert [text[t.start : t.end] for t in tokens][:3] == ["The", "harbour", "board"]
    said = next(i for i, t in enumerate(tokens) if text[t.start : t.end] == "said")
    assert tokens[said].dep == "ROOT"
    board = next(t for t in tokens if text[t.start : t.end] == "board")
    assert board.dep == "nsubj" and board.head == said
    assert any(t.dep == "ccomp" and t.head == said for t in tokens)  # "would reopen"


@needs_spacy
def test_parser_and_recognizer_share_one_model() -> None:
    text = "Mayor Anna Lindqvist of Port Aven said the Bank of England had called."
    SpacyParser().parse(text)  # a parse runs without NER ...
    entities = SpacyRecognizer().entities(text)  # ... and leaves NER on for the recognizer
    assert "Bank of England" in entities.organizations
    assert "ner" in shared_pipeline().pipe_names
