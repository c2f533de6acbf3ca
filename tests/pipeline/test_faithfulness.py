"""check_summary: numbers, names and quoted strings of a summary must be in the sources."""

from __future__ import annotations

from decimal import Decimal

import pytest

from newsbrief.pipeline.faithfulness import check_summary, numbers_in, quoted_in

SOURCE = (
    "The Portmere council approved a harbour budget of $3.4 million on Tuesday, Mayor Ana "
    "María Ortiz said. About 1,200 dock workers will get a 12% raise from June. The World "
    "Health Organization praised the plan, and the Bank of the Andes will lend €250m. "
    "Twenty-five ships were delayed during the strike. “We have kept our promise to the "
    "harbour,” Ortiz said. The U.S. embassy sent two observers. Unemployment fell to 4,5 "
    "per cent in the region, the statistics office said."
)


def _unsupported(summary: str, *, language: str | None = None) -> tuple[str, ...]:
    return check_summary(summary, [SOURCE], language=language).unsupported


@pytest.mark.parametrize(
    "summary",
    [
        # number formats: separators, scale words, glued scales, percent spelled out
        "Portmere approved a $3,400,000 budget; 1200 dock workers get a 12 per cent raise.",
        "The budget is 3.4m dollars and the bank lends 250 million euros.",
        "The bank of the Andes lends €0.25 bn.",
        # written numbers both ways
        "25 ships were delayed and the U.S. sent 2 observers.",
        "Twelve per cent more pay for about one thousand two hundred workers.",
        # names: a shorter form, a title, case and accents, a listed alias, initials
        "Mayor Ortiz and Ana Ortiz's council won praise from the WHO.",
        "ANA MARIA ORTIZ said the United States sent observers.",
        "Ortiz is the mayor, and the Bank of the Andes lends money.",
        # quotes: verbatim, whatever the quotation marks and case
        'Ortiz said "we have kept our promise to the harbour".',
        "Ortiz: «We have kept our promise to the harbour».",
        # sentence-initial ordinary words are not names
        "After the strike, twenty-five ships had been delayed. However, pay rises.",
        "Officials said the council approved the budget on Tuesday.",
        "Two observers came from the U.S. The council thanked them.",
    ],
)
def test_faithful_summaries_pass(summary: str) -> None:
    assert _unsupported(summary) == ()


def test_a_hallucinated_number_and_name_are_caught() -> None:
    result = check_summary(
        "Ortiz said 1,200 workers get a raise. Jonathan Reyes said 3,400 jobs were at risk.",
        [SOURCE],
    )
    assert not result.ok
    assert result.unsupported == ("3,400", "Jonathan Reyes")
    assert result.reason() == "unsupported: 3,400; Jonathan Reyes"
    assert result.checked >= 4


@pytest.mark.parametrize(
    ("summary", "bad"),
    [
        ("The budget is $3.4 billion.", "3.4 billion"),  # right digits, wrong scale
        ("The budget is $34 million.", "34 million"),
        ("About 1,300 workers get a raise.", "1,300"),
        ("Thirty ships were delayed.", "Thirty"),
        ("The council met on Friday.", "Friday"),
        ("Ana Reyes said so.", "Ana Reyes"),  # a first name and a surname of different people
        ("The Bank of Portmere lends money.", "Bank of Portmere"),
        ('Ortiz called it "a historic victory".', "“a historic victory”"),
        ("The IMF praised the plan.", "IMF"),
    ],
)
def test_unsupported_items_are_reported_as_written(summary: str, bad: str) -> None:
    assert bad in _unsupported(summary)


def test_the_language_decides_the_decimal_mark() -> None:
    # "4,5" in the source can only be 4.5 (no group of three digits after the comma)
    assert _unsupported("Unemployment fell to 4.5 per cent.") == ()
    # in English "1.200" is 1.2, which the source's 1,200 (= 1200) does not support
    assert _unsupported("About 1.200 dock workers get a raise.", language="en") == ("1.200",)
    german = "Rund 1.200 Hafenarbeiter erhalten 3,5 Prozent mehr Lohn."
    check = check_summary("Die 1.200 Arbeiter bekommen 3,5 Prozent.", [german], language="de")
    assert check.ok
    wrong = check_summary("Die 1,200 Arbeiter bekommen 3.5 Prozent.", [german], language="de")
    assert wrong.unsupported == ("1,200",)  # "3.5" can only be three and a half


def test_non_english_function_words_at_a_sentence_start_are_not_names() -> None:
    spanish = "La alcaldesa Ana Ortiz anunció que 1.200 estibadores cobrarán un 12 % más."
    check = check_summary(
        "Según Ortiz, unos 1.200 estibadores cobrarán más.", [spanish], language="es"
    )
    assert check.ok and check.checked == 2
    wrong = check_summary("Según Jonathan Reyes, 1.300 estibadores.", [spanish], language="es")
    assert wrong.unsupported == ("1.300", "Jonathan Reyes")


def test_german_nouns_are_not_names_but_invented_people_are() -> None:
    german = "Bürgermeisterin Ana Ortiz sagte, rund 1.200 Hafenarbeiter bekämen mehr Lohn."
    check = check_summary("Laut Ortiz bekommen die Arbeiter mehr Lohn.", [german], language="de")
    assert check.ok
    wrong = check_summary("Laut Jonathan Reyes streiken die Arbeiter.", [german], language="de")
    assert wrong.unsupported == ("Jonathan Reyes",)


def test_numbers_in_reads_formats_and_scales() -> None:
    values = dict(numbers_in("1,200 and 3.5 and 1 200 and €4bn and 2,500.75", reading="point"))
    assert values["1,200"] == {Decimal(1200)}
    assert values["3.5"] == {Decimal("3.5")}
    assert Decimal(1200) in values["1 200"]
    assert Decimal(4_000_000_000) in values["4bn"]
    assert values["2,500.75"] == {Decimal("2500.75")}
    both = dict(numbers_in("1.200"))
    assert both["1.200"] == {Decimal(1200), Decimal("1.2")}
    written = dict(numbers_in("twenty-five thousand people and one hundred boats"))
    assert written["twenty-five thousand"] == {Decimal(25000)}
    assert written["one hundred"] == {Decimal(100)}


def test_quoted_in_finds_every_kind_of_quotation_mark() -> None:
    text = "He said \"yes\", she said “no way”, they said «bien» and 'maybe so'; it's fine."
    assert quoted_in(text) == ["yes", "no way", "bien", "maybe so"]


def test_a_name_only_written_in_the_possessive_is_found() -> None:
    source = "The plan is Marta Lindqvist's idea; Lindqvist's union backs it."
    assert check_summary("Lindqvist backs the plan.", [source]).ok
    assert check_summary("Marta Lindqvist backs the plan.", [source]).ok


def test_several_sources_each_count() -> None:
    other = "Jonathan Reyes, a union leader, said 3,400 jobs were at risk."
    result = check_summary("Jonathan Reyes said 3,400 jobs were at risk.", [SOURCE, other])
    assert result.ok


def test_an_empty_summary_checks_nothing() -> None:
    result = check_summary("", [SOURCE])
    assert result.ok and result.checked == 0 and result.reason() == ""


@pytest.mark.parametrize("language", ["ja", "xx", None])
def test_languages_without_capitals_or_word_lists_still_check_numbers(
    language: str | None,
) -> None:
    source = "東京で3人が負傷した。"
    assert check_summary("東京で3人が負傷した。", [source], language=language).ok
    assert check_summary("東京で5人が負傷した。", [source], language=language).unsupported == ("5",)
