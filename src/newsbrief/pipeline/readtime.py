"""Read time: minutes a reader needs for a text, always computed.

Space-separated scripts are read at about 238 words a minute (the average silent
reading rate of adults reading English non-fiction); Chinese, Japanese and Korean
characters at about 500 a minute. A text that mixes both adds the two parts.
"""

from __future__ import annotations

import math
import re

_CJK = (
    "\u3040-\u30ff"  # hiragana, katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs
    "\uac00-\ud7af"  # hangul syllables
)
_CJK_CHAR = re.compile(f"[{_CJK}]")
_WORD = re.compile(rf"[^\s{_CJK}]*(?:(?![{_CJK}])\w)[^\s{_CJK}]*")
"""A run of non-space, non-CJK characters with at least one letter or digit."""

WORDS_PER_MINUTE = 238
CJK_CHARS_PER_MINUTE = 500
_CJK_LANGUAGES = frozenset({"zh", "ja", "ko"})


def word_equivalents(text: str) -> float:
    """Length of ``text`` in English-word equivalents (a CJK character is about half a word)."""
    cjk = len(_CJK_CHAR.findall(text))
    return len(_WORD.findall(text)) + cjk * WORDS_PER_MINUTE / CJK_CHARS_PER_MINUTE


def read_time(text: str, *, language: str | None = None) -> int:
    """Minutes to read ``text``, rounded: at least 1 for any text with content, 0 for empty.

    ``language`` (ISO 639-1) is a hint: for Chinese, Japanese or Korean, any words in
    other scripts are read at the CJK rate too (numbers and names inside CJK prose).
    Never raises.
    """
    if not isinstance(text, str) or not text.strip():
        return 0
    cjk = len(_CJK_CHAR.findall(text))
    words = len(_WORD.findall(text))
    if language and language.lower()[:2] in _CJK_LANGUAGES and cjk:
        minutes = (cjk + words) / CJK_CHARS_PER_MINUTE
    else:
        minutes = word_equivalents(text) / WORDS_PER_MINUTE
    return max(1, math.floor(minutes + 0.5))
