"""Faithfulness checks for abstractive summaries: is every checkable fact in the sources?

:func:`check_summary` is a pure function of a summary and its source texts::

    numbers   digits ("1,200", "3.5", "12%", "$4bn", "1 200") and written numbers
              ("twenty-five", "three million") -> values; each value must occur in a source
              (1,200 == 1200 == 1.2 thousand; "1.200" and "3,500" may be either convention)
    names     runs of capitalised words ("Jonathan Reyes", "Bank of Portmere", "WHO"), leading
              titles ("President") dropped -> each must occur in a source as a phrase, as part
              of a longer name ("Ana Ortiz" in "Ana María Ortiz"), as another listed form of
              the same gazetteer entry ("U.S." for "United States") or as its initials
    quotes    every string in quotation marks must occur in a source

Comparisons are case-, accent- and punctuation-insensitive. The result lists what is not
supported, in the order found, as written in the summary.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Literal

from newsbrief.pipeline.entities import Gazetteer, load_gazetteer
from newsbrief.pipeline.text import normalize

__all__ = ["DECIMAL_COMMA", "FaithfulnessResult", "check_summary", "numbers_in", "quoted_in"]

FUNCTION_WORD_ZIPF = 4.5
"""Zipf frequency (wordfreq) from which a sentence's first word, unless it is a listed first
name, counts as an ordinary word ("Officials" 4.7, "Según" 5.6, "Laut" 5.2) and is not checked
as a name. The price: a lone, very common surname opening a sentence ("Smith" 4.9) is not
checked either; a full name ("John Smith") still is."""
CAPITALISED_NOUNS = frozenset({"de", "lb"})
"""Languages that capitalise every noun: a lone capitalised word may be an ordinary noun."""
COMMON_NOUN_ZIPF = 3.0
"""In those languages, a lone capitalised word this frequent is taken for a noun, not a name
(so a hallucinated lone common surname can pass there; full names are still checked)."""
Reading = Literal["point", "comma", "both"]
"""Which mark is the decimal one in an ambiguous "1,200" or "1.200"."""
DECIMAL_COMMA = frozenset(
    "de es fr it pt nl ru pl cs sk sl hr sr bg ro hu tr da sv no nb nn fi el uk id vi".split()
)
"""Languages (ISO 639-1) that write a decimal comma: "3,5" and "1.200" (= 1200)."""

_SCALES: dict[str, int] = {
    "thousand": 10**3,
    "k": 10**3,
    "million": 10**6,
    "millions": 10**6,
    "mn": 10**6,
    "m": 10**6,
    "mio": 10**6,
    "millón": 10**6,
    "millones": 10**6,
    "millionen": 10**6,
    "billion": 10**9,
    "billions": 10**9,
    "bn": 10**9,
    "b": 10**9,
    "milliard": 10**9,
    "milliards": 10**9,
    "milliarde": 10**9,
    "milliarden": 10**9,
    "mrd": 10**9,
    "trillion": 10**12,
    "tn": 10**12,
}
_GLUED_SCALES = frozenset({"k", "m", "mn", "b", "bn", "tn"})
"""Scales that may be written straight after the digits ("$4bn", "€250m")."""
_GLUED_ONLY = frozenset({"k", "m", "b"})
"""Scales that count only when glued: "4 m" is more likely metres than millions."""
_DIGITS = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+(?![\d.,]\d)|\d+(?:[.,]\d+)*)"
    r"(?:(?P<glued>[a-zA-Z]{1,2})\b|\s*(?P<word>[A-Za-zñó]+)\.?)?"
)
_UNITS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {
    w: 10 * i
    for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split())
    if i > 1
}
_WORD_SCALES = {
    "hundred": 100,
    "thousand": 10**3,
    "million": 10**6,
    "billion": 10**9,
    "trillion": 10**12,
}
_NUMBER_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)?")
_QUOTED = re.compile(r"[\"“„«»‹]([^\"“”„«»‹›\n]{2,})[\"”“»«›]|(?<!\w)[‘']([^‘’'\n]{2,}?)[’'](?!\w)")
_ANY_WORD = re.compile(r"(?<![\w'’])[^\W\d_]\w*")
_INITIALISM = re.compile(r"(?:[A-Za-z]\.){2,}")
_NAME_WORD = re.compile(r"(?<!\w)(?:[^\W\d_][\w'’.-]*[\w.]|[^\W\d_])")
_NO_CASE = frozenset({"ja", "zh", "ko"})
"""Languages without capitals (and whose wordfreq lists need extra tokenizers)."""
_LINKS = frozenset("of for & de del da la al von van der y di du le".split())
"""Lower-case words inside a name ("Bank of Portmere"); "the" may follow "of" or "for"."""


@dataclass(frozen=True)
class FaithfulnessResult:
    """What :func:`check_summary` found: the facts of a summary missing from its sources."""

    unsupported: tuple[str, ...]
    """Numbers, names and quoted strings of the summary that no source supports, as written."""
    checked: int
    """How many items were checked in all."""

    @property
    def ok(self) -> bool:
        """True when every checked item is supported."""
        return not self.unsupported

    def reason(self) -> str:
        """One line for ``summary_fallback_reason``: ``"unsupported: 3,400; Jonathan Reyes"``."""
        return "unsupported: " + "; ".join(self.unsupported) if self.unsupported else ""


def check_summary(
    summary: str, sources: Sequence[str], *, language: str | None = None
) -> FaithfulnessResult:
    """Check that every number, name and quoted string of ``summary`` is in ``sources``.

    ``language`` (of the summary and its sources) settles whether "3,400" is 3400 or 3.4: a
    comma is the decimal mark for the languages in :data:`DECIMAL_COMMA`, a point otherwise.
    Without it, the summary is read the English way and the sources both ways.
    """
    reading: Reading = "comma" if (language or "en")[:2] in DECIMAL_COMMA else "point"
    index = _SourceIndex.build(sources, reading if language else "both")
    found: list[str] = []
    checked = 0
    for surface, values in numbers_in(summary, lenient=False, reading=reading):
        checked += 1
        if not values & index.numbers:
            found.append(surface)
    for name in _names_in(summary, index, language or "en"):
        checked += 1
        if not index.supports_name(name):
            found.append(name)
    for quote in quoted_in(summary):
        checked += 1
        if not index.has_phrase(quote):
            found.append(f"“{quote}”")
    return FaithfulnessResult(tuple(dict.fromkeys(found)), checked)


# -- numbers -------------------------------------------------------------------------------


def numbers_in(
    text: str, *, lenient: bool = True, reading: Reading = "both"
) -> Iterator[tuple[str, frozenset[Decimal]]]:
    """Each number of ``text`` as written, with the values it may stand for.

    ``reading`` says which mark is the decimal one in "1,200" or "1.200" ("both" keeps both
    values). ``lenient`` (for sources) also keeps the unscaled value of "3.4 million" and
    the parts of a space-grouped "12 300"; a summary's numbers are read strictly.
    """
    for m in _DIGITS.finditer(text):
        digits = m.group(1)
        scale = _scale(m.group("glued"), m.group("word"))
        values = _digit_values(digits, spaced=lenient, reading=reading)
        scaled = {v * scale for v in values} if scale else set(values)
        if lenient and scale:
            scaled |= values
        end = max(m.end("glued"), m.end("word")) if scale else m.end(1)
        yield text[m.start() : end].strip(), frozenset(scaled)
    yield from _written_numbers(text)


def _scale(glued: str | None, word: str | None) -> int:
    if glued:
        return _SCALES.get(glued.lower(), 0) if glued.lower() in _GLUED_SCALES else 0
    return _SCALES.get(word.lower(), 0) if word and word.lower() not in _GLUED_ONLY else 0


def _digit_values(digits: str, *, spaced: bool, reading: Reading) -> set[Decimal]:
    """The values a digit string may mean under English and continental conventions."""
    if re.search(r"\d[ \u00a0\u202f\u2009]\d", digits):
        parts = re.split(r"[ \u00a0\u202f\u2009]", digits)
        out = {Decimal("".join(parts))}
        return out | ({Decimal(p) for p in parts} if spaced else set())
    seps = [c for c in digits if c in ".,"]
    if not seps:
        return {Decimal(digits)}
    if len(set(seps)) == 2:
        dec = digits[max(digits.rfind("."), digits.rfind(","))]
        return _as_decimal(digits, thousands="." if dec == "," else ",")
    sep = seps[0]
    if len(seps) > 1:
        return _as_decimal(digits, thousands=sep)
    if len(digits.split(sep)[1]) != 3:  # "3.5", "3,75": only a decimal mark fits
        return _as_decimal(digits, thousands="," if sep == "." else ".")
    as_thousands = _as_decimal(digits, thousands=sep)
    as_decimal = _as_decimal(digits, thousands="," if sep == "." else ".")
    if reading == "both":
        return as_thousands | as_decimal
    return as_decimal if (sep == ",") == (reading == "comma") else as_thousands


def _as_decimal(digits: str, *, thousands: str) -> set[Decimal]:
    cleaned = digits.replace(thousands, "").replace(",", ".")
    try:
        return {Decimal(cleaned)}
    except InvalidOperation:
        return set()


def _written_numbers(text: str) -> Iterator[tuple[str, frozenset[Decimal]]]:
    """English number words: "twenty-five", "three hundred", "two million" ("one" alone is
    too often a pronoun to check)."""
    words = list(_NUMBER_WORD.finditer(text))
    i = 0
    while i < len(words):
        j = i
        while j < len(words) and _is_number_word(words[j].group().lower(), first=j == i):
            if j > i and text[words[j - 1].end() : words[j].start()].strip(" -") != "":
                break
            j += 1
        if j == i:
            i += 1
            continue
        phrase = [w.group().lower() for w in words[i:j]]
        if phrase != ["one"]:
            surface = text[words[i].start() : words[j - 1].end()]
            yield surface, frozenset({Decimal(_word_value(phrase))})
        i = j


def _is_number_word(word: str, *, first: bool) -> bool:
    parts = word.split("-")
    known = all(p in _UNITS or p in _TENS or p in _WORD_SCALES for p in parts)
    return known and not (first and parts[0] in _WORD_SCALES)


def _word_value(phrase: Sequence[str]) -> int:
    total, current = 0, 0
    for word in phrase:
        for part in word.split("-"):
            if part in _UNITS or part in _TENS:
                current += _UNITS.get(part, 0) + _TENS.get(part, 0)
            elif part == "hundred":
                current = max(current, 1) * 100
            else:
                total += max(current, 1) * _WORD_SCALES[part]
                current = 0
    return total + current


# -- quotes --------------------------------------------------------------------------------


def quoted_in(text: str) -> list[str]:
    """The strings of ``text`` between quotation marks (straight, curly, guillemets)."""
    return [(m.group(1) or m.group(2)).strip() for m in _QUOTED.finditer(text)]


# -- names ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Word:
    text: str
    start: int
    end: int
    initial: bool


def _words(text: str) -> list[_Word]:
    out = []
    for m in _NAME_WORD.finditer(text):
        word = re.sub(r"['’]s?$", "", m.group())
        word = word if _INITIALISM.fullmatch(word) else word.rstrip(".") or word
        before = text[max(0, m.start() - 3) : m.start()].rstrip(" \t\"'“‘«([")
        out.append(
            _Word(word, m.start(), m.start() + len(word), not before or before[-1] in ".!?:;\n•—–")
        )
    return out


def _capital_runs(text: str) -> list[list[_Word]]:
    """Runs of capitalised words joined by a space or hyphen, or by a connector ("of")."""
    runs: list[list[_Word]] = []
    cur: list[_Word] = []
    for w in _words(text):
        joined = bool(cur) and text[cur[-1].end : w.start] in (" ", "-") and not w.initial
        starts_or_joins = w.text[0].isupper() and (joined or not cur)
        after_of = bool(cur) and cur[-1].text in ("of", "for") and w.text == "the"
        if starts_or_joins or (joined and (w.text in _LINKS or after_of)):
            cur.append(w)
        else:
            runs.append(cur)
            cur = [w] if w.text[0].isupper() else []
    runs.append(cur)
    for run in runs:
        while run and run[-1].text[0].islower():
            run.pop()
    return [r for r in runs if r]


def _names_in(summary: str, index: _SourceIndex, language: str) -> Iterator[str]:
    """The names of ``summary`` to check, leading titles and sentence-initial words dropped."""
    gaz = index.gazetteer
    for run in _capital_runs(summary):
        first = run[0]
        ordinary = first.text not in gaz.first_names and _frequent(
            first.text, language, FUNCTION_WORD_ZIPF
        )
        if first.initial and (first.text in gaz.not_names or ordinary):
            run = run[1:]
        while run and (run[0].text[0].islower() or index.title_like(run[0].text)):
            run = run[1:]
        if not run or all(_is_number_word(w.text.lower(), first=False) for w in run):
            continue  # written numbers are checked as numbers
        if len(run) == 1 and _common_noun(run[0].text, language):
            continue
        name = summary[run[0].start : run[-1].end]
        hit = gaz.lookup(name)
        if hit is not None and hit[0] == "demonym":
            continue
        yield name


def _common_noun(word: str, language: str) -> bool:
    """In languages that capitalise every noun, a lone frequent word ("Arbeiter")."""
    return language[:2] in CAPITALISED_NOUNS and _frequent(word, language, COMMON_NOUN_ZIPF)


@lru_cache(maxsize=4096)
def _frequent(word: str, language: str, zipf: float) -> bool:
    """Whether ``word`` is at least ``zipf`` frequent in ``language`` (wordfreq's lists)."""
    lang = language[:2]
    if lang in _NO_CASE or not word.isalpha():
        return False
    try:
        from wordfreq import zipf_frequency

        return zipf_frequency(word.lower(), lang) >= zipf
    except (ImportError, LookupError):  # no list for this language (or wordfreq missing)
        return False


@dataclass(frozen=True)
class _SourceIndex:
    """What the sources say, prepared for quick look-ups."""

    text: str
    """Every source, normalised, each wrapped in spaces and joined by `` | ``."""
    lower_words: frozenset[str]
    """Normalised words that some source writes in lower case (ordinary words)."""
    numbers: frozenset[Decimal]
    names: tuple[tuple[str, ...], ...]
    """Each capitalised run of the sources as normalised words."""
    gazetteer: Gazetteer

    @classmethod
    def build(cls, sources: Sequence[str], reading: Reading) -> _SourceIndex:
        norm = [normalize(s) for s in sources]
        runs = [r for s in sources for r in _capital_runs(s)]
        names = {tuple(normalize(w.text) for w in r) for r in runs}
        return cls(
            text=" | ".join(f" {n} " for n in norm),
            lower_words=frozenset(
                normalize(w) for s in sources for w in _ANY_WORD.findall(s) if w[0].islower()
            ),
            numbers=frozenset(
                v for s in sources for _, vs in numbers_in(s, reading=reading) for v in vs
            ),
            names=tuple(sorted(names)),
            gazetteer=load_gazetteer(),
        )

    def has_phrase(self, phrase: str) -> bool:
        key = normalize(phrase)
        return bool(key) and f" {key} " in self.text

    def title_like(self, word: str) -> bool:
        """A title ("President") or an ordinary word the sources write in lower case."""
        titles = self.gazetteer.titles
        return word in titles or word + "." in titles or normalize(word) in self.lower_words

    def supports_name(self, name: str) -> bool:
        if self.has_phrase(name):
            return True
        hit = self.gazetteer.lookup(name)
        if hit is not None and any(self.has_phrase(f) for f in _forms(hit[1])):
            return True
        words = tuple(normalize(name).split())
        return any(_within(words, run) for run in self.names) or _is_initials(name, self.names)


def _within(words: tuple[str, ...], run: tuple[str, ...]) -> bool:
    """``words`` is a shorter form of the name ``run``: one of its words ("Ortiz"), or some of
    them in order ending with its last ("Ana Ortiz" of "Ana María Ortiz")."""
    if len(words) == 1:
        return words[0] in run
    it = iter(run)
    return all(w in it for w in words) and words[-1] == run[-1]


def _is_initials(name: str, runs: Iterable[tuple[str, ...]]) -> bool:
    if not (name.isupper() and name.isalpha() and 2 <= len(name) <= 6):
        return False
    key = name.lower()
    return any("".join(w[0] for w in run if w not in _LINKS) == key for run in runs if len(run) > 1)


@lru_cache(maxsize=256)
def _forms(canonical: str) -> tuple[str, ...]:
    """Every listed surface form of the gazetteer entry ``canonical``."""
    entries = load_gazetteer().entries
    return tuple(" ".join(k) for k, (_, c) in entries.items() if c == canonical)
