"""Story briefs: one brief for a group of stored articles about the same event.

:func:`build_story` is a pure function of the story's articles (no clock, no store)::

    members, oldest first (dated_at, then ingest order)
      -> copy groups      wire copies (``duplicate_of``, or the same text fingerprint) count once;
                          each group is represented by its original
      -> title            the representative title: the news headline most like what the other
                          articles say (ties go to the earliest)
      -> summary          a multi-document summary of the originals, oldest first, 3-4 sentences
                          within a word budget, each verbatim from one article; with a
                          ``summariser`` (an LLM), its abstractive summary of the same articles
                          instead, when every name, number and quoted string in it is found in
                          them (else the extractive one, with the reason recorded)
      -> quotes           2-3 passages from different outlets/articles where possible, each
                          verbatim from its own article (its brief's quotes first), never two
                          copies of one text and never a summary sentence unless nothing else
      -> outlets          every outlet with its article count; copies are counted and marked
      -> timeline         one entry per development: articles of one day with similar headlines
                          or leads collapse into the first one; a re-run headline on a later day
                          does too
      -> entities         merged from the originals' briefs, by how many articles mention them
      -> who said what    the originals' statements, once each, with outlet, link and date
      -> commitments      the originals' relations, once each, with evidence, date and outlet

Opinion pieces are kept (listed, and their outlets in ``opinion_sources``) but the title,
summary and timeline come from news articles when the story has any (an opinion piece is not a
development), and their passages are quoted only when the news articles leave room.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace

from newsbrief.pipeline.llm_summary import SummaryDecision, summarise_story
from newsbrief.pipeline.quotes import select_quotes
from newsbrief.pipeline.resolve import alias_table, fold, resolve_entities
from newsbrief.pipeline.summarize import summarize_many
from newsbrief.pipeline.text import count_words, normalize, sentence_spans, tokens
from newsbrief.ports import Summariser
from newsbrief.records import (
    Entities,
    OutletCount,
    Story,
    StoryArticle,
    StoryQuote,
    StoryRelation,
    StoryStatement,
    TimelineEntry,
)
from newsbrief.storage_records import StoredArticle

MultiSummarizer = Callable[[Sequence[str], int], list[str]]
"""``(docs oldest first, n) -> sentences``, e.g. :func:`summarize_many`."""

MAX_SUMMARY_SENTENCES = 4
MAX_SUMMARY_WORDS = 100
MAX_QUOTES = 3
MAX_SUMMARY_DOCS = 16
"""Larger stories are summarised from this many originals, spread evenly over time."""
SAME_DAY_TITLE = 0.5
"""Headline similarity above which two articles of one day report the same development."""
SAME_DAY_LEAD = 0.6
"""Lead similarity above which two articles of one day report the same development."""
RERUN_TITLE = 0.8
"""Headline similarity above which a later day's article repeats an earlier development."""
_REDUNDANT = 0.5
_FUNCTION_TEXT = """
a an the of to in on at by for from with as and or but is are was were be been has have had it
its this that these those he she they his her their not no will would can could said says after
over into about than more new
"""
_FUNCTION_WORDS = frozenset(_FUNCTION_TEXT.split())


@dataclass
class _Development:
    first: StoredArticle
    titles: list[Counter[str]] = field(default_factory=list)
    leads: list[Counter[str]] = field(default_factory=list)
    count: int = 1


def build_story(
    story_id: str,
    members: Sequence[StoredArticle],
    *,
    summarize: MultiSummarizer = summarize_many,
    summariser: Summariser | None = None,
) -> Story:
    """The brief of the story made of ``members`` (its stored articles, in any order).

    Wire copies are listed and credited to their outlets but count once: only each copy
    group's original is summarised, quoted, put on the timeline and counted for entities.
    With ``summariser`` (an LLM backend), the summary may be abstractive: see
    :func:`llm_summary.summarise_story`; the quotes are the same either way.
    """
    if not members:
        raise ValueError(f"story {story_id} has no articles")
    ordered = sorted(members, key=lambda m: (m.dated_at, m.seq, m.id))
    copy_of = _copy_of(ordered)
    originals = [m for m in ordered if m.id not in copy_of]
    voices = [m for m in originals if m.brief.genre == "news"] or originals
    summary = _summary(voices, summarize)
    title = _title(voices)
    decision = _abstractive(voices, summary, title, summariser) if summariser else None
    return Story(
        id=story_id,
        title=title,
        summary=decision.text if decision else " ".join(summary),
        quotes=_quotes(voices, originals, summary),
        articles=tuple(_article(m, copy_of.get(m.id)) for m in ordered),
        outlets=_outlets(ordered, copy_of),
        first_seen=ordered[0].dated_at,
        last_updated=max(m.dated_at for m in ordered),
        timeline=_timeline(voices),
        entities=_entities(originals),
        opinion_sources=_unique(_outlet_name(m) for m in ordered if m.brief.genre == "opinion"),
        who_said_what=_statements(originals),
        commitments=_commitments(originals),
        summary_method=decision.method if decision else "extractive",
        summary_model=decision.model if decision else None,
        prompt_version=decision.prompt_version if decision else None,
        summary_fallback_reason=decision.fallback_reason if decision else None,
    )


