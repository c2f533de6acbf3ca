"""Plain scraped text: paragraphs, the title line, aggregator cards."""

from __future__ import annotations

import pytest

from newsbrief.errors import EmptyDocument, UnsupportedContent
from newsbrief.pipeline.plaintext import parse
from newsbrief.pipeline.text import normalize
from newsbrief.records import Extracted, Fetched


def _parse(text: str) -> Extracted:
    return parse(Fetched(location="test.txt", text=text, kind="text"))


ARTICLE = """Harbor Council Votes to Rebuild the Old Ferry Pier

The council of Port Ellery voted on Tuesday to rebuild the ferry pier that storms damaged last year.

Work is due to start in the spring and to last about eighteen months.
"""

LONG_FIRST = (
    "The council of Port Ellery voted on Tuesday to rebuild the ferry pier that storms damaged "
    "last year, ending a long dispute over who should pay for it and when the work should start"
)


def test_title_line_and_blank_line_paragraphs() -> None:
    ex = _parse(ARTICLE)
    assert ex.title == "Harbor Council Votes to Rebuild the Old Ferry Pier"
    assert ex.paragraphs == (
        "The council of Port Ellery voted on Tuesday to rebuild the ferry pier that storms "
        "damaged last year.",
        "Work is due to start in the spring and to last about eighteen months.",
    )
    assert ex.extractor == "plaintext"
    assert ex.card is None


def test_a_long_first_paragraph_is_not_eaten_as_a_title() -> None:
    text = f"{LONG_FIRST}.\n\nA second document follows after a blank line, about something else."
    ex = _parse(text)
    assert ex.title is None
    assert ex.paragraphs[0] == LONG_FIRST + "."
    assert len(ex.paragraphs) == 2


def test_short_first_sentence_of_running_prose_is_not_a_title() -> None:
    text = "Ferries stopped running on Monday.\nThe pier was closed by the port authority.\n"
    ex = _parse(text)
    assert ex.title is None
    assert ex.paragraphs == (
        "Ferries stopped running on Monday.",
        "The pier was closed by the port authority.",
    )


def test_one_paragraph_per_line_without_blank_lines() -> None:
    lines = [
        "Port Ellery's council met on Tuesday evening in the town hall.",
        "Members voted nine to two to rebuild the pier.",
        "The mayor said the vote ended a year of uncertainty for ferry workers.",
    ]
    ex = _parse("\n".join(lines))
    assert ex.title is None
    assert list(ex.paragraphs) == lines


def test_nothing_is_lost_from_untitled_documents() -> None:
    docs = [
        "(Wire) A ferry operator said on Monday that it would add two boats to its fleet, "
        "citing a rise in the number of commuters crossing the bay.  Its chief said so.",
        "Residents of the island have long complained about delays. The operator said the "
        "new boats would be in service by the end of the year.",
    ]
    ex = _parse("\n\n".join(docs))
    assert ex.title is None
    assert list(ex.paragraphs) == docs  # verbatim, double spaces included


def test_hard_wrapped_prose_is_joined() -> None:
    text = (
        "Ferry Pier to Reopen\n\n"
        "The council of Port Ellery voted on Tuesday to rebuild the ferry pier that\n"
        "storms damaged last year, ending a dispute over who should pay for the work\n"
        "and when it should start. Building begins in the spring.\n"
    )
    ex = _parse(text)
    assert ex.title == "Ferry Pier to Reopen"
    assert len(ex.paragraphs) == 1
    assert "pier that storms damaged" in ex.paragraphs[0]


@pytest.mark.parametrize(
    "first",
    ["14 March 2024 Last updated at 10:05 GMT", "By Jane Roe", "Photo: Jane Roe/Harbor Wire"],
)
def test_datelines_bylines_and_credits_are_not_titles(first: str) -> None:
    ex = _parse(f"{first}\n\n{LONG_FIRST}.\n\nAnother paragraph of the story follows here.")
    assert ex.title is None
    assert ex.paragraphs[0] == first


def test_question_headline_is_a_title() -> None:
    ex = _parse("Can the Ferry Pier Survive Another Winter?\n\n" + LONG_FIRST + ".")
    assert ex.title == "Can the Ferry Pier Survive Another Winter?"


CARD = """The Pier Nobody Wanted to Pay For
In short

The Pier Nobody Wanted to Pay For
“For a decade the ferry pier at Port Ellery has been a symbol of the town's “temporary” fixes, patched after every storm and never rebuilt.”
"The council's vote on Tuesday changes that. The money comes from a state grant that had sat unused for two years, officials said."
The town council has voted to rebuild its storm-damaged ferry pier with a state grant, ending years of temporary repairs and disputes over funding.
Read at The Harbor Ledger
4 min read
[
|
]
"""  # noqa: E501


def test_aggregator_card_passages_label_summary_and_outlet() -> None:
    ex = _parse(CARD)
    assert ex.title == "The Pier Nobody Wanted to Pay For"
    assert ex.card is not None
    assert ex.card.label == "In short"
    assert ex.card.summary is not None
    assert ex.card.summary.startswith("The town council has voted")
    assert ex.source.name == "The Harbor Ledger"
    assert len(ex.paragraphs) == 2
    first, second = ex.paragraphs
    assert first.startswith("For a decade") and first.endswith("never rebuilt.")
    assert "“temporary”" in first  # inner quotes kept
    assert second.startswith("The council's vote") and second.endswith("officials said.")
    for passage in ex.paragraphs:
        assert passage in CARD  # verbatim
        assert normalize(ex.card.summary) not in normalize(passage)
    assert not any(p in {"[", "|", "]", "4 min read"} for p in ex.paragraphs)


def test_quoted_paragraphs_without_read_at_are_not_a_card() -> None:
    text = 'Ferry Pier to Reopen\n\n"We are delighted with the vote," the mayor said on Tuesday.\n'
    ex = _parse(text)
    assert ex.card is None
    assert ex.paragraphs == ('"We are delighted with the vote," the mayor said on Tuesday.',)


def test_an_article_with_a_fully_quoted_paragraph_and_read_at_is_not_a_card() -> None:
    prose = [
        f"{LONG_FIRST}, officials said on Tuesday evening after the meeting.",
        "Work is due to start in the spring and to last about eighteen months, the harbor "
        "master said, adding that ferries would use a temporary landing in the meantime.",
        "Fishermen, who share the pier with the ferries, said they had been promised berths "
        "on the new structure but had not yet seen any plans from the council.",
    ]
    quote = '"We have waited ten years for this pier and we will not wait another ten."'
    text = "\n\n".join(["Ferry Pier to Reopen", *prose, quote, "Read at The Harbor Ledger"])
    ex = _parse(text)
    assert ex.card is None
    assert ex.paragraphs[:4] == (*prose, quote)


def test_errors() -> None:
    with pytest.raises(EmptyDocument):
        _parse(" \n\n \n")
    with pytest.raises(UnsupportedContent):
        parse(Fetched(location="x.html", text="<p>x</p>", kind="html"))
