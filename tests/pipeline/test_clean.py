"""The boilerplate cleaner: what it removes, what it keeps, and what it records."""

from __future__ import annotations

import pytest

from newsbrief.errors import NoArticle
from newsbrief.pipeline.clean import clean, is_read_time, is_share_residue, photo_credit
from newsbrief.records import AggregatorCard, Extracted, ImageInfo, Outlet

TITLE = "Harbor Council Votes to Rebuild the Old Ferry Pier"
P1 = (
    "The council of Port Ellery voted on Tuesday to rebuild the ferry pier that storms "
    "damaged last year, ending a long dispute over who should pay for the work."
)
P2 = (
    "Work is due to start in the spring and to last about eighteen months, the harbor master "
    "said, adding that ferries would use a temporary landing in the meantime."
)
P3 = (
    "Fishermen, who share the pier with the ferries, said they had been promised berths "
    "on the new structure but had not yet seen any plans."
)
QUESTION = "Who will pay if the costs overrun?"


def _ex(*paragraphs: str, title: str | None = TITLE, **kw: object) -> Extracted:
    return Extracted(title=title, paragraphs=paragraphs, **kw)  # type: ignore[arg-type]


def test_clean_text_passes_through_unchanged() -> None:
    art = clean(_ex(P1, QUESTION, P2, P3, url="https://harborledger.example/pier"))
    assert art.paragraphs == (P1, QUESTION, P2, P3)
    assert art.removed == ()
    assert art.is_excerpt is False
    assert art.text == "\n\n".join((P1, QUESTION, P2, P3))


def test_share_residue_and_lone_punctuation() -> None:
    art = clean(_ex("Share | Tweet | Email", "[", "|", "]", P1, "·", "Share this article", P2))
    assert art.paragraphs == (P1, P2)
    assert "Share | Tweet | Email" in art.removed


def test_read_time_lines() -> None:
    lines = [
        "4 min read",
        "Reading time: 3 minutes",
        "Unable to calculate read time",
        "May 3, 2025 · 6 min read",
        "Less than a minute read",
    ]
    art = clean(_ex(lines[0], P1, lines[1], P2, *lines[2:], P3))
    assert art.paragraphs == (P1, P2, P3)
    assert set(lines) <= set(art.removed)


def test_read_more_teaser_list_at_the_end() -> None:
    art = clean(
        _ex(
            P1,
            P2,
            P3,
            "Read more:",
            "- Ferry fares to rise in June",
            "- Storm damage bill tops two million",
            "Why the bay keeps flooding",
        )
    )
    assert art.paragraphs == (P1, P2, P3)
    assert len(art.removed) == 4


def test_related_heading_followed_by_repeats_of_the_article() -> None:
    art = clean(_ex(P1, P2, P3, "Related news", P1, P2[:80] + "..."))
    assert art.paragraphs == (P1, P2, P3)


def test_teaser_heading_ends_where_real_prose_resumes() -> None:
    art = clean(_ex(P1, "You may also like", "Ferry fares to rise in June", P2, P3))
    assert art.paragraphs == (P1, P2, P3)
    assert "Ferry fares to rise in June" in art.removed


def test_inline_teaser_line() -> None:
    art = clean(_ex(P1, "Read more: Ferry fares to rise in June", P2))
    assert art.paragraphs == (P1, P2)


def test_repeated_caption_with_site_name_and_title() -> None:
    caption = f"Top Stories | Read Harborledger.example - {TITLE}"
    art = clean(_ex(P1, caption, "Photo: Jane Roe/Harbor Wire", P2, caption, P3, caption))
    assert art.paragraphs == (P1, P2, P3)
    assert ImageInfo(caption=caption, credit="Jane Roe/Harbor Wire") in art.images
    assert art.removed.count(caption) == 3


def test_short_repeated_alt_text_without_title() -> None:
    alt = "Port Ellery harbor | Harbor Ledger"
    art = clean(_ex(alt, P1, alt, P2, P3))
    assert art.paragraphs == (P1, P2, P3)


