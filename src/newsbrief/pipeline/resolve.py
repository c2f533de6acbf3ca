"""Entity resolution: mentions -> one stable id per real-world entity, with aliases.

::

    mention --clean--> "the Kremlin's" -> "Kremlin"
            --rules--> seat of government ("Kremlin", "White House")  -> the country
                       demonym + state noun ("Russian officials")       -> the country
                       capital, when it acts ("Moscow said")            -> the country
                       gazetteer (country aliases, organisations)       -> canonical name
                       person titles stripped ("President Putin")       -> "Putin"
            --merge--> short and long forms of a person ("Putin" ~ "Vladimir Putin"),
                       an acronym and its spelled-out organisation

A state and its government are one entity (``country:russia``): "Russia", "the Kremlin",
"Moscow" (as an actor) and "the Russian government" all resolve to it. Ids are
``<kind>:<slug>`` and depend only on the canonical name, so they are stable across runs
and articles; a person named only by surname gets a full-name id once a full form is seen
in the same batch of mentions.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

from newsbrief.pipeline.entities import clean_name, load_gazetteer

EntityKind = Literal["person", "org", "country", "place", "group"]
Role = Literal["actor", "any"]

# Seats and symbols of government, as used metonymically in news prose.
_SEATS: dict[str, str] = {
    "kremlin": "Russia",
    "white house": "United States",
    "downing street": "United Kingdom",
    "number 10": "United Kingdom",
    "whitehall": "United Kingdom",
    "elysee": "France",
    "elysee palace": "France",
    "quai d'orsay": "France",
    "zhongnanhai": "China",
    "blue house": "South Korea",
    "foggy bottom": "United States",
    "capitol hill": "United States",
    "chancellery": "Germany",
    "kantei": "Japan",
}
# Nouns that, after a demonym ("Russian officials"), stand for the state itself.
_STATE_WORDS = """government governments officials official authorities authority leadership
    diplomats side state administration leaders regime"""
_STATE_NOUNS = frozenset(_STATE_WORDS.split())
_OF_STATE = re.compile(r"^(?:the\s+)?(?:government|authorities|leadership)\s+of\s+(.+)$", re.I)
_POSSESSIVE_STATE = re.compile(r"^(.+?)['’]s?\s+(government|leadership|authorities)$", re.I)
# Words that qualify a title without being part of a name ("Foreign Minister").
_TITLE_TEXT = """former acting interim deputy vice prime foreign defence defense finance interior
    health economy trade state home justice energy education labour labor first chief senior top
    president-elect then incoming outgoing the"""
_TITLE_WORDS = frozenset(_TITLE_TEXT.split())
_PARTICLE_TEXT = "de del della da di van von der den bin al la le du dos das ibn"
_PARTICLES = frozenset(_PARTICLE_TEXT.split())
_TOKEN = re.compile(r"[^\W\d_][\w'’.-]*|\d+")


@dataclass(frozen=True)
class Resolved:
    """What one mention stands for."""

    id: str
    """``<kind>:<slug>``, e.g. ``country:russia``, ``person:sergei-lavrov``."""
    name: str
    """The canonical display name."""
    kind: EntityKind


@dataclass(frozen=True)
class ResolvedEntity:
    """One real-world entity with every surface form it was mentioned by."""

    id: str
    name: str
    kind: EntityKind
    aliases: tuple[str, ...]
    """Surface forms (cleaned), first seen first; includes ``name`` when it was mentioned."""


@dataclass(frozen=True)
class _Tables:
    countries: dict[str, str]
    """Folded country name or alias -> canonical country name."""
    capitals: dict[str, str]
    demonyms: dict[str, str]
    orgs: dict[str, str]
    places: dict[str, str]
    titles: frozenset[str]


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Accent- and case-insensitive form with typographic apostrophes made plain."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold().strip()


def slug(name: str) -> str:
    """``"Nicolás Maduro"`` -> ``"nicolas-maduro"``."""
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-") or "x"


def entity_id(name: str, kind: str) -> str:
    """The stable id of an entity: ``<kind>:<slug of the canonical name>``."""
    return f"{kind}:{slug(name)}"


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    raw = resources.files("newsbrief").joinpath("data/gazetteer.json").read_text("utf-8")
    return _compile(json.loads(raw))


def _compile(data: dict[str, Any]) -> _Tables:
    countries: dict[str, str] = {}
    capitals: dict[str, str] = {}
    demonyms: dict[str, str] = {}
    for c in data["countries"]:
        for form in (c["name"], *c["aliases"]):
            countries.setdefault(fold(form), c["name"])
            if form.startswith("The "):
                countries.setdefault(fold(form[4:]), c["name"])
        capitals.setdefault(fold(c["capital"]), c["name"])
        for d in c["demonyms"]:
            demonyms.setdefault(fold(d), c["name"])
    orgs = {fold(f): o["name"] for o in data["organizations"] for f in (o["name"], *o["aliases"])}
    places = {
        fold(f): p["name"]
        for group in ("cities", "regions")
        for p in data[group]
        for f in (p["name"], *p["aliases"])
    }
    titles = frozenset(fold(t).rstrip(".") for t in data["person_titles"]) | _TITLE_WORDS
    return _Tables(countries, capitals, demonyms, orgs, places, titles)


@lru_cache(maxsize=65536)
def resolve(mention: str, kind: str = "any", *, role: Role = "any") -> Resolved | None:
    """What ``mention`` stands for, or ``None`` when it is not a name.

    ``kind`` is the recogniser's guess (``person``, ``org``, ``place``, ``any``); the
    gazetteer and the rules above override it. With ``role="actor"`` (a speaker, the
    subject of an agreement), a capital city stands for its country's government.
    """
    name = clean_name(mention)
    if not name:
        return None
    tables = _tables()
    state = _state(name, tables, role if kind != "place" else "any")
    if state is not None:
        return Resolved(entity_id(state, "country"), state, "country")
    key = fold(name)
    if key in tables.orgs:
        return Resolved(entity_id(tables.orgs[key], "org"), tables.orgs[key], "org")
    if key in tables.places or key in tables.capitals:
        canonical = tables.places.get(key) or name
        return Resolved(entity_id(canonical, "place"), canonical, "place")
    if kind == "any" and _org_like(name):
        kind = "org"
    if kind == "person" or (kind == "any" and _person_like(name)):
        person = person_name(name)
        return Resolved(entity_id(person, "person"), person, "person") if person else None
    if kind in ("org", "place", "group"):
        return Resolved(entity_id(name, kind), name, kind)  # type: ignore[arg-type]
    return None


def _state(name: str, tables: _Tables, role: Role) -> str | None:
    """The country a mention stands for as a state, if it does."""
    key = fold(name)
    if key in tables.countries:
        return tables.countries[key]
    if key in _SEATS:
        return _SEATS[key]
    if role == "actor" and key in tables.capitals:
        return tables.capitals[key]
    words = key.split()
    if len(words) == 2 and words[0] in tables.demonyms and words[1] in _STATE_NOUNS:
        return tables.demonyms[words[0]]
    for pattern in (_OF_STATE, _POSSESSIVE_STATE):
        m = pattern.match(name)
        if m:
            inner = fold(m.group(1))
            return tables.countries.get(inner) or (
                tables.capitals.get(inner) if role == "actor" else None
            )
    return None


def person_name(mention: str) -> str:
    """A person's name without titles.

    "Russian Foreign Minister Sergei Lavrov" -> "Sergei Lavrov"; "" when no name is left.
    """
    tables = _tables()
    words = _TOKEN.findall(clean_name(mention))
    last_title = -1
    for i, w in enumerate(words):
        key = fold(w).rstrip(".")
        lower = not w[0].isupper() and key not in _PARTICLES
        if key in tables.titles or key in tables.demonyms or lower:
            last_title = i
    return " ".join(words[last_title + 1 :])


def _org_like(name: str) -> bool:
    keywords = load_gazetteer().org_keywords
    return any(w in keywords for w in name.split())


def _person_like(name: str) -> bool:
    if re.search(r"\s(?:of|for|and|the|in|at)\s", name):
        return False
    words = person_name(name).split()
    return 1 <= len(words) <= 5 and all(w[0].isupper() for w in words if len(w) > 3)


def resolve_entities(
    mentions: Iterable[tuple[str, str]], *, role: Role = "any"
) -> list[ResolvedEntity]:
    """Group ``(surface, kind)`` mentions into entities: one id per real-world entity.

    People's short forms join the unique full name they abbreviate ("Putin" joins
    "Vladimir Putin"; when two full names share the surname, it stays apart); an
    organisation's acronym joins its spelled-out name ("PAL" joins "Port Authority of
    Lindmoor"). Entities come in order of first mention.
    """
    items = [(m, resolve(m, k, role=role)) for m, k in mentions]
    found = [(clean_name(m), r) for m, r in items if r is not None]
    canon = _merge_people([r for _, r in found if r.kind == "person"])
    canon.update(_merge_acronyms([r for _, r in found if r.kind == "org"]))
    entities: dict[str, tuple[Resolved, list[str]]] = {}
    for surface, r in found:
        final = canon.get(r.id, r)
        aliases = entities.setdefault(final.id, (final, []))[1]
        if surface not in aliases:
            aliases.append(surface)
    return [ResolvedEntity(r.id, r.name, r.kind, tuple(a)) for r, a in entities.values()]


def alias_table(entities: Iterable[ResolvedEntity]) -> dict[str, Resolved]:
    """Folded alias -> the entity it names, for looking mentions up."""
    return {fold(alias): Resolved(e.id, e.name, e.kind) for e in entities for alias in e.aliases}


def _merge_people(people: Sequence[Resolved]) -> dict[str, Resolved]:
    """Map each short-form person id to the full-name person it abbreviates."""
    full = {p.id: p for p in people if len(p.name.split()) >= 2}
    out: dict[str, Resolved] = {}
    for p in people:
        words = [fold(w) for w in p.name.split()]
        owners = {
            f.id: f
            for f in full.values()
            if f.id != p.id and _abbreviates(words, [fold(w) for w in f.name.split()])
        }
        if len(owners) == 1:
            out[p.id] = next(iter(owners.values()))
    return out


def _abbreviates(short: list[str], long: list[str]) -> bool:
    if not short or len(short) >= len(long):
        return False
    if long[-len(short) :] == short:
        return True
    return len(short) >= 2 and short[0] == long[0] and short[-1] == long[-1]


def _merge_acronyms(orgs: Sequence[Resolved]) -> dict[str, Resolved]:
    """Map an acronym org id to the spelled-out org whose initials it is."""
    initials = {
        "".join(w[0] for w in o.name.split() if w[0].isupper()): o
        for o in orgs
        if len(o.name.split()) >= 2
    }
    return {
        o.id: initials[o.name]
        for o in orgs
        if o.name.isupper() and o.name in initials and initials[o.name].id != o.id
    }
