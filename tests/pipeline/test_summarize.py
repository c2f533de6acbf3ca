"""Extractive summaries: verbatim, ordered, sized, deterministic, multilingual, multi-document."""

from __future__ import annotations

import pytest

from newsbrief.pipeline.summarize import summarize, summarize_many, summary_for_brief
from newsbrief.pipeline.text import count_words, split_sentences

# Texts written for these tests.
FLOOD = """The river Alder burst its banks on Tuesday night, flooding 400 homes in the town of \
Millbrook and forcing the evacuation of its hospital.
Emergency crews worked through the night to move 120 patients to hospitals in nearby towns.
"We have never seen the water rise this fast," said Jane Porter, who has lived by the river \
for thirty years.
The town council said the flood defences built in 2009 had been designed for a smaller flood.
Rain is expected to continue until Friday, according to the national weather service.
Local schools will stay closed for the rest of the week.
A fundraising page set up by residents has already collected 15,000 pounds.
The annual river festival, due to take place next month, has been postponed."""

LOWERCASE_TOKENIZED = (
    "the council approved the budget on monday . it includes money for two new schools . "
    "critics said the plan was too expensive . the vote was 7 to 2 ."
)

SPANISH = """El Gobierno aprobó el martes un plan de 2.000 millones de euros para reparar las \
carreteras dañadas por las inundaciones en el norte del país.
La ministra de Transportes dijo que las obras empezarán en marzo.
Los alcaldes de las zonas afectadas pidieron que el dinero llegue antes del verano.
Según el plan, las reparaciones durarán al menos dos años.
La oposición criticó que el anuncio llegara tres meses después del desastre."""

GERMAN = """Die Stadt Lindenau hat am Montag ein neues Hallenbad eröffnet, das 12 Millionen Euro \
gekostet hat.
Der Bürgermeister sprach von einem wichtigen Tag für die Familien der Region.
Das alte Bad war vor vier Jahren wegen Baumängeln geschlossen worden.
In den ersten Wochen ist der Eintritt für Kinder kostenlos.
Vereine können die Halle ab dem Herbst auch abends nutzen."""

WIRE_A = """Storms cut power to 30,000 homes across the northern coast on Sunday.
The utility company said most customers would be reconnected by Monday evening.
Two roads into the harbour town of Westport were closed by fallen trees."""

WIRE_B = """Storms cut power to 30,000 homes across the northern coast on Sunday, the utility said.
Engineers from three neighbouring regions were sent to help restore the lines.
The weather service warned that stronger winds could arrive on Wednesday."""

WIRE_C = """By Wednesday, power had been restored to all but 800 homes on the northern coast.
The regional government promised to review how the utility prepared for the storm."""


def _is_reading_order(text: str, picked: list[str]) -> bool:
    positions = [text.index(s) for s in picked]
    return positions == sorted(positions)


@pytest.mark.parametrize("text", [FLOOD, SPANISH, GERMAN, LOWERCASE_TOKENIZED])
@pytest.mark.parametrize("n", [1, 2, 3])
def test_verbatim_whole_sentences_in_reading_order(text: str, n: int) -> None:
    picked = summarize(text, n)
    assert len(picked) == n
    assert all(s in split_sentences(text) for s in picked)
    assert _is_reading_order(text, picked)
    assert len(set(picked)) == n


def test_key_sentence_is_in_the_summary() -> None:
    picked = summarize(FLOOD, 3)
    assert picked[0].startswith("The river Alder burst its banks")
    assert not any("festival" in s for s in picked)
    assert summarize(FLOOD, 1)[0].startswith("The river Alder burst its banks")


def test_deterministic() -> None:
    assert summarize(FLOOD, 3) == summarize(FLOOD, 3)
    docs = [WIRE_A, WIRE_B, WIRE_C]
    assert summarize_many(docs, 4) == summarize_many(list(docs), 4)


def test_empty_and_short_inputs() -> None:
    assert summarize("") == []
    assert summarize("   \n\n ") == []
    assert summarize("Only one sentence here.", 3) == ["Only one sentence here."]
    assert summarize(FLOOD, 0) == []
    assert summarize(FLOOD, 50) == split_sentences(FLOOD)
    assert summarize_many([]) == []
    assert summary_for_brief("") == []
    assert summary_for_brief("Only one sentence here.") == ["Only one sentence here."]


