"""Commitments and relations between entities, each with its sentence as evidence.

::

    for each sentence:
      actors  = capitalised runs that resolve (resolve.resolve, role="actor") to a country
                (or its government: "the Kremlin", "Moscow"), an organisation or a person;
                "the organization"/"the alliance" = the last organisation named before
      trigger = a typed pattern (below); subject = the nearest actor before it, objects = the
                actors its preposition governs ("with", "from", "to", "of"); "not"/"no"/"never"
                between the subject and the trigger make the polarity "denied"
      date    = an explicit date phrase in the sentence ("on Tuesday", "in March 2024")

    agreement   X signed / ratified / concluded / has / maintains ... agreement|pact|deal|treaty
                ... with Y (detail: "signed", "ratified", "signed and ratified")
    obligation  X is under (no) obligation to V Y  |  ... (does not) oblige X to V Y
                |  X is obliged / bound / committed to V Y
    request     X (has not) requested / asked for / sought help|aid|assistance ... from Y
                |  X appealed to Y for help
    membership  X is a member of Y  |  X joined Y  |  Y includes / comprises X1, X2 and X3
    threat      X threatened (to ...) Y
    refusal     X refused / declined / rejected / ruled out ... Y  |  X will not send ... Y

The evidence is always the sentence, sliced from the input (verbatim).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from newsbrief.pipeline.entities import clean_name, load_gazetteer
from newsbrief.pipeline.resolve import Resolved, fold, resolve
from newsbrief.pipeline.text import Span, sentence_spans
from newsbrief.records import Relation

RELATION_TYPES = ("agreement", "obligation", "request", "membership", "threat", "refusal")

_RUN = re.compile(r"[A-Z][\w’'.&-]*(?:(?:\s+(?:of|of the|for|de|del|al)\s+|\s+|-)[A-Z][\w’'.&-]*)*")
_ANAPHOR = re.compile(
    r"\b(?:the|this|that) (?:organi[sz]ation|alliance|bloc|union|group|association|coalition|"
    r"body|league)\b",
    re.I,
)
_ASPIRATION = re.compile(
    r"\b(?:want|hope|seek|aim|plan|tr(?:y|ies|ied)|appl(?:y|ies|ied)|bid)\w* to\b"
)
_NEG = re.compile(r"\b(?:not|no|never|nor|neither|without)\b|n['’]t\b", re.I)
_CLAUSE_END = re.compile(r"[;:]|\s[—–-]\s|\b(?:but|while|although|whereas|despite)\b")
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan\.|Feb\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)"
)
_DATE = re.compile(
    rf"\b(?:(?:on|last|this|next) (?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
    rf"|(?:on |in )?\d{{1,2}} {_MONTH}(?: \d{{4}})?|(?:on |in )?{_MONTH} \d{{1,2}}(?:, \d{{4}})?"
    rf"|in {_MONTH}(?: \d{{4}})?|in (?:19|20)\d\d|(?:[Ee]arlier |[Ll]ater )?(?:this|last) "
    rf"(?:week|month|year)|yesterday)\b"
)
_AGREEMENT_NOUN = (
    r"(?:agreements?|pacts?|deals?|treat(?:y|ies)|accords?|memorand(?:um|a)|arrangements?)"
)
_HELP = (
    r"(?:help|aid|assistance|support|protection|troops|intervention|weapons|arms|loans?|"
    r"funding|money|financing|credit|equipment|systems|boats|ships|aircraft|jets|vaccines|food)"
)


@dataclass(frozen=True)
class _Actor:
    start: int
    end: int
    entity: Resolved


@dataclass(frozen=True)
class _Hit:
    type: str
    subject: _Actor
    objects: tuple[_Actor, ...]
    polarity: str
    detail: str | None = None
    reverse: bool = False
    """The objects are the subjects ("the alliance includes X": X is a member)."""


def extract_relations(text: str, *, people: Sequence[str] = ()) -> tuple[Relation, ...]:
    """Typed relations between the entities of ``text``, deduplicated, in reading order.

    ``people`` are person names the entity recogniser found; other persons count only
    when named with a title or in mid-sentence.
    """
    out: list[Relation] = []
    seen: set[tuple[str, ...]] = set()
    last_org: Resolved | None = None
    for span in sentence_spans(text):
        actors = list(_actors(span.text, people, last_org))
        for hit in _hits(span.text, actors):
            for rel in _relations(hit, span):
                key = (
                    rel.type,
                    rel.subject_id or "",
                    rel.object_id or "",
                    rel.polarity,
                    rel.detail or "",
                )
                if key not in seen:
                    seen.add(key)
                    out.append(rel)
        orgs = [a.entity for a in actors if a.entity.kind == "org"]
        last_org = orgs[-1] if orgs else last_org
    return tuple(out)


def _relations(hit: _Hit, span: Span) -> Iterator[Relation]:
    date = _DATE.search(span.text)
    for other in hit.objects:
        subj, obj = (
            (other.entity, hit.subject.entity)
            if hit.reverse
            else (hit.subject.entity, other.entity)
        )
        if obj.id == subj.id:
            continue
        yield Relation(
            type=hit.type,
            subject=subj.name,
            object=obj.name,
            polarity="denied" if hit.polarity == "denied" else "affirmed",
            evidence=span.text,
            date=date.group() if date else None,
            subject_id=subj.id,
            object_id=obj.id,
            detail=hit.detail,
        )


# --- actors ----------------------------------------------------------------------------------


def _actors(sentence: str, people: Sequence[str], last_org: Resolved | None) -> Iterator[_Actor]:
    """Entity mentions of a sentence that can take part in a relation."""
    surnames: dict[str, Resolved | None] = {}
    for p in people:
        person = resolve(p, "person")
        if person is not None and person.name.split():
            key = fold(person.name.split()[-1])
            surnames[key] = person if key not in surnames else None  # ambiguous surname
    for m in _RUN.finditer(sentence):
        yield from _split_run(sentence, m.start(), m.end(), surnames)
    if last_org is not None:
        for m in _ANAPHOR.finditer(sentence):
            yield _Actor(m.start(), m.end(), last_org)


def _split_run(
    sentence: str, start: int, end: int, surnames: dict[str, Resolved | None]
) -> Iterator[_Actor]:
    """The longest resolvable pieces of one capitalised run, left to right."""
    words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", sentence[start:end])]
    i = 0
    while i < len(words):
        for j in range(len(words), i, -1):
            entity = _entity(sentence, words[i][0], words[j - 1][1], surnames)
            if entity is not None:
                yield _Actor(words[i][0], words[j - 1][1], entity)
                i = j
                break
        else:
            i += 1


def _entity(
    sentence: str, start: int, end: int, surnames: dict[str, Resolved | None]
) -> Resolved | None:
    surface = clean_name(sentence[start:end])
    if not surface or surface.split()[-1] in ("of", "for", "the"):
        return None
    entity = resolve(surface, "any", role="actor")
    if entity is None or entity.kind == "place":
        return None
    if entity.kind != "person":
        return entity
    known = surnames.get(fold(entity.name.split()[-1]))
    if known is not None:
        return known
    return entity if _plausible_person(sentence, start, surface) else None


def _plausible_person(sentence: str, start: int, surface: str) -> bool:
    gaz = load_gazetteer()
    words = surface.split()
    if words[0] in gaz.first_names:
        return True
    if any(w in gaz.titles for w in words[:-1]):
        return True
    initial = not sentence[:start].strip()
    return len(words) == 1 and not initial and words[0] not in gaz.not_names


# --- triggers --------------------------------------------------------------------------------


_Matcher = Callable[[str, re.Match[str], list[_Actor]], "_Hit | None"]


def _hits(sentence: str, actors: list[_Actor]) -> Iterator[_Hit]:
    if len(actors) < 2:
        return
    for pattern, matcher in _PATTERNS:
        for m in pattern.finditer(sentence):
            hit = matcher(sentence, m, actors)
            if hit is not None and hit.objects:
                yield hit


def _subject(sentence: str, at: int, actors: list[_Actor]) -> _Actor | None:
    """The nearest actor before ``at`` within its clause (skipping prepositional objects)."""
    before = [a for a in actors if a.end <= at]
    for actor in reversed(before):
        gap = sentence[actor.end : at]
        if _CLAUSE_END.search(gap):
            return None
        prep = sentence[max(0, actor.start - 6) : actor.start].lower()
        if not re.search(r"\b(?:with|from|to|of|on|against|for|by)\s+(?:the\s+)?$", prep):
            return actor
    return None


def _after(sentence: str, at: int, actors: list[_Actor], prep: str) -> tuple[_Actor, ...]:
    """Actors governed by ``prep`` after ``at``, through a coordinated list."""
    m = re.compile(rf"\b(?:{prep})\b").search(sentence, at)
    if m is None:
        return ()
    stop = _CLAUSE_END.search(sentence, m.end())
    end = stop.start() if stop else len(sentence)
    return tuple(a for a in actors if m.end() <= a.start < end)


def _polarity(sentence: str, subject: _Actor, at: int) -> str:
    return "denied" if _NEG.search(sentence[subject.end : at]) else "affirmed"


def _agreement(sentence: str, m: re.Match[str], actors: list[_Actor]) -> _Hit | None:
    subject = _subject(sentence, m.start(), actors)
    if subject is None:
        return None
    verbs = fold(m.group("verbs"))
    detail = " and ".join(
        d for d, stem in (("signed", "sign"), ("ratified", "ratif")) if stem in verbs
    )
    objects = _after(sentence, m.end("verbs"), actors, "with|between") or _partner(
        sentence, subject, actors
    )
    polarity = _polarity(sentence, subject, m.start())
    return _Hit("agreement", subject, objects, polarity, detail or None)


def _partner(sentence: str, subject: _Actor, actors: list[_Actor]) -> tuple[_Actor, ...]:
    """The partner coordinated just before the subject ("X and Y signed ...": X)."""
    before = [a for a in actors if a.end <= subject.start]
    if before and re.fullmatch(r"\s*(?:,|and|&)\s*", sentence[before[-1].end : subject.start]):
        return (before[-1],)
    return ()


def _obligation(sentence: str, m: re.Match[str], actors: list[_Actor]) -> _Hit | None:
    if m.group("obliges"):
        subject = next((a for a in actors if a.start >= m.end("obliges")), None)
        negated = bool(_NEG.search(sentence[max(0, m.start() - 20) : m.start("obliges")]))
    else:
        subject = _subject(sentence, m.start(), actors)
        negated = bool(_NEG.search(m.group())) or (
            subject is not None and _polarity(sentence, subject, m.start()) == "denied"
        )
    if subject is None:
        return None
    objects = tuple(a for a in actors if a.start > max(m.end(), subject.end))[:1]
    return _Hit("obligation", subject, objects, "denied" if negated else "affirmed")


def _request(sentence: str, m: re.Match[str], actors: list[_Actor]) -> _Hit | None:
    subject = _subject(sentence, m.start(), actors)
    if subject is None:
        return None
    objects = (
        tuple(a for a in actors if m.start() < a.start < m.end())[:1]
        or _after(sentence, m.start(), actors, "from|to|of")[:1]
    )
    return _Hit("request", subject, objects, _polarity(sentence, subject, m.start()))


def _membership(sentence: str, m: re.Match[str], actors: list[_Actor]) -> _Hit | None:
    if m.group("includes"):
        org = _subject(sentence, m.start(), actors)
        members = tuple(a for a in actors if a.start >= m.end() and a.entity.kind == "country")
        extra = tuple(
            a
            for a in actors
            if a.end <= m.start()
            and re.search(r"\bin addition to\b", sentence[: a.start], re.I)
            and a.entity.kind == "country"
        )
        if org is None or org.entity.kind != "org":
            return None
        return _Hit("membership", org, extra + members, "affirmed", "member", reverse=True)
    subject = _subject(sentence, m.start(), actors)
    orgs = tuple(a for a in actors if a.start >= m.end() and a.entity.kind == "org")[:1]
    if subject is None or not orgs or _ASPIRATION.search(sentence[subject.end : m.start()]):
        return None
    return _Hit("membership", subject, orgs, _polarity(sentence, subject, m.end()), "member")


def _threat_or_refusal(kind: str) -> _Matcher:
    def match(sentence: str, m: re.Match[str], actors: list[_Actor]) -> _Hit | None:
        subject = _subject(sentence, m.start(), actors)
        if subject is None:
            return None
        objects = tuple(a for a in actors if a.start >= m.end())[:1]
        return _Hit(kind, subject, objects, "affirmed")

    return match


_PATTERNS: tuple[tuple[re.Pattern[str], _Matcher], ...] = (
    (
        re.compile(
            r"(?P<verbs>\b(?:sign(?:s|ed|ing)?|ratif(?:y|ies|ied|ying)|conclud(?:e|es|ed|ing)|"
            r"agree[sd]?|ink(?:s|ed)?|reach(?:es|ed)?|seal(?:s|ed)?|renew(?:s|ed)?|"
            r"maintain(?:s|ed)?|has|have|had|struck|strikes?)"
            r"(?:\s+and\s+(?:sign|ratif)\w*)?)\b(?:\s+[^\s.;]+){0,8}?\s+" + _AGREEMENT_NOUN + r"\b",
            re.I,
        ),
        _agreement,
    ),
    (
        re.compile(
            r"\bunder (?:no|any|an?|the) (?:legal |formal )?obligation to\b|"
            r"\b(?:is|are|was|were|be|been|not|feels?) (?:legally |formally )?"
            r"(?:obliged|obligated|bound|committed) to\b|"
            r"\b(?P<obliges>oblig(?:e|es|ate|ates)|commit|commits|bind|binds|require|requires)\b"
            r"(?=\s+[\w’'. -]{1,40}?\s+to\s)",
            re.I,
        ),
        _obligation,
    ),
    (
        re.compile(
            rf"\b(?:request|ask|sought|seek|appeal|plead|call)\w*(?:\s+[\w’'.-]+){{0,5}}?\s+"
            rf"(?:for\s+)?(?:[\w-]+\s+)?{_HELP}\b|\b(?:ask|appeal|plead)\w*\s+(?:[^\s.;]+\s+){{0,5}}?for\b",
            re.I,
        ),
        _request,
    ),
    (
        re.compile(
            r"\b(?:is|are|was|were|became|become|remains?|not) (?:a |an )?(?:full |founding )?"
            r"members? (?:state |states )?of\b|\bjoin(?:s|ed)?\b|"
            r"\b(?P<includes>includes|included|comprises|comprised)\b",
            re.I,
        ),
        _membership,
    ),
    (re.compile(r"\bthreaten(?:s|ed)?\b", re.I), _threat_or_refusal("threat")),
    (
        re.compile(
            r"\b(?:refus|declin|reject|ruled out|rules out)\w*\b|"
            r"\b(?:will|would) not (?:send|provide|intervene|defend|supply|deploy|join|sign|"
            r"recogni[sz]e|extradite|support|help)\b|\bwon['’]t (?:send|provide|intervene|"
            r"defend|supply|deploy|join|sign|support|help)\b",
            re.I,
        ),
        _threat_or_refusal("refusal"),
    ),
)
