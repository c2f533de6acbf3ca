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

from newsbrief.pipeline.entities import Gazetteer, load_gazetteer
from newsbrief.pipeline.text import normalize

__all__ = ["FaithfulnessResult", "check_summary", "numbers_in", "quoted_in"]

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
"""Scales written straight after the digits ("$4bn"); "4 m" is more likely metres."""
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
_TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if i > 1}
_WORD_SCALES = {"hundred": 100, "thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_NUMBER_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)?")
_QUOTED = re.compile(r"[\"“„«»‹]([^\"“”„«»‹›\n]{2,})[\"”“»«›]|(?<!\w)[‘']([^‘’'\n]{2,}?)[’'](?!\w)")
_LOWER_WORD = re.compile(r"(?<![\w'’])[^\W\d_A-Z]\w*")
_INITIALISM = re.compile(r"(?:[A-Za-z]\.){2,}")
_NAME_WORD = re.compile(r"[^\W\d_][\w'’.-]*[\w.]|[^\W\d_]")
_LINKS = frozenset({"of", "for", "on", "the", "and", "&", "de", "del", "da", "la", "al", "von", "van", "der", "y", "di", "du", "le"})


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


def check_summary(summary: str, sources: Sequence[str]) -> FaithfulnessResult:
    """Check that every number, name and quoted string of ``summary`` is in ``sources``."""
    index = _SourceIndex.build(sources)
    found: list[str] = []
    checked = 0
    for surface, values in numbers_in(summary, lenient=False):
        checked += 1
        if not values & index.numbers:
            found.append(surface)
    for name in _names_in(summary, index):
        checked += 1
        if not index.supports_name(name):
            found.append(name)
    for quote in quoted_in(summary):
        checked += 1
        if not index.has_phrase(quote):
            found.append(f"“{quote}”")
    return FaithfulnessResult(tuple(dict.fromkeys(found)), checked)


# -- numbers -------------------------------------------------------------------------------


def numbers_in(text: str, *, lenient: bool = True) -> Iterator[tuple[str, frozenset[Decimal]]]:
    """Each number of ``text`` as written, with the values it may stand for.

    ``lenient`` (for sources) also keeps the unscaled value of "3.4 million" and both
    readings of a space-grouped "12 300"; a summary's numbers are read strictly.
    """
    for m in _DIGITS.finditer(text):
        digits = m.group(1)
        scale = _scale(m.group("glued"), m.group("word"))
        values = _digit_values(digits, spaced=lenient)
        scaled = {v * scale for v in values} if scale else set(values)
        if lenient and scale:
            scaled |= values
        end = m.end() if scale else m.end(1)
        yield text[m.start() : end].strip(), frozenset(scaled)
    yield from _written_numbers(text, lenient)


def _scale(glued: str | None, word: str | None) -> int:
    if glued:
        return _SCALES.get(glued.lower(), 0) if glued.lower() in _GLUED_SCALES else 0
    return _SCALES.get(word.lower(), 0) if word and word.lower() not in _GLUED_SCALES else 0


def _digit_values(digits: str, *, spaced: bool) -> set[Decimal]:
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
    groups_of_three = len(digits.split(sep)[1]) == 3
    out = _as_decimal(digits, thousands="," if sep == "." else ".")
    return out | _as_decimal(digits, thousands=sep) if groups_of_three else out


def _as_decimal(digits: str, *, thousands: str) -> set[Decimal]:
    cleaned = digits.replace(thousands, "").replace(",", ".")
    try:
        return {Decimal(cleaned)}
    except InvalidOperation:
        return set()


def _written_numbers(text: str, lenient: bool) -> Iterator[tuple[str, frozenset[Decimal]]]:
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
        out.append(_Word(word, m.start(), m.start() + len(word), not before or before[-1] in ".!?:;\n•—–"))
    return out


def _capital_runs(text: str) -> list[list[_Word]]:
    """Runs of capitalised words joined by a space or hyphen, or by a connector ("of")."""
    runs: list[list[_Word]] = []
    cur: list[_Word] = []
    for w in _words(text):
        joined = bool(cur) and text[cur[-1].end : w.start] in (" ", "-")
        if w.text[0].isupper() and (joined or not cur):
            cur.append(w)
        elif joined and w.text.lower() in _LINKS and w.text[0].islower():
            cur.append(w)
        else:
            runs.append(cur)
            cur = [w] if w.text[0].isupper() else []
    runs.append(cur)
    for run in runs:
        while run and run[-1].text[0].islower():
            run.pop()
    return [r for r in runs if r]


def _names_in(summary: str, index: _SourceIndex) -> Iterator[str]:
    """The names of ``summary`` to check, leading titles and sentence-initial words dropped."""
    gaz = index.gazetteer
    for run in _capital_runs(summary):
        if run[0].initial and run[0].text in gaz.not_names:
            run = run[1:]
        while run and (run[0].text[0].islower() or index.title_like(run[0].text)):
            run = run[1:]
        if not run:
            continue
        name = summary[run[0].start : run[-1].end]
        hit = gaz.lookup(name)
        if hit is not None and hit[0] == "demonym":
            continue
        yield name


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
    def build(cls, sources: Sequence[str]) -> _SourceIndex:
        norm = [normalize(s) for s in sources]
        runs = [r for s in sources for r in _capital_runs(s)]
        names = {tuple(normalize(w.text) for w in r) for r in runs}
        return cls(
            text=" | ".join(f" {n} " for n in norm),
            lower_words=frozenset(
                normalize(w) for s in sources for w in _LOWER_WORD.findall(s)
            ),
            numbers=frozenset(v for s in sources for _, vs in numbers_in(s) for v in vs),
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
    """``words`` in order inside the longer name ``run`` (first and last word kept)."""
    it = iter(run)
    return len(words) > 1 and all(w in it for w in words) and words[-1] == run[-1]


def _is_initials(name: str, runs: Iterable[tuple[str, ...]]) -> bool:
    if not (name.isupper() and name.isalpha() and 2 <= len(name) <= 6):
        return False
    key = name.lower()
    return any(
        "".join(w[0] for w in run if w not in _LINKS) == key for run in runs if len(run) > 1
    )


@lru_cache(maxsize=256)
def _forms(canonical: str) -> tuple[str, ...]:
    """Every listed surface form of the gazetteer entry ``canonical``."""
    entries = load_gazetteer().entries
    return tuple(" ".join(k) for k, (_, c) in entries.items() if c == canonical)
