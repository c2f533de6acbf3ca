"""Entity mentions of one brief: what the store indexes to follow entities across articles.

::

    brief.entities   people, organizations, places          role "mention"
    statements       the speaker (its ``speaker_id``)        role "speaker"
    relations        subject and object (their ids)          role "subject" / "object"
      -> resolve.resolve each surface; a person's short form joins the full name it
         abbreviates and an acronym its organisation (resolve.resolve_entities)
    body text        each person's forms: "Vladimir Putin", "President Putin", "Putin"
                     (aliases), counted; in the sentences of statements and relations, the
                     forms that stand for the speaker, subject or object as an actor ("the
                     Kremlin", "Moscow" for Russia's government) are aliases too

The result is one :class:`ArticleEntities`: the article's entities (ids, canonical names,
aliases) and its :class:`Mention` rows. A mention keeps the id the brief itself uses
(``local_id``, e.g. a statement's ``speaker_id``) beside the article-level entity it stands
for, so that a store can map the brief's statements and relations to entities later, even
after merging entities across articles.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

from newsbrief.pipeline.entities import clean_name, load_gazetteer
from newsbrief.pipeline.resolve import (
    Resolved,
    ResolvedEntity,
    fold,
    person_name,
    resolve,
    resolve_entities,
)
from newsbrief.records import Brief

MentionRole = Literal["mention", "speaker", "subject", "object"]
ROLES: tuple[MentionRole, ...] = ("mention", "speaker", "subject", "object")

_RUN = re.compile(r"(?:\b[Tt]he\s+)?[A-Z][\w’'.&-]*(?:\s+(?:of\s+)?[A-Z][\w’'.&-]*)*")
_STATE_NOUN = re.compile(r"\s+(?:government|officials|authorities|leadership|diplomats)\b")
_BEFORE = re.compile(r"((?:[A-Z][\w.'’-]*\s+){1,4})$")
_LOCATIVE = re.compile(r"\b(?:in|at|near|outside|inside|around|across|within|to|from)\s+$", re.I)


@dataclass(frozen=True)
class Mention:
    """How an article mentions one entity in one role."""

    local_id: str
    """The id the brief uses for it (``speaker_id``, ``subject_id``...), else the entity's."""
    entity_id: str
    """The article-level entity (a short name already joined to the full one)."""
    role: MentionRole
    count: int


@dataclass(frozen=True)
class ArticleEntities:
    """The entities of one article and its mentions of them."""

    entities: tuple[ResolvedEntity, ...]
    mentions: tuple[Mention, ...]


@dataclass(frozen=True)
class _Item:
    surface: str
    resolved: Resolved
    role: MentionRole
    local_id: str


def article_entities(brief: Brief, text: str) -> ArticleEntities:
    """The entities of an article (its brief and body) with their aliases and mentions."""
    items = list(_items(brief))
    canon = _canonical(items)
    entities: dict[str, tuple[Resolved, list[str]]] = {}
    counts: Counter[tuple[str, str, MentionRole]] = Counter()
    for item in items:
        final = canon.get(item.resolved.id, item.resolved)
        _add_alias(entities.setdefault(final.id, (final, []))[1], item.surface)
        local = final.id if item.role == "mention" else item.local_id
        counts[(local, final.id, item.role)] += 1
    people = [r for r, _ in entities.values() if r.kind == "person"]
    for r, aliases in entities.values():
        forms = _person_forms(r, people, text) if r.kind == "person" else []
        for form in forms:
            _add_alias(aliases, form)
        if (r.id, r.id, "mention") in counts:
            counts[(r.id, r.id, "mention")] = max(1, len(forms) or _occurrences(aliases, text))
    for alias, entity_id in _actor_forms(brief):
        if entity_id in entities:
            _add_alias(entities[entity_id][1], alias)
    return ArticleEntities(
        entities=tuple(
            ResolvedEntity(r.id, r.name, r.kind, tuple(a)) for r, a in entities.values()
        ),
        mentions=tuple(Mention(lo, eid, role, n) for (lo, eid, role), n in counts.items()),
    )


def _items(brief: Brief) -> Iterator[_Item]:
    """Every resolvable mention of the brief, in its role."""
    kinds = (("person", brief.entities.people), ("org", brief.entities.organizations))
    for kind, names in (*kinds, ("place", brief.entities.places)):
        for name in names:
            yield from _item(name, kind, "mention", None)
    for s in brief.statements:
        yield from _item(s.speaker, "any", "speaker", s.speaker_id)
    for r in brief.relations:
        yield from _item(r.subject, "any", "subject", r.subject_id)
        yield from _item(r.object, "any", "object", r.object_id)


