"""GazetteerRecognizer: people, organisations and places without dependencies."""

from __future__ import annotations

import re

import pytest

from newsbrief.pipeline.entities import GazetteerRecognizer, clean_name, collect, load_gazetteer
from newsbrief.ports import EntityRecognizer
from newsbrief.records import AggregatorCard, Article
from tests.conftest import seed


def seed_article(prefix: str) -> Article:
    """An Article made from a seed by taking its body paragraphs (skips without the seeds).

    000 is an aggregator card whose quoted passages are the body; 004 is scraped text,
    whose body is its prose paragraphs without the photo credits and page furniture.
    """
    text = seed(prefix).read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines()]
    if prefix == "000":
        quoted = [line[1:-1] for line in lines if len(line) > 2 and line[0] == line[-1] == '"']
        card_summary = max((ln for ln in lines if not ln.startswith('"')), key=len)
        return Article(
            title=lines[0],
            paragraphs=tuple(quoted),
            is_excerpt=True,
            card=AggregatorCard(label=lines[1], summary=card_summary),
        )
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
    body: list[str] = []
    for block in blocks[1:]:
        furniture = block == lines[0] or "|" in block or block.startswith("Photo")
        if not furniture and block not in body and (len(block.split()) > 3 or "?" in block):
            body.append(block)
    return Article(title=lines[0], paragraphs=tuple(body))


@pytest.fixture(scope="module")
def rec() -> GazetteerRecognizer:
    return GazetteerRecognizer()


def test_is_an_entity_recognizer(rec: GazetteerRecognizer) -> None:
    assert isinstance(rec, EntityRecognizer)
    assert rec.name == "gazetteer"


def test_people_after_titles_and_first_names(rec: GazetteerRecognizer) -> None:
    text = (
        "Prime Minister Tomasz Wrobel met Mr. Okonkwo in Warsaw. "
        "Later, Maria Lindqvist said the talks went well. Okonkwo left for Lagos."
    )
    ents = rec.entities(text)
    assert set(ents.people) == {"Tomasz Wrobel", "Okonkwo", "Maria Lindqvist"}
    assert ents.people[0] == "Okonkwo"  # mentioned twice
    assert set(ents.places) == {"Warsaw", "Lagos"}


def test_short_and_long_forms_of_a_name_are_one_person(rec: GazetteerRecognizer) -> None:
    text = (
        "Governor Elena Marsh opened the bridge. Marsh said it cost $40 million. "
        "Critics of Marsh were not invited, and Elena Marsh's office declined to comment."
    )
    assert rec.entities(text).people == ("Elena Marsh",)


def test_repeated_surname_makes_an_unknown_pair_a_person(rec: GazetteerRecognizer) -> None:
    text = "The plan came from Teodoro Vukovic in March. Vukovic defended it on Friday."
    assert rec.entities(text).people == ("Teodoro Vukovic",)


def test_pair_before_speech_verb_is_a_person(rec: GazetteerRecognizer) -> None:
    assert rec.entities("Yusra Haddad said the border was closed.").people == ("Yusra Haddad",)


def test_demonyms_are_not_places_and_aliases_map_to_one_country(
    rec: GazetteerRecognizer,
) -> None:
    text = (
        "Chinese and Brazilian diplomats met U.S. envoys. The United States and America's "
        "allies, including the UK, disagreed with Britain's partners in Latin America."
    )
    ents = rec.entities(text)
    assert ents.places[0] == "United States"
    assert "United Kingdom" in ents.places and "Latin America" in ents.places
    assert not {"Chinese", "Brazilian", "China", "Brazil"} & set(ents.places)
    assert ents.places.count("United States") == 1


def test_organisations_from_gazetteer_patterns_and_acronyms(rec: GazetteerRecognizer) -> None:
    text = (
        "NATO and the European Union backed the plan. The Ministry of Foreign Affairs "
        "and the Kestrel Mining Corp. disagreed, while the Liberal Progress Party and "
        "the FDLX movement stayed silent. NATO will meet again."
    )
    orgs = rec.entities(text).organizations
    assert orgs[0] == "NATO"
    for name in ("European Union", "Ministry of Foreign Affairs", "Liberal Progress Party"):
        assert name in orgs
    assert "FDLX" in orgs
    assert any(o.startswith("Kestrel Mining Corp") for o in orgs)