@pytest.mark.parametrize(
    ("line", "credit"),
    [
        ("Photo credit: portellery.example", "portellery.example"),
        ("Photo: Shutterstock", "Shutterstock"),
        ("Image: Jane Roe/Reuters", "Jane Roe/Reuters"),
        ("(Photo by Sam Poe/Getty Images)", "Sam Poe/Getty Images"),
        ("Credit: Harbor Ledger archive", "Harbor Ledger archive"),
        ("Photograph by Ana Lee", "Ana Lee"),
        ("Image copyright Harbor Wire", "Harbor Wire"),
    ],
)
def test_photo_credits_become_image_metadata(line: str, credit: str) -> None:
    art = clean(_ex(P1, line, P2))
    assert art.paragraphs == (P1, P2)
    assert [i.credit for i in art.images] == [credit]
    assert photo_credit(line) == credit


def test_caption_with_trailing_credit() -> None:
    caption = "Waves break over the old pier on Sunday."
    art = clean(_ex(P1, f"{caption} (Photo by Dana Ruiz/Harbor Wire)", P2))
    assert art.paragraphs == (P1, P2)
    assert art.images == (ImageInfo(caption=caption, credit="Dana Ruiz/Harbor Wire"),)


def test_credit_at_the_end_of_a_long_paragraph_is_cut_off() -> None:
    art = clean(_ex(P1, f"{P2} {P3} (Photo: Harbor Wire)"))
    assert art.paragraphs == (P1, f"{P2} {P3}")
    assert art.images == (ImageInfo(credit="Harbor Wire"),)


def test_title_repeated_in_the_body_and_duplicate_paragraphs() -> None:
    art = clean(_ex(TITLE, P1, P2, P1.upper(), P3, P2))
    assert art.paragraphs == (P1, P2, P3)
    assert TITLE in art.removed


def test_read_at_line_names_the_outlet_when_unknown() -> None:
    art = clean(_ex(P1, P2, "Read at The Harbor Ledger"))
    assert art.paragraphs == (P1, P2)
    assert art.source.name == "The Harbor Ledger"


def test_known_outlet_is_kept() -> None:
    known = Outlet(
        name="Bay Gazette", domain="baygazette.example", url="https://baygazette.example"
    )
    art = clean(_ex(P1, P2, "Read at The Harbor Ledger", source=known))
    assert art.source == known


def test_copyright_and_ad_lines() -> None:
    art = clean(
        _ex(
            "Advertisement",
            P1,
            "Story continues below advertisement",
            P2,
            "© 2025 Bay Gazette. All rights reserved.",
        )
    )
    assert art.paragraphs == (P1, P2)
    assert art.source.name == "Bay Gazette"


@pytest.mark.parametrize(
    "keep",
    [
        "The photo, taken in 1998 by a harbor pilot, shows the pier before the first storm.",
        "Residents who want to read more about the plan can find it at the town library.",
        "Photographers gathered at the pier at dawn to record its last day in service.",
        "Share prices of the ferry operator rose four percent after the vote on Tuesday.",
        "How will the town act if one of its neighbors - or the state - refuses to pay?",
        "Why?",
        "Related issues, such as parking near the terminal, were left for another meeting.",
        "Visit portellery.example to see the plans, the council said in a statement.",
    ],
)
def test_prose_that_only_mentions_boilerplate_words_stays(keep: str) -> None:
    art = clean(_ex(P1, keep, P2))
    assert art.paragraphs == (P1, keep, P2)
    assert art.images == ()


def test_short_question_after_photo_caption_stays() -> None:
    caption = f"Latest Headlines | Harborledger.example - {TITLE}"
    art = clean(_ex(P1, QUESTION, caption, "Photo: Jane Roe", P2))
    assert art.paragraphs == (P1, QUESTION, P2)


def test_excerpts_cards_and_paywalls() -> None:
    card = AggregatorCard(label="In short", summary="The aggregator's own words.")
    assert clean(_ex(P1, card=card)).is_excerpt is True
    assert clean(_ex(P1, paywalled=True)).is_excerpt is True
    assert clean(_ex(P1, card=card)).card == card


def test_nothing_left_raises_no_article() -> None:
    with pytest.raises(NoArticle):
        clean(_ex("Share", "[", "|", "]", "4 min read"))


def test_line_predicates() -> None:
    assert is_read_time("5 min read")
    assert not is_read_time("The crossing takes 5 minutes.")
    assert is_share_residue("Share on Facebook | Tweet | 12 comments")
    assert not is_share_residue("Share prices rose.")
