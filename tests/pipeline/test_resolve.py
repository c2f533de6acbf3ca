"""resolve: mentions -> one stable id per real-world entity, with aliases."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from newsbrief.pipeline.resolve import (
    alias_table,
    entity_id,
    person_name,
    resolve,
    resolve_entities,
    slug,
)

ROOT = Path(__file__).resolve().parents[2]


def bench() -> ModuleType:
    """The scoring code of bench/who_said_what.py (shared by the quality tests)."""
    path = ROOT / "bench" / "who_said_what.py"
    spec = importlib.util.spec_from_file_location("who_said_what", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("who_said_what", module)
    spec.loader.exec_module(module)
    return module


def test_ids_are_stable_slugs() -> None:
    assert slug("Nicolás Maduro") == "nicolas-maduro"
    assert entity_id("Nicolás Maduro", "person") == "person:nicolas-maduro"
    a, b = resolve("Nicolas Maduro", "person"), resolve("Nicolás Maduro", "person")
    assert a is not None and b is not None and a.id == b.id


@pytest.mark.parametrize(
    ("mention", "expected"),
    [
        ("the Kremlin", "country:russia"),
        ("Kremlin", "country:russia"),
        ("Russian officials", "country:russia"),
        ("the Russian government", "country:russia"),
        ("Russia's government", "country:russia"),
        ("Moscow", "country:russia"),
        ("the White House", "country:united-states"),
        ("Washington", "country:united-states"),
        ("U.S.", "country:united-states"),
        ("Downing Street", "country:united-kingdom"),
    ],
)
def test_governments_as_actors(mention: str, expected: str) -> None:
    found = resolve(mention, "any", role="actor")
    assert found is not None and found.id == expected


def test_a_capital_is_a_place_unless_it_acts() -> None:
    place = resolve("Moscow", "place", role="actor")
    assert place is not None and place.kind == "place" and place.id == "place:moscow"
    plain = resolve("Moscow")
    assert plain is not None and plain.kind == "place"


def test_titles_are_not_names() -> None:
    assert person_name("Russian Foreign Minister Sergei Lavrov") == "Sergei Lavrov"
    assert person_name("President Putin") == "Putin"
    assert person_name("former Venezuelan President Nicolás Maduro") == "Nicolás Maduro"
    assert person_name("Ludwig van Beethoven") == "Ludwig van Beethoven"
    found = resolve("President Mara Delgado of Ecuador", "any")
    assert found is None or found.kind != "person"


def test_organisations_from_gazetteer_and_keywords() -> None:
    a, b = resolve("CSTO"), resolve("Collective Security Treaty Organization")
    assert a is not None and b is not None and a.id == b.id == "org:csto"
    port = resolve("The Port Authority", "any")
    assert port is not None and port.kind == "org" and port.name == "Port Authority"


def test_one_entity_per_person_with_aliases() -> None:
    entities = resolve_entities(
        [("Putin", "person"), ("Vladimir Putin", "person"), ("President Putin", "person")]
    )
    assert len(entities) == 1
    (putin,) = entities
    assert putin.id == "person:vladimir-putin" and putin.name == "Vladimir Putin"
    assert set(putin.aliases) == {"Putin", "Vladimir Putin", "President Putin"}


def test_ambiguous_surname_stays_apart() -> None:
    entities = resolve_entities(
        [("Anna Smith", "person"), ("John Smith", "person"), ("Smith", "person")]
    )
    assert {e.id for e in entities} == {"person:anna-smith", "person:john-smith", "person:smith"}


def test_governments_merge_across_articles() -> None:
    mentions = [("the Kremlin", "org"), ("Moscow", "any"), ("Russia", "place")]
    entities = resolve_entities(mentions, role="actor")
    assert [e.id for e in entities] == ["country:russia"]
    assert set(entities[0].aliases) == {"Kremlin", "Moscow", "Russia"}
    table = alias_table(entities)
    assert table["kremlin"].id == "country:russia"


def test_acronym_joins_its_organisation() -> None:
    entities = resolve_entities([("Port Authority of Lindmoor", "org"), ("PAL", "org")])
    assert len(entities) == 1 and entities[0].aliases == ("Port Authority of Lindmoor", "PAL")


def test_not_names() -> None:
    assert resolve("") is None
    assert resolve("the", "any") is None
    assert resolve("a spokesman for the ministry", "any") is None


def test_merging_quality_on_the_annotated_set() -> None:
    """Pairwise entity merging over all annotated mentions (floors a little below measured)."""
    b = bench()
    score = b.score_merging(b.load_articles())
    # measured 0.980 / 0.923 with the blind held-out set of session 2 (heldout2.json) pooled in
    assert score.precision >= 0.90 and score.recall >= 0.90, str(score)