def test_headline_capitals_and_sentence_starts_are_not_entities(
    rec: GazetteerRecognizer,
) -> None:
    text = "STORM WARNING ISSUED TODAY\nHowever, the rain continued. Serious floods followed."
    ents = rec.entities(text)
    assert ents.people == () and ents.organizations == () and ents.places == ()


def test_places_include_multiword_and_connector_names(rec: GazetteerRecognizer) -> None:
    text = (
        "Aid reached the Democratic Republic of the Congo, Bosnia and Herzegovina "
        "and Rio de Janeiro."
    )
    assert rec.entities(text).places == (
        "Democratic Republic of the Congo",
        "Bosnia and Herzegovina",
        "Rio de Janeiro",
    )


def test_empty_text(rec: GazetteerRecognizer) -> None:
    assert rec.entities("") == rec.entities("   ") == rec.entities("no capitals here at all.")


def test_collect_canonicalises_and_merges() -> None:
    ents = collect(
        ["Putin", "Vladimir Putin's", "Putin"],
        ["the Kremlin", "Caspianpost.com"],
        ["U.S.", "the United States", "Russian", "Mali"],
    )
    assert ents.people == ("Vladimir Putin",)
    assert ents.organizations == ("Kremlin",)
    assert ents.places == ("United States", "Mali")


def test_collect_moves_a_country_tagged_as_person_and_a_surname_tagged_as_org() -> None:
    ents = collect(["Burkina Faso", "Ana Ruiz"], ["Ruiz"], [])
    assert ents.places == ("Burkina Faso",)
    assert ents.people == ("Ana Ruiz",) and ents.organizations == ()


def test_clean_name() -> None:
    assert clean_name("the Kremlin's") == "Kremlin"
    assert clean_name("“U.S.”") == "U.S."
    assert clean_name(" Acme\n Corp. ") == "Acme Corp"


def test_gazetteer_has_the_basics() -> None:
    gaz = load_gazetteer()
    for name, kind, canonical in [
        ("Russia", "place", "Russia"),
        ("U.S.", "place", "United States"),
        ("America", "place", "United States"),
        ("Moscow", "place", "Moscow"),
        ("CSTO", "org", "CSTO"),
        ("UN", "org", "United Nations"),
        ("OPEC", "org", "OPEC"),
        ("EU", "org", "European Union"),
        ("Russian", "demonym", ""),
    ]:
        assert gaz.lookup(name) == (kind, canonical), name


@pytest.mark.parametrize(
    ("prefix", "people"),
    [("000", {"Vladimir Putin", "Sergei Lavrov"}), ("004", {"Nicolás Maduro", "Donald Trump"})],
)
def test_seeds(rec: GazetteerRecognizer, prefix: str, people: set[str]) -> None:
    article = seed_article(prefix)
    ents = rec.entities(f"{article.title}\n\n{article.text}")
    assert {"Russia", "Venezuela"} <= set(ents.places[:4])
    assert people <= set(ents.people)
    assert not {"Russian", "Venezuelan"} & set(ents.places)


def test_seed_000_card_names_maduro_in_full(rec: GazetteerRecognizer) -> None:
    article = seed_article("000")
    assert article.card is not None and article.card.summary
    ents = rec.entities(f"{article.text}\n\n{article.card.summary}")
    assert {"Vladimir Putin", "Sergei Lavrov", "Nicolás Maduro"} <= set(ents.people)
    assert "Maduro" not in ents.people


def test_the_shape_of_a_name_corrects_its_kind() -> None:
    ents = collect(
        ["Mill Lane", "Castellan Terminals", "Ada Brook"],
        ["Councillor Anders Bex", "River Sorrel", "Harbour Board"],
        ["Carrow Ridge", "Mr. Ola Dunn"],
    )
    assert set(ents.places) == {"Mill Lane", "River Sorrel", "Carrow Ridge"}
    assert set(ents.organizations) == {"Castellan Terminals", "Harbour Board"}
    assert set(ents.people) == {"Ada Brook", "Anders Bex", "Ola Dunn"}


def test_a_dateline_in_capitals_is_the_same_place() -> None:
    ents = collect([], ["CSPA", "CSPA"], ["PORTMERE", "Portmere", "Wendmere", "PORTMERE"])
    assert ents.places == ("Portmere", "Wendmere")
    assert ents.organizations == ("CSPA",)  # an acronym keeps its capitals
