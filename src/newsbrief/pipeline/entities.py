"""No-dependency entity recognition: a gazetteer plus name and organisation patterns.

:class:`GazetteerRecognizer` finds

- places: countries (with their aliases: "U.S." and "America" are the United States),
  capitals, major cities and regions from ``data/gazetteer.json``; demonyms ("Russian")
  are recognised so that they are *not* taken for places or names;
- organisations: the gazetteer's, phrases built around a keyword such as Ministry, Party
  or Bank ("Russian Foreign Ministry", "Bank of England"), and acronyms of 3-6 capitals;
- people: names after a title ("President", "Mr."), capitalised words starting with a
  known first name, pairs whose last word recurs alone (a repeated surname), and pairs
  followed by a speech verb ("... said").

:func:`collect` turns raw mentions into :class:`~newsbrief.records.Entities` (canonical
place names, short and long forms of a person merged under the longest, most mentioned
first); the spaCy adapter uses it too, so both recognizers agree on conventions.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

from newsbrief.records import Entities

Kind = Literal["place", "org", "demonym"]
Key = tuple[str, ...]

_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[^\W\d_](?:[\w'’]*\w)?\+?|\d[\d.,]*|&")
_POSSESSIVE = re.compile(r"['’]s?$")
_CONNECTORS = frozenset({"of", "for", "on", "the", "and", "&"})
_SPEECH = re.compile(
    r"\s*,?\s*(?:said|says|told|tells|added|wrote|writes|argued|stated|warned|noted|asked)\b"
)
_ROMAN = re.compile(r"^[IVXLCDM]+$")


@dataclass(frozen=True)
class Gazetteer:
    """Lookup tables compiled from ``data/gazetteer.json``."""

    entries: dict[Key, tuple[Kind, str]]
    """Surface form (as tokens) -> (kind, canonical name)."""
    first_names: frozenset[str]
    titles: frozenset[str]
    org_keywords: frozenset[str]
    particles: frozenset[str]
    not_names: frozenset[str]
    max_len: int = 1

    def lookup(self, name: str) -> tuple[Kind, str] | None:
        """The kind and canonical name of ``name`` (a surface form), if listed."""
        return self.entries.get(_key(name))


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The bundled gazetteer (read once)."""
    raw = resources.files("newsbrief").joinpath("data/gazetteer.json").read_text("utf-8")
    return _compile(json.loads(raw))


def _key(name: str) -> Key:
    return tuple(_POSSESSIVE.sub("", t) if t.endswith(("'", "’")) else t for t in _words(name))


def _words(text: str) -> list[str]:
    return [m.group() for m in _TOKEN.finditer(text)]


def _compile(data: dict[str, Any]) -> Gazetteer:
    entries: dict[Key, tuple[Kind, str]] = {}

    def add(kind: Kind, canonical: str, forms: Iterable[str]) -> None:
        for form in forms:
            entries.setdefault(_key(form), (kind, canonical))
            if form.startswith("The "):
                entries.setdefault(_key(form[4:]), (kind, canonical))

    for country in data["countries"]:
        add("place", country["name"], [country["name"], *country["aliases"]])
        add("place", country["capital"], [country["capital"]])
    for group in ("regions", "cities"):
        for item in data[group]:
            add("place", item["name"], [item["name"], *item["aliases"]])
    for item in data["organizations"]:
        add("org", item["name"], [item["name"], *item["aliases"]])
    for country in data["countries"]:
        add("demonym", "", country["demonyms"])
    return Gazetteer(
        entries=entries,
        first_names=frozenset(data["first_names"]),
        titles=frozenset(data["person_titles"]),
        org_keywords=frozenset(data["org_keywords"]),
        particles=frozenset(data["name_particles"]),
        not_names=frozenset(data["not_names"]),
        max_len=max(len(k) for k in entries),
    )


# --- tokens and runs of capitalised words -------------------------------------------------


@dataclass(frozen=True)
class _Tok:
    text: str
    start: int
    end: int
    initial: bool
    """First word of a sentence (or of a quotation, a line)."""
    breaks: bool
    """A possessive ("Putin's"): no name continues past it."""

    @property
    def upper(self) -> bool:
        return self.text[0].isupper()


