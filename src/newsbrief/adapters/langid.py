"""Language identification with py3langid (a fork of langid.py; a bundled model, no network)."""

from __future__ import annotations

import re
import threading
from typing import Any

MIN_CHARS = 20
"""Below this many letters a guess is not worth making."""
MIN_CONFIDENCE = 0.5

# Codes py3langid uses that are not ISO 639-1 but have a close ISO 639-1 parent.
_TO_ISO1 = {"ary": "ar", "arz": "ar", "wuu": "zh", "yue": "zh", "uzs": "uz", "gug": "gn"}
_LETTER = re.compile(r"[^\W\d_]")
_DENSE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
"""Kana, CJK ideographs and hangul: one such letter carries about as much as three others."""


class Py3LangidDetector:
    """Guesses the ISO 639-1 code of a text; ``None`` when too short or too unsure."""

    def __init__(self, *, min_confidence: float = MIN_CONFIDENCE) -> None:
        self._min_confidence = min_confidence
        self._identifier: Any = None
        self._lock = threading.Lock()

    def _model(self) -> Any:
        with self._lock:
            if self._identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                self._identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            return self._identifier

    def detect(self, text: str, /) -> str | None:
        """The language of ``text`` (ISO 639-1), or ``None`` for short or unclear text."""
        sample = " ".join(text.split())[:5000]
        if len(_LETTER.findall(sample)) + 2 * len(_DENSE.findall(sample)) < MIN_CHARS:
            return None
        code, confidence = self._model().classify(sample)
        code = _TO_ISO1.get(code, code)
        if confidence < self._min_confidence or not re.fullmatch(r"[a-z]{2}", code):
            return None
        return str(code)