# -- copies ----------------------------------------------------------------------------------


def _copy_of(ordered: Sequence[StoredArticle]) -> dict[str, str]:
    """Copy id -> id of the group's original, for every member that copies another.

    Groups join ``duplicate_of`` links and equal text fingerprints; a group's original is its
    earliest member that is not marked as a copy (else its earliest member).
    """
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    first_with: dict[str, str] = {}
    for m in ordered:
        links = [m.duplicate_of] if m.duplicate_of else []
        if m.text.strip():
            links.append(first_with.setdefault(m.fingerprint, m.id))
        for other in links:
            a, b = root(m.id), root(other)
            if a != b:
                parent[a] = b
    groups: dict[str, list[StoredArticle]] = {}
    for m in ordered:
        groups.setdefault(root(m.id), []).append(m)
    out: dict[str, str] = {}
    for group in groups.values():
        original = next((m for m in group if not m.duplicate_of), group[0])
        out.update({m.id: original.id for m in group if m is not original})
    return out


# -- title and summary -----------------------------------------------------------------------


def _title(voices: Sequence[StoredArticle]) -> str | None:
    """The headline closest to what the other articles say (title and lead); ties: earliest."""
    titled = [m for m in voices if m.title]
    if not titled:
        return None
    if len(titled) == 1:
        return titled[0].title
    docs = [_bag(f"{m.title or ''} {_lead(m)}") for m in voices]

    def fit(i: int) -> tuple[float, int]:
        own = _bag(titled[i].title or "")
        others = [d for m, d in zip(voices, docs, strict=True) if m is not titled[i]]
        return sum(_cosine(own, d) for d in others) / len(others), -i

    return titled[max(range(len(titled)), key=fit)].title


def _summary(voices: Sequence[StoredArticle], summarize: MultiSummarizer) -> list[str]:
    """3-4 verbatim sentences from the originals (oldest first) within the word budget."""
    docs = [m.text or m.brief.summary for m in _spread(voices, MAX_SUMMARY_DOCS)]
    docs = [d for d in docs if d.strip()]
    if not docs:
        return []
    sentences: list[str] = []
    for n in range(MAX_SUMMARY_SENTENCES, 0, -1):
        sentences = [s for s in summarize(docs, n) if any(s in d for d in docs)]
        if sum(count_words(s) for s in sentences) <= MAX_SUMMARY_WORDS or n <= 3:
            break
    return sentences


def _abstractive(
    voices: Sequence[StoredArticle],
    extractive: Sequence[str],
    title: str | None,
    summariser: Summariser,
) -> SummaryDecision | None:
    """The LLM's summary of the same articles as the extractive one (oldest first), checked
    against all of them and the title; None when no article has text to send."""
    docs = [m.text for m in _spread(voices, MAX_SUMMARY_DOCS) if m.text.strip()]
    if not docs:
        return None
    languages = {m.brief.language for m in voices}
    language = languages.pop() if len(languages) == 1 else None
    return summarise_story(docs, extractive, summariser=summariser, title=title, language=language)


def _spread(items: Sequence[StoredArticle], limit: int) -> list[StoredArticle]:
    """At most ``limit`` items, evenly spaced (the first and the last always kept)."""
    if len(items) <= limit:
        return list(items)
    step = (len(items) - 1) / (limit - 1)
    return [items[round(i * step)] for i in range(limit)]


# -- quotes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    article: StoredArticle
    text: str