def _tokenize(text: str, gaz: Gazetteer) -> list[_Tok]:
    toks: list[_Tok] = []
    dotted = gaz.titles | gaz.org_keywords
    for m in _TOKEN.finditer(text):
        word, end = m.group(), m.end()
        if text[end : end + 1] == "." and word + "." in dotted:
            word, end = word + ".", end + 1
        stripped = re.sub(r"['’]s?$", "", word) if word[-1] in "s'’" else word
        possessive = stripped != word and len(stripped) > 1
        if not possessive:
            stripped = word
        before = text[max(0, m.start() - 4) : m.start()].rstrip(" \t\"'“‘«([")
        initial = not before or before[-1] in ".!?:;\n|•—–"
        toks.append(_Tok(stripped, m.start(), m.start() + len(stripped), initial, possessive))
    return toks


def _runs(text: str, toks: Sequence[_Tok], links: frozenset[str]) -> list[list[_Tok]]:
    """Maximal runs of capitalised words joined by a space or hyphen, or by a connector."""
    runs: list[list[_Tok]] = []
    cur: list[_Tok] = []
    for i, tok in enumerate(toks):
        joined = bool(cur) and not cur[-1].breaks and text[cur[-1].end : tok.start] in (" ", "-")
        if tok.upper and (joined or not cur):
            cur.append(tok)
            continue
        if joined and tok.text in links and _links_to_name(text, toks, i, links):
            cur.append(tok)
            continue
        _flush(cur, runs, links)
        cur = [tok] if tok.upper else []
    _flush(cur, runs, links)
    return runs


def _links_to_name(text: str, toks: Sequence[_Tok], i: int, links: frozenset[str]) -> bool:
    """Whether the connector at ``i`` ("of", "of the") leads to a capitalised word."""
    j = i + 1
    while j < len(toks) and text[toks[j - 1].end : toks[j].start] in (" ", "-"):
        if toks[j].text not in links:
            return toks[j].upper
        j += 1
    return False


def _flush(cur: list[_Tok], runs: list[list[_Tok]], links: frozenset[str]) -> None:
    while cur and cur[-1].text in links:
        cur.pop()
    if cur:
        runs.append(list(cur))


# --- labelling one run ----------------------------------------------------------------------


@dataclass
class _Mentions:
    people: list[str] = field(default_factory=list)
    orgs: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    singles: list[str] = field(default_factory=list)
    """Unlabelled single capitalised words (possible repeated surnames)."""
    pairs: list[str] = field(default_factory=list)
    """Unlabelled runs of 2-3 name-like words (possible names)."""
    spoken: set[str] = field(default_factory=set)
    """Unlabelled runs followed by a speech verb ("... said")."""


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    kind: str
    name: str


