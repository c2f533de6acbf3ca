"""The two seed documents through plaintext.parse and clean.clean (skipped without ../shared)."""

from __future__ import annotations

import re

from newsbrief.pipeline.clean import clean
from newsbrief.pipeline.plaintext import parse
from newsbrief.pipeline.text import normalize
from newsbrief.records import Article, Fetched
from tests.conftest import seed


def _clean_seed(prefix: str) -> tuple[Article, str]:
    path = seed(prefix)
    text = path.read_text(encoding="utf-8")
    return clean(parse(Fetched(location=str(path), text=text, kind="text"))), text


def test_seed_004_body_is_clean_and_complete() -> None:
    art, original = _clean_seed("004")
    assert art.title == "Venezuela Was a Warning: Russia May Face the Scenario Again"
    assert art.source.name == "Caspian Post"
    assert art.source.domain == "caspianpost.com"
    body = art.text
    assert body.count("There is a well-known Russian proverb") == 1
    assert "Belarus, Kazakhstan, Kyrgyzstan, Uzbekistan, and Armenia" in body
    assert "One final question remains" in body
    question = next(p for p in art.paragraphs if p.startswith("How will Russia act"))
    assert question.endswith("?") and len(question.split()) < 40
    for noise in ("Photo credit", "Photo:", "Stay Updated", "Related news", art.title):
        assert noise not in body
    assert art.is_excerpt is False
    # Every real paragraph of the file is in the body exactly once.
    blocks = [b.strip() for b in re.split(r"\n\s*\n", original) if b.strip()]
    real = [b for b in blocks if len(b.split()) >= 30 or b.endswith("?")]
    assert len(real) >= 20
    for block in real:
        assert sum(normalize(block) == normalize(p) for p in art.paragraphs) == 1
    credits = {i.credit for i in art.images}
    assert {
        "Wikimedia Commons",
        "Shutterstock",
        "ABC News/Lindsay Dunbar",
        "villagevoicenews.com",
    } <= credits


def test_seed_000_card() -> None:
    art, original = _clean_seed("000")
    assert art.title == "Why Maduro Probably Can't Count on Putin"
    assert art.source.name == "The Atlantic"
    assert art.is_excerpt is True
    assert art.card is not None
    assert art.card.label == "Briefly"
    assert art.card.summary is not None
    assert art.card.summary.startswith("President Nicolás Maduro")
    assert len(art.paragraphs) == 3
    summary = normalize(art.card.summary)
    for passage in art.paragraphs:
        assert passage in original
        assert not passage.startswith('"') and not passage.endswith('"')
        assert normalize(passage) not in summary and summary not in normalize(passage)
    assert not any(p in {"[", "|", "]"} or "read time" in p for p in art.paragraphs)