def _quotes(
    voices: Sequence[StoredArticle], originals: Sequence[StoredArticle], summary: Sequence[str]
) -> tuple[StoryQuote, ...]:
    """2-3 passages, each verbatim from its own article, spread over outlets and articles.

    Articles are tried earliest first, then the latest, then the rest in time order; each
    article's brief quotes come before passages picked afresh from its text, and opinion
    pieces (originals that are not ``voices``) are drawn on only while fewer than 2 passages
    were found. A passage equal to (or inside) an already chosen one is never taken; one that
    repeats a summary sentence only when nothing else is left.
    """
    voice_ids = {m.id for m in voices}
    rest = [m for m in originals if m.id not in voice_ids]
    pool: list[_Candidate] = []
    chosen: list[_Candidate] = []
    for group, fresh in ((voices, False), (voices, True), (rest, False), (rest, True)):
        pool += [c for m in _quote_order(group) for c in _candidates(m, fresh, summary)]
        chosen = _choose(pool, summary)
        if len(chosen) >= 2:
            break
    order = {m.id: i for i, m in enumerate(originals)}
    chosen.sort(key=lambda c: (order[c.article.id], c.article.text.find(c.text)))
    return tuple(
        StoryQuote(c.text, _outlet_name(c.article), c.article.url, c.article.id) for c in chosen
    )


def _quote_order(articles: Sequence[StoredArticle]) -> list[StoredArticle]:
    if len(articles) < 3:
        return list(articles)
    return [articles[0], articles[-1], *articles[1:-1]]


def _candidates(m: StoredArticle, fresh: bool, summary: Sequence[str]) -> list[_Candidate]:
    """The brief's quotes still found in the text; with ``fresh``, passages picked anew."""
    if fresh:
        return [_Candidate(m, q) for q in select_quotes(m.text, k=MAX_QUOTES, exclude=summary)]
    return [_Candidate(m, q) for q in m.brief.quotes if q.strip() and q in m.text]


def _choose(pool: Sequence[_Candidate], summary: Sequence[str]) -> list[_Candidate]:
    """Greedy: new outlets first, then new articles, then any article; summary avoided first."""
    chosen: list[_Candidate] = []
    avoid = [_bag(s) for s in summary]
    for avoid_summary in (True, False):
        for spread in ("outlet", "article", "any"):
            for c in pool:
                if len(chosen) >= MAX_QUOTES:
                    return chosen
                if _fits(c, chosen, spread, avoid if avoid_summary else []):
                    chosen.append(c)
    return chosen


def _fits(
    c: _Candidate, chosen: Sequence[_Candidate], spread: str, avoid: Sequence[Counter[str]]
) -> bool:
    if spread == "outlet" and any(_outlet_key(c.article) == _outlet_key(o.article) for o in chosen):
        return False
    if spread == "article" and any(c.article.id == o.article.id for o in chosen):
        return False
    key, bag = normalize(c.text), _bag(c.text)
    for o in chosen:
        other = normalize(o.text)
        if key in other or other in key or _cosine(bag, _bag(o.text)) > _REDUNDANT:
            return False
    return not any(_cosine(bag, s) > _REDUNDANT for s in avoid)


# -- outlets, articles, timeline -------------------------------------------------------------


def _outlet_key(m: StoredArticle) -> str:
    return (m.source_domain or "").lower() or normalize(m.source_name or "")


def _outlet_name(m: StoredArticle) -> str | None:
    return m.source_name or m.source_domain or m.brief.source.name


def _outlets(ordered: Sequence[StoredArticle], copy_of: dict[str, str]) -> tuple[OutletCount, ...]:
    """Every outlet with its articles (copies included and counted apart), most first."""
    by_key: dict[str, list[StoredArticle]] = {}
    for m in ordered:
        by_key.setdefault(_outlet_key(m), []).append(m)
    out = []
    for group in by_key.values():
        names = Counter(m.source_name for m in group if m.source_name)
        name = names.most_common(1)[0][0] if names else None
        domain = next((m.source_domain for m in group if m.source_domain), None)
        copies = sum(1 for m in group if m.id in copy_of)
        out.append(OutletCount(name, domain, len(group), copies))
    return tuple(sorted(out, key=lambda o: -o.count))


def _article(m: StoredArticle, original: str | None) -> StoryArticle:
    return StoryArticle(
        id=m.id,
        title=m.title,
        source=_outlet_name(m),
        published=m.published,
        url=m.url,
        genre=m.brief.genre,
        duplicate_of=m.duplicate_of or original,
        domain=m.source_domain,
        dated_at=m.dated_at,
    )


def _timeline(voices: Sequence[StoredArticle]) -> tuple[TimelineEntry, ...]:
    """One entry per development, oldest first (see the module docstring)."""
    found: list[_Development] = []
    for m in voices:
        title, lead = _bag(m.title or ""), _bag(_lead(m))
        same = next((d for d in found if _same_development(d, m, title, lead)), None)
        if same is None:
            same = _Development(m)
            found.append(same)
        else:
            same.count += 1
        same.titles.append(title)
        same.leads.append(lead)
    return tuple(
        TimelineEntry(
            d.first.dated_at.isoformat(),
            d.first.title,
            _outlet_name(d.first),
            d.first.url,
            d.first.id,
            d.count,
        )
        for d in found
    )