class _RunLabeller:
    """Labels the words of one run: gazetteer entries, then organisations, then people."""

    def __init__(self, run: list[_Tok], text: str, gaz: Gazetteer) -> None:
        self.run, self.text, self.gaz = run, text, gaz
        self.labels: list[_Span | None] = [None] * len(run)

    def label(self, out: _Mentions) -> None:
        self._gazetteer()
        self._organisations()
        self._people()
        self._emit(out)

    def _set(self, span: _Span) -> None:
        for j in range(span.start, span.end):
            self.labels[j] = span

    def _surface(self, start: int, end: int) -> str:
        return self.text[self.run[start].start : self.run[end - 1].end]

    def _name_like(self, i: int) -> bool:
        tok, gaz = self.run[i], self.gaz
        return (
            i < len(self.run)
            and self.labels[i] is None
            and tok.upper
            and not (tok.text.isupper() and len(tok.text) > 1)
            and tok.text not in gaz.titles
            and tok.text not in gaz.org_keywords
            and tok.text not in gaz.not_names
            and (tok.text,) not in gaz.entries
        )

    def _starts_name(self, i: int) -> bool:
        run = self.run
        return (
            run[i].text in self.gaz.first_names
            and not run[i].breaks
            and i + 1 < len(run)
            and self._name_like(i + 1)
        )

    def _gazetteer(self) -> None:
        i, run = 0, self.run
        while i < len(run):
            if self._starts_name(i):
                i += 1
                continue
            for n in range(min(self.gaz.max_len, len(run) - i), 0, -1):
                if any(t.breaks for t in run[i : i + n - 1]):
                    continue
                hit = self.gaz.entries.get(tuple(t.text for t in run[i : i + n]))
                if hit is not None:
                    self._set(_Span(i, i + n, hit[0], hit[1]))
                    i += n - 1
                    break
            i += 1

    def _organisations(self) -> None:
        for k, tok in enumerate(self.run):
            if tok.text in self.gaz.org_keywords:
                span = self._org_span(k)
                words = (
                    [t for t in self.run[span[0] : span[1]] if t.text not in _LINKS] if span else []
                )
                if span and len(words) >= 2:
                    self._set(_Span(span[0], span[1], "org", self._surface(*span)))

    def _org_span(self, k: int) -> tuple[int, int] | None:
        """The organisation phrase around the keyword at ``k``, if any."""
        label = self.labels[k]
        if label is None:
            return self._org_left(k), self._org_right(k)
        if label.kind == "org" and label.end == k + 1:  # "Liberal" + "Democratic Party"
            start = self._org_left(label.start)
            return (start, k + 1) if start < label.start else None
        return None

    def _org_left(self, k: int) -> int:
        start = k
        while start > 0:
            prev, label = self.run[start - 1], self.labels[start - 1]
            if prev.breaks or prev.text in self.gaz.titles or prev.text in self.gaz.not_names:
                break
            if prev.text in _LINKS and prev.text not in _OF:
                break
            if label is not None and label.kind == "org":
                break
            start = label.start if label is not None else start - 1
        while start < k and self.run[start].text in _LINKS:
            start += 1
        return start

    def _org_right(self, k: int) -> int:
        end, run = k + 1, self.run
        while end < len(run) and not run[end - 1].breaks:
            tok = run[end]
            if tok.text in self.gaz.org_keywords:
                end += 1
            elif tok.text in _OF and end + 1 < len(run):
                stop = end + 1
                while stop < len(run) and not run[stop - 1].breaks and self._org_tail(stop):
                    stop += 1
                if stop == end + 1:
                    break
                end = stop
            else:
                break
        return end

    def _org_tail(self, i: int) -> bool:
        """Whether word ``i`` continues an organisation's "of ..." tail."""
        tok, run = self.run[i], self.run
        if tok.text == "and":  # "of Trade and Industry", not "... and the Acme Corp"
            return i + 1 < len(run) and run[i + 1].upper
        if tok.text == "the":
            return run[i - 1].text in _OF
        return tok.upper and tok.text not in self.gaz.titles

    def _people(self) -> None:
        i, run = 0, self.run
        while i < len(run):
            start = i
            if self.labels[i] is None and run[i].text in self.gaz.titles and not run[i].breaks:
                while start < len(run) and run[start].text in self.gaz.titles:
                    start += 1
                    if run[start - 1].breaks:
                        break
            elif not (self.labels[i] is None and self._starts_name(i)):
                i += 1
                continue
            end = self._name_end(start)
            if end > start:
                self._set(_Span(start, end, "person", self._surface(start, end)))
            i = max(end, i + 1)

    def _name_end(self, start: int) -> int:
        end, run = start, self.run
        while end < len(run) and end - start < 5:
            if (
                self._name_like(end)
                or (end == start and self._starts_name(end))
                or (
                    end > start
                    and run[end].text in self.gaz.particles
                    and self._name_like_at(end + 1)
                )
            ):
                end += 1
            else:
                break
            if run[end - 1].breaks:
                break
        return end

    def _name_like_at(self, i: int) -> bool:
        return i < len(self.run) and self._name_like(i)

    def _emit(self, out: _Mentions) -> None:
        seen: set[int] = set()
        for span in self.labels:
            if span is None or id(span) in seen:
                continue
            seen.add(id(span))
            target = {"place": out.places, "org": out.orgs, "person": out.people}.get(span.kind)
            if target is not None:
                target.append(span.name)
        for start, end in self._unlabelled():
            self._leftover(start, end, out)

    def _unlabelled(self) -> Iterable[tuple[int, int]]:
        start = None
        for i, (tok, label) in enumerate([*zip(self.run, self.labels, strict=True), (None, 0)]):
            free = tok is not None and label is None and tok.text not in _LINKS
            if free and start is None:
                start = i
            if start is not None and (not free or self.run[i].breaks):
                yield start, (i + 1 if free else i)
                start = None

    def _leftover(self, start: int, end: int, out: _Mentions) -> None:
        toks = self.run[start:end]
        if len(toks) == 1 and _is_acronym(toks[0].text, self.gaz):
            if not _shouting(self.text, toks[0]):
                out.orgs.append(toks[0].text)
            return
        if not all(self._name_like(j) for j in range(start, end)):
            return
        if len(toks) == 1:
            out.singles.append(toks[0].text)
        elif len(toks) <= 3:
            name = self._surface(start, end)
            out.pairs.append(name)
            if _SPEECH.match(self.text, toks[-1].end + (1 if toks[-1].breaks else 0)):
                out.spoken.add(name)


