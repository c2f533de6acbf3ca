"""read_time: minutes to read, always >= 1 for text with content."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from newsbrief.pipeline.readtime import read_time, word_equivalents
from tests.pipeline.test_entities import seed_article


def test_empty_and_blank_text_take_no_time() -> None:
    assert read_time("") == 0
    assert read_time("   \n\n\t") == 0


def test_short_text_takes_one_minute() -> None:
    assert read_time("Rain.") == 1
    assert read_time("?!") == 1  # content without words still rounds up to a minute


def test_english_rate_is_about_238_words_a_minute() -> None:
    assert read_time("word " * 238) == 1
    assert read_time("word " * 476) == 2
    assert read_time("word " * 1190) == 5
    assert read_time("word " * 2380) == 10


def test_cjk_is_read_by_characters() -> None:
    assert read_time("雨" * 1000) == 2
    assert read_time("雨" * 2500, language="zh") == 5
    assert word_equivalents("雨" * 500) == 238


def test_mixed_text_adds_both_parts() -> None:
    mixed = "word " * 476 + "雨" * 1000
    assert read_time(mixed) == 4


def test_cjk_language_hint_reads_latin_words_at_the_character_rate() -> None:
    text = "東京" * 400 + " GDP 2025" * 100
    assert read_time(text, language="ja") == 2
    assert read_time(text) == 2


def test_seed_004_body_reads_in_four_to_seven_minutes() -> None:
    article = seed_article("004")
    assert 950 <= article.word_count <= 1250
    assert 4 <= read_time(article.text) <= 7


@given(st.text(min_size=1).filter(lambda t: t.strip() != ""))
def test_any_text_with_content_takes_at_least_a_minute(text: str) -> None:
    minutes = read_time(text)
    assert isinstance(minutes, int)
    assert minutes >= 1


@given(st.text(), st.sampled_from([None, "en", "zh", "ja", "xx", ""]))
def test_never_fails(text: str, language: str | None) -> None:
    assert read_time(text, language=language) >= 0