def _same_development(
    d: _Development, m: StoredArticle, title: Counter[str], lead: Counter[str]
) -> bool:
    titles = max((_cosine(title, t) for t in d.titles), default=0.0)
    if d.first.dated_at.date() != m.dated_at.date():
        return titles > RERUN_TITLE
    leads = max((_cosine(lead, t) for t in d.leads), default=0.0)
    return titles > SAME_DAY_TITLE or leads > SAME_DAY_LEAD


# -- entities, statements, commitments -------------------------------------------------------


_KINDS = ("people", "organizations", "places")


def _entities(originals: Sequence[StoredArticle]) -> Entities:
    """Each kind merged case- and accent-insensitively, by how many articles mention it. A
    name that articles file under different kinds ("Portmere" a place in one, an
    organisation in another) is listed once, under the kind most of them give it (on a
    tie: people, then organisations, then places)."""
    votes: Counter[tuple[str, str]] = Counter()
    for m in originals:
        for kind in _KINDS:
            votes.update({(normalize(n), kind) for n in getattr(m.brief.entities, kind)})
    best: dict[str, str] = {}
    for (key, kind), _ in sorted(votes.items(), key=lambda kv: (-kv[1], _KINDS.index(kv[0][1]))):
        best.setdefault(key, kind)
    return Entities(
        *(
            _rank_names(
                [n for n in getattr(m.brief.entities, kind) if best.get(normalize(n)) == kind]
                for m in originals
            )
            for kind in _KINDS
        )
    )


def _rank_names(per_article: Iterable[Sequence[str]]) -> tuple[str, ...]:
    articles: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    first: dict[str, int] = {}
    for names in per_article:
        keys = {normalize(n): n for n in names if normalize(n)}
        for key, name in keys.items():
            articles[key] += 1
            forms.setdefault(key, Counter())[name] += 1
            first.setdefault(key, len(first))
    ranked = sorted(articles, key=lambda k: (-articles[k], first[k]))
    return tuple(forms[k].most_common(1)[0][0] for k in ranked)


def _statements(originals: Sequence[StoredArticle]) -> tuple[StoryStatement, ...]:
    """Each statement once (the first article reporting it), with its outlet and link.

    A person named by surname in one article ("President Putin") and in full in another is
    one speaker: the short form takes the full name and id when only one full name fits.
    """
    seen: dict[str, StoryStatement] = {}
    for m in originals:
        for s in m.brief.statements:
            seen.setdefault(
                normalize(s.text),
                StoryStatement(
                    **asdict(s),
                    source=_outlet_name(m),
                    url=m.url,
                    article_id=m.id,
                    date=m.dated_at.isoformat(),
                ),
            )
    people = [(s.speaker, "person") for s in seen.values() if _is_person(s.speaker_id)]
    table = alias_table(resolve_entities(people))
    out = []
    for s in seen.values():
        full = table.get(fold(s.speaker)) if _is_person(s.speaker_id) else None
        out.append(replace(s, speaker=full.name, speaker_id=full.id) if full else s)
    return tuple(out)


def _is_person(entity_id: str | None) -> bool:
    return bool(entity_id and entity_id.startswith("person:"))


def _commitments(originals: Sequence[StoredArticle]) -> tuple[StoryRelation, ...]:
    """Each relation once, dated by its sentence (else its article's day), with its outlet."""
    seen: dict[tuple[str, ...], StoryRelation] = {}
    for m in originals:
        for r in m.brief.relations:
            key = (
                r.type,
                normalize(r.subject),
                normalize(r.object),
                r.polarity,
                normalize(r.evidence),
            )
            date = r.date or m.dated_at.date().isoformat()
            fields = {**asdict(r), "date": date}
            seen.setdefault(
                key, StoryRelation(**fields, source=_outlet_name(m), url=m.url, article_id=m.id)
            )
    return tuple(seen.values())


# -- small helpers ---------------------------------------------------------------------------


def _lead(m: StoredArticle) -> str:
    spans = sentence_spans(m.text[:2000])
    return " ".join(s.text for s in spans[:2])


def _bag(text: str) -> Counter[str]:
    return Counter(t for t in tokens(text) if len(t) > 1 and t not in _FUNCTION_WORDS)


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    dot = sum(c * b[t] for t, c in a.items() if t in b)
    if not dot:
        return 0.0
    return dot / math.sqrt(sum(c * c for c in a.values()) * sum(c * c for c in b.values()))


def _unique(items: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i))