_LINKS = frozenset({"of", "for", "on", "the", "and", "&", "de", "del", "da", "la", "al", "bin"})
_OF = frozenset({"of", "for", "on", "the"})


def _is_acronym(word: str, gaz: Gazetteer) -> bool:
    letters = word.replace("&", "")
    return (
        3 <= len(letters) <= 6
        and letters.isalpha()
        and letters.isupper()
        and not _ROMAN.match(letters)
        and word.title() not in gaz.not_names
    )


def _shouting(text: str, tok: _Tok) -> bool:
    """Whether the word sits in an all-capitals line (a headline, a label), not in prose."""
    line_start = text.rfind("\n", 0, tok.start) + 1
    line_end = text.find("\n", tok.end)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    letters = [c for c in line if c.isalpha()]
    return sum(c.isupper() for c in letters) > 0.6 * len(letters)


# --- the recognizer and the shared ranking --------------------------------------------------


class GazetteerRecognizer:
    """People, organisations and places from a bundled gazetteer and patterns (no dependencies)."""

    name = "gazetteer"

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self._gaz = gazetteer or load_gazetteer()

    def entities(self, text: str, /) -> Entities:
        """Entities of ``text``: each list deduplicated, most mentioned first."""
        out = self._mentions(text)
        repeated = set(out.singles)
        people = list(out.people)
        for pair in out.pairs:
            if pair in out.spoken or _words(pair)[-1] in repeated:
                people.append(pair)
        return collect(people, out.orgs, out.places, singles=out.singles, gazetteer=self._gaz)

    def _mentions(self, text: str) -> _Mentions:
        """Every raw mention in reading order (before merging and ranking)."""
        out = _Mentions()
        links = _LINKS | self._gaz.particles
        for run in _runs(text, _tokenize(text, self._gaz), links):
            _RunLabeller(run, text, self._gaz).label(out)
        return out


def collect(
    people: Iterable[str],
    organizations: Iterable[str],
    places: Iterable[str],
    *,
    singles: Iterable[str] = (),
    gazetteer: Gazetteer | None = None,
) -> Entities:
    """Rank raw mentions into :class:`Entities` (shared by every recognizer).

    Names listed in the gazetteer take its kind and canonical name ("U.S." -> place
    "United States"); demonyms and things that are not names are dropped; a person's
    short and long forms ("Putin", "Vladimir Putin") count as one, shown in the longest
    form; ``singles`` (lone capitalised words), and one-word organisations or places that
    are in fact a known person's surname, add to that person.
    """
    gaz = gazetteer or load_gazetteer()
    buckets: dict[str, list[str]] = {"person": [], "org": [], "place": []}
    unlisted: list[tuple[str, str]] = []
    for kind, names in (("person", people), ("org", organizations), ("place", places)):
        single_line = (n for n in names if "\n" not in n.strip())
        for name in filter(_looks_like_name, map(clean_name, single_line)):
            hit = gaz.lookup(name)
            if hit is None:
                shaped_kind, shaped = _by_shape(kind, name, gaz)
                buckets[shaped_kind].append(shaped)
                unlisted.append((shaped_kind, shaped))
            elif hit[0] != "demonym":
                buckets[hit[0]].append(hit[1])
    surnames = {_fold(_words(p)[-1]) for p in buckets["person"] if _words(p)}
    extra = [n for k, n in unlisted if k != "person" and _fold(n) in surnames]
    for name in extra:
        kind = "org" if name in buckets["org"] else "place"
        buckets[kind].remove(name)
    return Entities(
        people=tuple(_merge_people(buckets["person"], [*singles, *extra])),
        organizations=tuple(_ranked(buckets["org"])),
        places=tuple(_ranked(buckets["place"])),
    )


_PLACE_LAST = frozenset(
    """street road lane avenue boulevard square crescent terrace ridge valley wharf quay
    canal""".split()
)
_PLACE_FIRST = frozenset({"river", "lake", "mount", "cape"})


