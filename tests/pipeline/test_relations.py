"""extract_relations: typed relations between entities, with verbatim evidence."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from newsbrief.pipeline.clean import clean
from newsbrief.pipeline.entities import GazetteerRecognizer
from newsbrief.pipeline.plaintext import parse
from newsbrief.pipeline.relations import RELATION_TYPES, extract_relations
from newsbrief.records import Fetched, Relation
from tests.conftest import seed
from tests.pipeline.test_resolve import bench


def _seed_relations(prefix: str) -> tuple[str, tuple[Relation, ...]]:
    path = seed(prefix)
    doc = Fetched(location=str(path), text=path.read_text(encoding="utf-8"), kind="text")
    body = clean(parse(doc)).text
    return body, extract_relations(body, people=GazetteerRecognizer().entities(body).people)


def _find(rels: Sequence[Relation], type_: str, subject: str, obj: str) -> list[Relation]:
    return [r for r in rels if (r.type, r.subject_id, r.object_id) == (type_, subject, obj)]


def test_seed_000() -> None:
    body, rels = _seed_relations("000")
    (pact,) = _find(rels, "agreement", "person:maduro", "person:vladimir-putin")
    assert pact.detail == "signed" and pact.polarity == "affirmed"
    assert pact.date == "Earlier this year"
    (duty,) = _find(rels, "obligation", "country:russia", "country:venezuela")
    assert duty.polarity == "denied" and duty.evidence.startswith("He added that")
    (ask,) = _find(rels, "request", "country:venezuela", "country:russia")
    assert ask.polarity == "denied" and "hasn't requested military help" in ask.evidence
    assert all(r.evidence in body for r in rels)


def test_seed_004() -> None:
    body, rels = _seed_relations("004")
    cuba = _find(rels, "agreement", "country:russia", "country:cuba")
    assert any(r.detail == "signed and ratified" for r in cuba)
    members = {r.subject for r in rels if r.type == "membership" and r.object_id == "org:csto"}
    assert {"Belarus", "Kazakhstan", "Kyrgyzstan", "Uzbekistan", "Armenia", "Russia"} <= members
    (refusal,) = _find(rels, "refusal", "country:russia", "country:iran")
    assert refusal.evidence.startswith("Russian officials have stated")
    assert all(r.evidence in body for r in rels)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Norway and Chile signed a fisheries agreement in Oslo on Monday.",
            ("agreement", "Chile", "Norway", "affirmed", "signed"),
        ),
        (
            "Sweden is under no obligation to defend Finland.",
            ("obligation", "Sweden", "Finland", "denied", None),
        ),
        (
            "The deal does not oblige Russia to defend Iran.",
            ("obligation", "Russia", "Iran", "denied", None),
        ),
        (
            "Poland is obliged to defend Lithuania.",
            ("obligation", "Poland", "Lithuania", "affirmed", None),
        ),
        (
            "Kenya has requested military assistance from the African Union.",
            ("request", "Kenya", "African Union", "affirmed", None),
        ),
        (
            "Manila has asked Tokyo for patrol boats.",
            ("request", "Philippines", "Japan", "affirmed", None),
        ),
        (
            "Serbia is not a member of the European Union.",
            ("membership", "Serbia", "European Union", "denied", "member"),
        ),
        (
            "Finland joined NATO in April 2023.",
            ("membership", "Finland", "NATO", "affirmed", "member"),
        ),
        (
            "The Kremlin threatened Moldova with higher gas prices.",
            ("threat", "Russia", "Moldova", "affirmed", None),
        ),
        (
            "Turkey refused to extradite the journalist to Azerbaijan.",
            ("refusal", "Turkey", "Azerbaijan", "affirmed", None),
        ),
    ],
)
def test_each_type(text: str, expected: tuple[str, str, str, str, str | None]) -> None:
    rels = extract_relations(text)
    assert [(r.type, r.subject, r.object, r.polarity, r.detail) for r in rels] == [expected]
    assert rels[0].evidence == text and rels[0].type in RELATION_TYPES


def test_date_and_anaphor() -> None:
    text = (
        "The CSTO met in Minsk. The alliance includes Belarus and Armenia.\n\n"
        "Finland joined NATO in April 2023."
    )
    rels = extract_relations(text)
    assert [(r.subject, r.object) for r in rels] == [
        ("Belarus", "CSTO"),
        ("Armenia", "CSTO"),
        ("Finland", "NATO"),
    ]
    assert rels[-1].date == "in April 2023"


def test_no_relation_without_two_entities_or_with_wishes() -> None:
    assert extract_relations("The bloc includes many members.") == ()
    assert extract_relations("Georgia wants to become a member of the European Union.") == ()
    assert extract_relations("Russia signed the treaty.") == ()


def test_quality_on_the_annotated_set() -> None:
    """Floors a little below what the rules achieve (see bench/who_said_what.py)."""
    b = bench()
    _, dev = b.score_extraction(b.load_articles(heldout=False))
    assert dev.precision >= 0.95 and dev.recall >= 0.95, str(dev)
    _, held = b.score_extraction(b.load_articles(heldout=True))
    # the held-out set was written blind in session 2 (heldout2.json): 0.875 / 0.778
    assert held.precision >= 0.85 and held.recall >= 0.75, str(held)
