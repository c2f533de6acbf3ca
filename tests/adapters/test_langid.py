"""Py3LangidDetector: ISO 639-1 codes, None when unsure."""

from __future__ import annotations

import pytest

from newsbrief.adapters.langid import Py3LangidDetector
from newsbrief.ports import LanguageDetector


@pytest.fixture(scope="module")
def detector() -> Py3LangidDetector:
    return Py3LangidDetector()


def test_is_a_language_detector(detector: Py3LangidDetector) -> None:
    assert isinstance(detector, LanguageDetector)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("The harbour council voted on Tuesday to approve the first phase of the plan.", "en"),
        ("El consejo del puerto votó el martes para aprobar la primera fase del plan.", "es"),
        ("Der Hafenrat stimmte am Dienstag für die erste Phase des Plans.", "de"),
        ("Le conseil du port a voté mardi pour approuver la première phase du projet.", "fr"),
        ("Совет порта во вторник проголосовал за первый этап плана.", "ru"),
        ("港湾評議会は火曜日、計画の第一段階を承認した。", "ja"),
        ("港口委员会周二投票批准了该计划的第一阶段。", "zh"),
    ],
)
def test_detects_languages(detector: Py3LangidDetector, text: str, code: str) -> None:
    assert detector.detect(text) == code


@pytest.mark.parametrize("text", ["", "   ", "ok", "Hi there", "12345 67890 !!! ???", "你好"])
def test_short_or_empty_text_gives_none(detector: Py3LangidDetector, text: str) -> None:
    assert detector.detect(text) is None


def test_codes_are_two_letters(detector: Py3LangidDetector) -> None:
    code = detector.detect("Ngaahi fakamatala ʻo e ʻaho ni ʻoku lahi ʻaupito mo mahuʻinga " * 3)
    assert code is None or (len(code) == 2 and code.isalpha() and code.islower())
