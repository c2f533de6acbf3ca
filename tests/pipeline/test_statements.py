"""extract_statements: who said what, with verbatim text."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsbrief.pipeline.clean import clean
from newsbrief.pipeline.entities import GazetteerRecognizer
from newsbrief.pipeline.plaintext import parse
from newsbrief.pipeline.relations import extract_relations
from newsbrief.pipeline.statements import extract_statements
from newsbrief.ports import ParsedToken
from newsbrief.records import Fetched, Statement
from tests.conftest import seed
from tests.pipeline.test_resolve import bench


def _seed_body(prefix: str) -> str:
    path = seed(prefix)
    doc = Fetched(location=str(path), text=path.read_text(encoding="utf-8"), kind="text")
    return clean(parse(doc)).text


def _by(statements: Sequence[Statement], speaker: str) -> list[Statement]:
    return [s for s in statements if s.speaker == speaker]


def test_seed_000_lavrov_two_statements() -> None:
    body = _seed_body("000")
    people = GazetteerRecognizer().entities(body).people
    lavrov = _by(extract_statements(body, people=people), "Sergei Lavrov")
    assert len(lavrov) == 2
    told, added = lavrov
    assert told.cue == "told" and "Venezuela hasn't requested military help" in told.text
    assert added.cue == "added" and added.sentence.startswith("He added that")
    assert "under no obligation to defend Venezuela" in added.text
    assert told.speaker_id == added.speaker_id == "person:sergei-lavrov"
    assert not told.direct and not added.direct
    # "Putin has said nary a word" and "Nor has any senior Kremlin official suggested" are not.
    assert all(s.speaker == "Sergei Lavrov" for s in extract_statements(body))


def test_seed_004_russian_officials() -> None:
    body = _seed_body("004")
    found = extract_statements(body)
    officials = _by(found, "Russian officials")
    assert len(officials) == 1
    assert officials[0].cue == "stated" and officials[0].speaker_id == "country:russia"
    assert officials[0].text.startswith("Moscow will not send troops to Iran")
    maduro = [s for s in found if s.speaker_id == "person:nicolas-maduro"]
    assert maduro and maduro[0].cue == "stated"
    for s in found:
        assert s.text in body and s.sentence in body and s.text in s.sentence


def test_direct_speech_forms() -> None:
    text = (
        '"We will rebuild the bridge," said Mayor Ines Calloway on Monday.\n\n'
        '"The money is there," Calloway told reporters. Tomas Brandt said: "It is too late."'
    )
    found = extract_statements(text)
    assert [(s.speaker, s.text, s.direct) for s in found] == [
        ("Ines Calloway", "We will rebuild the bridge", True),
        ("Ines Calloway", "The money is there", True),
        ("Tomas Brandt", "It is too late.", True),
    ]
    assert found[0].speaker_id == found[1].speaker_id == "person:ines-calloway"
    assert found[1].sentence == '"The money is there," Calloway told reporters.'


def test_reported_speech_forms() -> None:
    text = (
        "The Port Authority said on Tuesday that ships would dock in 2027. "
        "The harbour will open in spring, a spokeswoman for the council said. "
        "According to the finance ministry, the plan will cost $120 million."
    )
    found = extract_statements(text)
    assert [(s.speaker, s.cue) for s in found] == [
        ("Port Authority", "said"),
        ("a spokeswoman for the council", "said"),
        ("finance ministry", "according to"),
    ]
    assert found[0].text == "ships would dock in 2027"
    assert found[1].text == "The harbour will open in spring"
    assert found[2].text == "the plan will cost $120 million"


def test_attribution_between_two_clauses_covers_the_first() -> None:
    text = (
        "Dockers backed the deal by 1,412 votes to 388, the union said, and the first shifts "
        "were due back on Tuesday. The mayor said the quay would reopen on Friday, and that "
        "the council would pay for repairs."
    )
    found = extract_statements(text)
    assert [(s.speaker, s.text) for s in found] == [
        ("union", "Dockers backed the deal by 1,412 votes to 388"),
        ("mayor", "the quay would reopen on Friday, and that the council would pay for repairs"),
    ]


def test_the_union_said_names_the_article_s_union() -> None:
    text = (
        "Dockers backed the deal by 1,412 votes to 388, the union said on Monday. "
        "The company said it was pleased with the result."
    )
    orgs = ["Portmere Dockers' Union", "Castellan Terminals"]
    found = extract_statements(text, organizations=orgs)
    assert [s.speaker for s in found] == ["Portmere Dockers' Union", "company"]
    two_unions = extract_statements(text, organizations=[*orgs, "Harbour Pilots Union"])
    assert two_unions[0].speaker == "union"  # which union is unclear: left as written


def test_reported_clause_in_a_simple_past_without_that() -> None:
    text = (
        "Police said the tide took two boats out to sea. "
        "The judge said the driver used a phone at the wheel."
    )
    found = extract_statements(text)
    assert [(s.speaker, s.text) for s in found] == [
        ("Police", "the tide took two boats out to sea"),
        ("judge", "the driver used a phone at the wheel"),
    ]


def test_any_cue_closes_a_trailing_attribution() -> None:
    text = (
        "The ferry will not run on Sunday, the operator announced. "
        "Fares will rise in May, confirmed the transport board."
    )
    found = extract_statements(text)
    assert [(s.speaker, s.cue, s.text) for s in found] == [
        ("operator", "announced", "The ferry will not run on Sunday"),
        ("transport board", "confirmed", "Fares will rise in May"),
    ]


def test_institutions_speak_by_their_common_noun() -> None:
    found = extract_statements("The water utility said repairs would take a week.")
    assert [(s.speaker, s.text) for s in found] == [("water utility", "repairs would take a week")]


def test_he_added_takes_the_last_named_speaker() -> None:
    text = (
        "Finance Minister Paulo Rocha said the loan would stabilise the currency.\n\n"
        "He added that the talks would end in May."
    )
    found = extract_statements(text)
    assert [s.speaker for s in found] == ["Paulo Rocha", "Paulo Rocha"]
    assert found[1].text == "the talks would end in May"


def test_pronoun_without_a_clear_speaker_is_dropped() -> None:
    assert extract_statements("He added that the talks would end in May.") == ()


def test_non_statements() -> None:
    text = (
        "Putin has said nary a word about the crisis lately. "
        "Nor has any senior official suggested that Russia would intervene. "
        "It is said that the bridge is old. "
        "The minister did not say whether taxes would rise. "
        'Maduro signed what he called a "historic and strategic" pact.'
    )
    assert extract_statements(text) == ()


def test_a_quote_wrapping_the_whole_paragraph_is_a_passage() -> None:
    text = '"Foreign Minister Sergei Lavrov said that the talks had failed. Nothing else changed."'
    (found,) = extract_statements(text)
    assert found.speaker == "Sergei Lavrov" and not found.direct
    assert found.text == "the talks had failed"


class RejectingParser:
    """A parser under which no cue governs a clause."""

    name = "fake"

    def parse(self, text: str, /) -> Sequence[ParsedToken]:
        k = text.find("said")
        return [
            ParsedToken(k, k + 4, "say", "VERB", "ROOT", 0),
            ParsedToken(k + 5, len(text), "plan", "NOUN", "dobj", 0),
        ]


def test_parser_must_confirm_a_clause_without_that() -> None:
    text = "Ines Calloway said the plan would cost more."
    assert len(extract_statements(text)) == 1
    assert extract_statements(text, parser=RejectingParser()) == ()
    with_that = "Ines Calloway said that the plan would cost more."
    assert len(extract_statements(with_that, parser=RejectingParser())) == 1


def test_quality_on_the_annotated_set() -> None:
    """Floors a little below what the rules achieve (see bench/who_said_what.py)."""
    b = bench()
    dev, _ = b.score_extraction(b.load_articles(heldout=False))
    assert dev.precision >= 0.95 and dev.recall >= 0.92, str(dev)
    held, _ = b.score_extraction(b.load_articles(heldout=True))
    # the held-out set was written blind in session 2 (heldout2.json): 0.920 / 0.754
    assert held.precision >= 0.90 and held.recall >= 0.72, str(held)


_FRAGMENTS = [
    "Mayor Ines Calloway said the plan would cost more.",
    '"We are ready," she said.',
    "He added that, according to the deal, Russia is under no obligation to defend Cuba.",
    "Russian officials have stated that Moscow will not send troops to Iran.",
    "Norway and Chile signed a fisheries agreement in Oslo on Monday.",
    "The organization includes Belarus, Kazakhstan and Armenia.",
    "Venezuela hasn't requested military help from Moscow, Lavrov told reporters.",
    "“It is over,” said Tomas Brandt, who leads the union.",
    "According to the ministry, the deal is off.",
    "\n\n",
    " ",
    '"',
    "“",
    ",",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_FRAGMENTS) | st.text(max_size=30), max_size=10))
def test_everything_quoted_is_verbatim(parts: list[str]) -> None:
    text = " ".join(parts)
    for s in extract_statements(text, people=["Sergei Lavrov"]):
        assert s.text and s.text in text and s.sentence in text
        assert s.text in s.sentence or s.direct
    for r in extract_relations(text, people=["Sergei Lavrov"]):
        assert r.evidence and r.evidence in text
        assert r.polarity in ("affirmed", "denied")