@pytest.mark.parametrize(("text", "language"), [(SPANISH, "es"), (GERMAN, "de"), (SPANISH, None)])
def test_other_languages(text: str, language: str | None) -> None:
    picked = summarize(text, 2, language=language)
    assert len(picked) == 2
    assert picked[0] == split_sentences(text)[0]


def test_lowercased_tokenized_text_is_split_into_sentences() -> None:
    assert len(split_sentences(LOWERCASE_TOKENIZED)) == 4
    assert split_sentences("He paid $5 . that was it .") == ["He paid $5 .", "that was it ."]
    # ordinary text keeps its behaviour: a lower-case word after a full stop does not split
    assert len(split_sentences("It cost 5 ft. of rope. and more")) == 1


def test_multi_document_spreads_and_drops_wire_copies() -> None:
    docs = [WIRE_A, WIRE_B, WIRE_C]
    picked = summarize_many(docs, 4)
    assert len(picked) == 4
    sources = {i for s in picked for i, d in enumerate(docs) if s in split_sentences(d)}
    assert len(sources) >= 2
    assert sum("Storms cut power" in s for s in picked) == 1
    # chronological: document order, then sentence order
    keys = [next((i, d.index(s)) for i, d in enumerate(docs) if s in d) for s in picked]
    assert keys == sorted(keys)


def test_multi_document_identical_copies_count_once() -> None:
    picked = summarize_many([WIRE_A, WIRE_A, WIRE_C], 9)
    assert len(picked) == len(set(picked)) >= 3
    assert any(s in split_sentences(WIRE_C) for s in picked)


def test_summary_for_brief_respects_budget() -> None:
    picked = summary_for_brief(FLOOD)
    assert 2 <= len(picked) <= 4
    assert sum(count_words(s) for s in picked) <= 90
    assert _is_reading_order(FLOOD, picked)
    assert len(summary_for_brief(FLOOD, max_sentences=2)) == 2


def test_summary_for_brief_long_sentences() -> None:
    long_a = "The " + "very " * 70 + "long opening sentence ends here."
    long_b = "A " + "quite " * 70 + "long second sentence ends too."
    short = "It rained."
    picked = summary_for_brief(f"{long_a} {long_b}")
    assert len(picked) == 1  # two would overshoot 1.5 x the budget: the best one alone
    picked = summary_for_brief(f"{long_a} {short}")
    assert picked == [long_a, short]  # the two-sentence minimum may stretch the budget


def test_brief_summary_avoids_sentences_that_lean_on_a_missing_predecessor() -> None:
    from newsbrief.pipeline.summarize import summary_for_brief

    text = (
        "The harbour board approved a new ferry terminal for Port Alder on Monday. "
        "It will cost 40 million euros and open in 2028. "
        "However, fishermen warned that the works would close the northern slipway for a year. "
        "The board said 220 jobs would be created during construction. "
        "Council members voted nine to two in favour after a four-hour debate. "
        "Opponents said the money should go to the island's hospital instead."
    )
    chosen = summary_for_brief(text, max_sentences=3, max_words=60)
    sentences = text.split(". ")
    for s in chosen:
        if s.startswith(("It ", "However")):
            idx = next(i for i, x in enumerate(sentences) if s.startswith(x[:20]))
            assert any(c.startswith(sentences[idx - 1][:20]) for c in chosen)


def test_multi_document_summary_opens_on_a_lead() -> None:
    # the second report supports the first one's inner sentences, not its scene-setting lead
    first = (
        "Residents of Elvanford packed the community hall on Tuesday evening for a meeting that "
        "ran past midnight. The regional water board confirmed that the Sorrel reservoir would "
        "be drained for repairs to its cracked dam wall. Engineers found the crack in the dam "
        "wall during a routine inspection in May, the water board said. Draining the reservoir "
        "will take about six weeks and will close the sailing club for the summer."
    )
    second = (
        "The Sorrel reservoir is to be drained so that engineers can repair a crack in its dam "
        "wall, the regional water board said on Wednesday. The crack in the dam wall was found "
        "during a routine inspection in May. The board said drinking water supplies would not "
        "be affected because the town draws from the Elvan aquifer."
    )
    leads = {split_sentences(first)[0], split_sentences(second)[0]}
    for n in (2, 3, 4):
        summary = summarize_many([first, second], n)
        assert len(summary) == n
        assert summary[0] in leads
    assert summarize_many([first, second], 1)[0] not in leads  # one sentence: the best one