def _item(surface: str, kind: str, role: MentionRole, given: str | None) -> Iterator[_Item]:
    if role != "mention" and not given:
        return  # an unnamed speaker ("a spokeswoman") is no entity
    if given and given.startswith("person:"):
        kind = "person"
    resolved = resolve(surface, kind, role="any" if role == "mention" else "actor")
    if given and (resolved is None or resolved.id != given):
        kind_name = given.split(":", 1)[0]
        name = clean_name(surface) or given
        resolved = Resolved(given, name, kind_name)  # type: ignore[arg-type]
    if resolved is not None:
        yield _Item(clean_name(surface), resolved, role, given or resolved.id)


def _canonical(items: Sequence[_Item]) -> dict[str, Resolved]:
    """Id -> the article-level entity: a person's short form -> its full name, an acronym ->
    its spelled-out organisation."""
    pairs = [(i.surface, i.resolved.kind) for i in items if i.resolved.kind in ("person", "org")]
    out: dict[str, Resolved] = {}
    for e in resolve_entities(pairs):
        final = Resolved(e.id, e.name, e.kind)
        for alias in e.aliases:
            r = resolve(alias, e.kind)
            if r is not None and r.id != e.id:
                out[r.id] = final
    return out


def _add_alias(aliases: list[str], form: str) -> None:
    if form and all(fold(a) != fold(form) for a in aliases):
        aliases.append(form)


# --- surface forms in the text ---------------------------------------------------------------


def _person_forms(person: Resolved, people: Sequence[Resolved], text: str) -> list[str]:
    """Each occurrence of a person in ``text``, as a name: full, titled or bare surname.

    A surname shared with another person of the article counts only in full forms.
    """
    words = person.name.split()
    surname = words[-1]
    shared = any(p.id != person.id and p.name.split()[-1] == surname for p in people)
    out: list[str] = []
    for m in re.finditer(rf"(?<![\w-]){re.escape(surname)}(?![\w-])", text):
        before = _BEFORE.search(text[max(0, m.start() - 80) : m.start()])
        prior = before.group(1).split() if before else []
        if len(words) > 1 and prior[-(len(words) - 1) :] == words[:-1]:
            out.append(person.name)
        elif len(words) == 1 or not shared:
            out.append(" ".join([*_titles(prior), surname]))
    return out


def _titles(prior: list[str]) -> list[str]:
    """The title words just before a name ("Foreign Minister"), without a demonym."""
    titles: list[str] = []
    for word in reversed(prior):
        if not _is_title(word):
            break
        titles.insert(0, word)
    while titles and fold(titles[0]) in _demonyms():
        titles.pop(0)
    return titles


def _is_title(word: str) -> bool:
    gaz = load_gazetteer()
    if word in gaz.titles or f"{word}." in gaz.titles or fold(word) in _demonyms():
        return True
    return person_name(f"{word} Zed") == "Zed" and word[0].isupper()


@lru_cache(maxsize=1)
def _demonyms() -> frozenset[str]:
    raw = resources.files("newsbrief").joinpath("data/gazetteer.json").read_text("utf-8")
    return frozenset(fold(d) for c in json.loads(raw)["countries"] for d in c["demonyms"])


def _occurrences(aliases: Sequence[str], text: str) -> int:
    return sum(len(re.findall(rf"(?<![\w-]){re.escape(a)}(?![\w-])", text)) for a in aliases if a)


def _actor_forms(brief: Brief) -> Iterator[tuple[str, str]]:
    """(surface, entity id) for names that stand for a speaker, subject or object as an
    actor in its sentence ("the Kremlin said", "Moscow would not send troops")."""
    for s in brief.statements:
        if s.speaker_id and not s.speaker_id.startswith("person:"):
            yield from _actors_in(s.sentence, {s.speaker_id})
    for r in brief.relations:
        ids = {i for i in (r.subject_id, r.object_id) if i and not i.startswith("person:")}
        yield from _actors_in(r.evidence, ids)


def _actors_in(sentence: str, ids: set[str]) -> Iterator[tuple[str, str]]:
    if not ids:
        return
    for m in _RUN.finditer(sentence):
        run = m.group()
        if _LOCATIVE.search(sentence[max(0, m.start() - 12) : m.start()]):
            continue  # "officials in Yerevan": a place, not the actor
        noun = _STATE_NOUN.match(sentence, m.end())
        for surface in ([run + noun.group()] if noun else []) + [run]:
            found = resolve(surface, "any", role="actor")
            if found is not None and found.id in ids:
                yield clean_name(surface), found.id
                break
