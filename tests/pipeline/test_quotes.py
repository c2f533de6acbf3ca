"""select_quotes: 2-3 verbatim, informative, non-redundant passages."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from newsbrief.pipeline.quotes import select_quotes
from newsbrief.pipeline.text import split_sentences

ARTICLE = """\
The city council met on Tuesday evening to discuss the new harbour plan.

Mayor Ines Calloway said the plan would cost $120 million and create 900 jobs over five years. \
The council voted 7 to 2 in favour of the first phase.

Residents of the Eastbank district have complained about noise from the harbour for a decade. \
Why does nobody listen to us?

"We have waited long enough for a decision on the harbour," said Tomas Brandt, who leads the \
Eastbank residents' association.

Photo: City archive

The Port Authority of Lindmoor expects the first ships to dock at the new quay in 2027, \
according to a report published in March.

It was a long night. Council members left after midnight, tired but pleased with the vote.

Read more: our coverage of the harbour at www.example-news.com/harbour
"""


def test_quotes_are_verbatim_and_two_or_three() -> None:
    quotes = select_quotes(ARTICLE)
    assert 2 <= len(quotes) <= 3
    for q in quotes:
        assert q in ARTICLE


def test_quotes_prefer_informative_sentences_and_skip_junk() -> None:
    quotes = select_quotes(ARTICLE)
    joined = " ".join(quotes)
    assert "Ines Calloway" in joined or "Tomas Brandt" in joined
    assert "$120 million" in joined or "2027" in joined
    assert not any(q.endswith("?") for q in quotes)
    assert not any("Photo" in q or "www." in q or "Read more" in q for q in quotes)
    assert "It was a long night." not in quotes


def test_quotes_are_in_reading_order_and_not_overlapping() -> None:
    quotes = select_quotes(ARTICLE)
    positions = [ARTICLE.index(q) for q in quotes]
    assert positions == sorted(positions)
    for a, b in itertools.pairwise(quotes):
        assert ARTICLE.index(a) + len(a) <= ARTICLE.index(b)


def test_short_sentence_is_joined_with_its_neighbour() -> None:
    text = (
        "It was a long night. Council members left after midnight, tired but pleased with "
        "the vote.\n\nThe budget office published its forecast for the coming decade on "
        "Monday morning.\n\nHarbour fees will rise by 4 percent next year, the port said."
    )
    quotes = select_quotes(text, k=3)
    assert any(q.startswith("It was a long night. Council") for q in quotes) or len(quotes) == 3
    for q in quotes:
        assert q in text


def test_exclude_avoids_summary_sentences() -> None:
    first = select_quotes(ARTICLE)
    again = select_quotes(ARTICLE, exclude=first[:1])
    assert first[0] not in again
    assert len(again) >= 2


def test_exclude_is_ignored_when_the_text_has_nothing_else() -> None:
    text = (
        "The regional bank raised its main interest rate to 4.5 percent on Thursday.\n\n"
        "Analysts at three brokers had expected the bank to hold rates until the autumn."
    )
    sentences = split_sentences(text)
    assert select_quotes(text, exclude=sentences) == sentences


def test_forbid_is_never_quoted() -> None:
    text = (
        "The regional bank raised its main interest rate to 4.5 percent on Thursday.\n\n"
        "Analysts at three brokers had expected the bank to hold rates until the autumn.\n\n"
        "Mortgage lenders said monthly payments would rise for about 200,000 households."
    )
    forbidden = "Analysts at three brokers had expected the bank to hold rates until the autumn."
    quotes = select_quotes(text, forbid=[forbidden])
    assert forbidden not in quotes and len(quotes) == 2


def test_redundant_sentences_are_not_both_chosen() -> None:
    text = (
        "The drought has cut the wheat harvest in the northern provinces by a third this year.\n\n"
        "The drought has cut the wheat harvest in the northern provinces by a third, "
        "officials said.\n\n"
        "Farmers in the south switched to sorghum, which needs far less water than wheat.\n\n"
        "Bread prices in the capital rose 12 percent in August, the statistics office reported."
    )
    quotes = select_quotes(text)
    assert sum("drought has cut" in q for q in quotes) == 1


def test_fragments_long_passages_and_questions_are_rejected() -> None:
    long_sentence = "The committee " + "and the board " * 30 + "agreed."
    text = f"Short one here.\n\n{long_sentence}\n\nWhat happens next, and who will pay for it all?"
    assert select_quotes(text) == []


def test_empty_text_and_k_zero() -> None:
    assert select_quotes("") == []
    assert select_quotes(ARTICLE, k=0) == []
    assert len(select_quotes(ARTICLE, k=2)) == 2


_SENTENCE = st.lists(
    st.sampled_from(
        [
            "the",
            "a",
            "council",
            "Mayor",
            "said",
            "2024",
            "percent",
            "harbour",
            "Lindmoor",
            "ships",
            "“quoted”",
            "Brandt",
            ",",
            "?",
            "!",
            "town",
            "water",
            "12",
            "rose",
            "fell",
            "north",
            "plan",
            "vote",
        ]
    ),
    min_size=1,
    max_size=25,
).map(lambda words: " ".join(words).capitalize() + ".")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_SENTENCE, min_size=1, max_size=4).map(" ".join), max_size=8))
def test_every_quote_is_a_substring(paragraphs: list[str]) -> None:
    text = "\n\n".join(paragraphs)
    for q in select_quotes(text):
        assert q in text


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_every_quote_is_a_substring_of_any_text(text: str) -> None:
    quotes = select_quotes(text)
    assert len(quotes) <= 3
    for q in quotes:
        assert q in text