def is_title(word: str, gazetteer: Gazetteer | None = None) -> bool:
    """Whether ``word`` is a title or honorific put before a name ("Mr.", "Councillor")."""
    titles = (gazetteer or load_gazetteer()).titles
    return word in titles or f"{word}." in titles or word.capitalize() in titles


def _by_shape(kind: str, name: str, gaz: Gazetteer) -> tuple[str, str]:
    """``(kind, name)`` corrected where the name's shape tells its kind: a street, ridge or
    river is a place ("Mill Lane", "River Sorrel"); a "person" ending in an organisation
    word ("Castellan Terminals") is an organisation unless it opens on a known first name;
    a title before a full name makes a person ("Councillor Anders Bex" -> "Anders Bex")."""
    words = name.split()
    if len(words) < 2:
        return kind, name
    if words[-1].lower() in _PLACE_LAST or words[0].lower() in _PLACE_FIRST:
        return "place", name
    if kind == "person" and words[-1] in gaz.org_keywords and words[0] not in gaz.first_names:
        return "org", name
    if kind != "person" and len(words) >= 3 and is_title(words[0], gaz):
        return "person", " ".join(words[1:])
    return kind, name


def _looks_like_name(name: str) -> bool:
    """Reject what no recognizer should report: URLs, bylines, multi-line spans, numbers."""
    return (
        1 < len(name) <= 80
        and any(c.isupper() for c in name)
        and not re.search(r"[\n/|@#=<>{}]|\.(?:com|org|net|co|io|ru|uk)\b|\d{3}", name)
        and len(name.split()) <= 8
    )


def clean_name(raw: str) -> str:
    """``raw`` without a leading "the", a possessive, quotes or extra white space."""
    name = " ".join(raw.split()).strip(" \t\"'“”‘’«»()[],;:!?-–—")
    name = name if re.search(r"\b[A-Z]\.$", name) else name.rstrip(".")
    name = re.sub(r"^(?:the|The|THE)\s+", "", name)
    name = re.sub(r"['’]s?$", "", name) if re.search(r"\w['’]s?$", name) else name
    return name.strip()


def _ranked(names: Sequence[str]) -> list[str]:
    """Names by mentions, case- and accent-insensitively ("MOSCOW" in a dateline is
    "Moscow"), each shown in its most frequent form that is not all capitals."""
    forms: dict[str, Counter[str]] = {}
    first: dict[str, int] = {}
    for i, name in enumerate(names):
        forms.setdefault(_fold(name), Counter())[name] += 1
        first.setdefault(_fold(name), i)
    order = sorted(forms, key=lambda k: (-forms[k].total(), first[k]))
    return [max(forms[k], key=lambda f: (not f.isupper(), forms[k][f])) for k in order]


def _fold(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _merge_people(names: Sequence[str], singles: Iterable[str]) -> list[str]:
    """Group short and long forms of a name; rank groups by mentions."""
    keys = {n: tuple(_fold(w) for w in _words(n)) for n in names}
    groups: dict[Key, list[str]] = {}
    for name in sorted(set(names), key=lambda n: -len(keys[n])):
        owners = [g for g in groups if _same_person(keys[name], g)]
        groups.setdefault(owners[0] if len(owners) == 1 else keys[name], []).append(name)
    order = {n: i for i, n in reversed(list(enumerate(names)))}
    score = {g: sum(names.count(n) for n in members) for g, members in groups.items()}
    surnames: dict[str, list[Key]] = {}
    for g in groups:
        surnames.setdefault(g[-1], []).append(g)
    for single in singles:
        owners = surnames.get(_fold(single), [])
        if len(owners) == 1:
            score[owners[0]] += 1
    ranked = sorted(groups, key=lambda g: (-score[g], min(order[n] for n in groups[g])))
    return [_display(groups[g], names) for g in ranked]


def _same_person(short: Key, long: Key) -> bool:
    """Whether ``short`` names the same person as ``long`` ("Putin" / "Vladimir Putin")."""
    if not short or len(short) > len(long):
        return False
    if long[-len(short) :] == short:
        return True
    return len(short) >= 2 and short[0] == long[0] and short[-1] == long[-1]


def _display(members: list[str], names: Sequence[str]) -> str:
    longest = max(len(_words(m)) for m in members)
    full = [m for m in members if len(_words(m)) == longest]
    return max(full, key=lambda m: (names.count(m), -names.index(m)))
