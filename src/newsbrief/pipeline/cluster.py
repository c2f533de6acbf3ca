"""Streaming story clustering: each new article joins an open story or starts one.

Decisions are online and pure: they depend only on the articles seen so far, in the
order given, and on the configuration, never on the clock. Replaying the same articles
in the same order gives the same story ids, and :meth:`StoryClusterer.snapshot` /
:meth:`StoryClusterer.restore` carry the state across processes.

How one article is placed::

    tokens   = lower-cased words of title (counted twice) + text, plus capitalised phrases
    idf(t)   = ln((N + n0) / (df(t) + n0 * p(t)))       df learned online, p(t) from a
                                                       word-frequency prior worth n0 documents
    vector   = (1 + ln tf) * idf, L2-normalised         never refitted: old vectors stay valid
    story    = sum of its members' unit vectors (centroid), cosine against it
    retrieve = stories sharing the article's heaviest terms (bounded work per article)
    s1, s2   = best and second-best story similarity (optionally blended with embeddings,
               times a time decay from the story's last member)
    phrases  = word trigrams holding two or more content words; "shared" counts those the
               article has in common with the best story and with no other story still held
               (quotes, names and figures that one event's coverage repeats)
    frac     = min(1, terms / short_terms)
    margin   = s1 - margin_weight * s2 - threshold * sqrt(frac)
               + phrase_bonus * ln(1 + shared) * (1 - frac)
    join     iff margin >= 0, and either shared >= phrase_min or
               margin >= phrase_margin_weight * frac^2 * s2: in a crowded topic (a
               second story close behind) a long article needs phrases in common with
               the story, not just words; same-topic articles (two match reports of one
               league) come close on words but rarely repeat each other's phrases
    window   = only stories whose members lie within ``cold_days`` of the article's date are
               candidates, in either direction, so late arrivals (an archive ingested out of
               date order) still find their story; stories idle ``retain_days`` behind the
               newest article are dropped from memory
"""

from __future__ import annotations

import hashlib
import heapq
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

Embedder = Callable[[str], Sequence[float]]
"""Turns a text into a dense vector (e.g. a sentence-embedding model); optional."""

_SNAPSHOT_VERSION = 3
_TOKEN_RE = re.compile(r"[^\W_]+")
_PHRASE_RE = re.compile(r"\b[A-Z][\w'’-]*(?:[ \t]+(?:[A-Z][\w'’-]*|of|de|del|da|van|von|al|bin))*")
_STOP_TEXT = """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your yours
    yourself yourselves said says say s t don didn doesn isn wasn weren won wouldn ve ll re"""
_STOPWORDS = frozenset(_STOP_TEXT.split())
_PRIOR_DOC_WORDS = 300.0
"""Words in a typical article: turns a word frequency into a document frequency."""


@dataclass(frozen=True)
class ClusterDoc:
    """One article as the clusterer sees it."""

    id: str
    date: datetime | None
    """Publication time; naive datetimes are taken as UTC; None = unknown."""
    title: str
    text: str
    entities: tuple[str, ...] = ()
    """Named entities from an upstream stage (people, places, organisations)."""


@dataclass(frozen=True)
class ClusterConfig:
    """Parameters of :class:`StoryClusterer` (defaults tuned on the shared dev sets)."""

    threshold: float = 0.19
    """Score an article needs to join its best story."""
    margin_weight: float = 0.3
    """How much the second-best story's similarity counts against joining the best."""
    short_terms: int = 100
    """Below this many distinct terms the threshold scales with sqrt(terms / short_terms):
    short texts (headlines, snippets) share few words even when they tell one story."""
    cold_days: float = 120.0
    """An article joins only stories whose members lie within this many days of it (a
    story with no new member for that long has gone cold); 0 = no limit."""
    retain_days: float = 730.0
    """Stories are kept for articles that arrive late (older than the newest one seen, as
    when an archive is ingested) until their last member is this many days older than the
    newest article; then they are dropped for good. 0 (or ``cold_days`` = 0) = keep every
    story."""
    half_life_days: float = 0.0
    """Similarity halves per this many days since the story's last member; 0 = no decay."""
    title_weight: int = 2
    """Title tokens are counted this many times."""
    entity_weight: float = 1.0
    """Counts of entity features (capitalised phrases, given entities); 0 = off."""
    prior_docs: float = 1000.0
    """How many documents the word-frequency prior is worth in the IDF."""
    probe_terms: int = 30
    """Retrieve candidate stories through the article's heaviest terms only."""
    max_candidates: int = 50
    """Score exactly at most this many candidate stories."""
    embed_weight: float = 0.5
    """Weight of the embedding cosine when an embedder is given (the rest: lexical)."""
    phrase_margin_weight: float = 0.6
    """Without ``phrase_min`` shared phrases, the second-best story counts this much more
    against joining (scaled by frac^2: short texts, which have few phrases, are spared);
    0 = off."""
    phrase_min: int = 3
    """Phrases an article must share with its best story alone to be spared the extra
    margin."""
    phrase_bonus: float = 0.05
    """Score added per ln(1 + shared phrases), scaled by 1 - frac (headlines and snippets
    of one story repeat few words but often the same phrase)."""


@dataclass
class _Story:
    """Mutable state of one open story."""

    id: str
    centroid: dict[str, float]
    norm2: float
    size: int
    last: float | None
    """Time of the last member, as a POSIX timestamp."""
    embedding: list[float] | None = None
    first: float | None = None
    """Time of the earliest member (None in version-1 snapshots: then ``last``)."""
    phrases: set[int] = field(default_factory=set)
    """Keys of its members' phrases (:func:`phrase_keys`); empty in older snapshots."""


@dataclass
class _State:
    """Everything that decisions depend on (exported by snapshot)."""

    docs: int = 0
    df: Counter[str] = field(default_factory=Counter)
    stories: dict[str, _Story] = field(default_factory=dict)
    closed: int = 0
    latest: float | None = None
    """Time of the newest article seen."""


@dataclass(frozen=True)
class _Scored:
    story: str
    sim: float
    dot: float


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens of at least two characters, minus a short stop list."""
    return [t for t in _TOKEN_RE.findall(text.lower()) if len(t) > 1 and t not in _STOPWORDS]


def phrase_keys(text: str) -> set[int]:
    """Stable 64-bit keys of the text's word trigrams that hold at least two words outside
    the stop list ("the prime minister", "a 3-0 win", "said he would resign")."""
    words = _TOKEN_RE.findall(text.lower())
    content = [w not in _STOPWORDS for w in words]
    keys = set()
    for i in range(len(words) - 2):
        if content[i] + content[i + 1] + content[i + 2] >= 2:
            gram = f"{words[i]} {words[i + 1]} {words[i + 2]}".encode()
            keys.add(int.from_bytes(hashlib.blake2b(gram, digest_size=8).digest(), "little"))
    return keys


def entity_phrases(text: str) -> list[str]:
    """Capitalised multi-word phrases ("Edward Snowden", "Bank of England"), lower-cased."""
    out = []
    for match in _PHRASE_RE.finditer(text):
        words = match.group(0).split()
        while words and not words[-1][0].isupper():
            words.pop()
        if len(words) > 1:
            out.append(" ".join(words).lower())
    return out


_PRIOR_WORDS = 40_000
_PRIOR_TOKEN = re.compile(r"^[^\W_]{2,}$")


@lru_cache(maxsize=1)
def _prior() -> dict[str, float]:
    """Word -> share of documents containing it, from the ``wordfreq`` package's English list.

    The word list is read from the installed package (its data is not copied into this
    repository). Without the package the prior is empty and IDF is learned from the stream
    alone, which clusters a little worse early in a stream.
    """
    try:
        from wordfreq import get_frequency_dict
    except ImportError:
        return {}
    table: dict[str, float] = {}
    for word, freq in sorted(get_frequency_dict("en").items(), key=lambda kv: -kv[1]):
        if len(table) >= _PRIOR_WORDS:
            break
        if freq <= 0 or not _PRIOR_TOKEN.match(word) or word in table:
            continue
        zipf = round(math.log10(freq) + 9, 1)
        table[word] = -math.expm1(-(10 ** (zipf - 9)) * _PRIOR_DOC_WORDS)
    return table


@lru_cache(maxsize=1)
def _unknown_share() -> float:
    """Prior document share of a word missing from the list (rarer than all listed)."""
    return min(_prior().values()) / 3


def _timestamp(date: datetime | None) -> float | None:
    if date is None:
        return None
    return (date if date.tzinfo else date.replace(tzinfo=UTC)).timestamp()


def story_id(first_member_id: str) -> str:
    """Deterministic story id derived from the id of the story's first article."""
    return "st-" + hashlib.sha1(first_member_id.encode("utf-8")).hexdigest()[:12]


class StoryClusterer:
    """Online story clustering over a stream of :class:`ClusterDoc` (see module doc)."""

    def __init__(self, config: ClusterConfig | None = None, *, embedder: Embedder | None = None):
        self.config = config or ClusterConfig()
        self.embedder = embedder
        self._state = _State()
        self._postings: dict[str, dict[str, None]] = {}
        self._phrase_posts: dict[int, str | set[str]] = {}
        """Phrase key -> the one story holding it, or the set of stories when several do."""
        self._expiry: list[tuple[float, str]] = []

    # ------------------------------------------------------------------ public
    def add(self, doc: ClusterDoc) -> str:
        """Place one article: returns the id of the story it joins or starts."""
        now = _timestamp(doc.date)
        if now is not None:
            st = self._state
            st.latest = now if st.latest is None else max(st.latest, now)
            self._drop_old(st.latest)
        vector = self._vectorize(doc)
        embedding = self._embed(doc)
        phrases = phrase_keys(f"{doc.title}\n{doc.text}")
        best = self._choose(vector, embedding, now, phrases)
        if best is None:
            sid = self._start(doc.id, vector, embedding, now)
        else:
            sid = best.story
            self._join(self._state.stories[sid], vector, embedding, now, best.dot)
        self._add_phrases(self._state.stories[sid], phrases)
        return sid

    def open_stories(self) -> int:
        """How many stories an article as new as the newest one seen could still join."""
        latest = self._state.latest
        return sum(1 for s in self._state.stories.values() if self._in_window(s, latest))

    def snapshot(self) -> dict[str, Any]:
        """JSON-ready state; :meth:`restore` continues exactly where this left off."""
        st = self._state
        return {
            "version": _SNAPSHOT_VERSION,
            "config": asdict(self.config),
            "docs": st.docs,
            "closed": st.closed,
            "latest": st.latest,
            "df": dict(st.df),
            "stories": [{**asdict(s), "phrases": sorted(s.phrases)} for s in st.stories.values()],
        }

    @classmethod
    def restore(cls, data: dict[str, Any], *, embedder: Embedder | None = None) -> StoryClusterer:
        """Rebuild a clusterer from :meth:`snapshot` output."""
        if data.get("version") not in (1, 2, _SNAPSHOT_VERSION):
            raise ValueError(f"unsupported clusterer snapshot version {data.get('version')!r}")
        clusterer = cls(ClusterConfig(**data["config"]), embedder=embedder)
        clusterer._state = _State(
            docs=data["docs"],
            df=Counter(data["df"]),
            closed=data["closed"],
            latest=data.get("latest"),
        )
        for raw in data["stories"]:
            clusterer._register(_Story(**{**raw, "phrases": set(raw.get("phrases", ()))}))
        return clusterer

    # ---------------------------------------------------------------- vectors
    def _vectorize(self, doc: ClusterDoc) -> dict[str, float]:
        """Unit TF-IDF vector of the article; updates document frequencies first."""
        cfg, st = self.config, self._state
        counts: dict[str, float] = {}
        for token in tokenize(doc.title) * cfg.title_weight + tokenize(doc.text):
            counts[token] = counts.get(token, 0) + 1
        if cfg.entity_weight > 0:
            ents = entity_phrases(f"{doc.title}\n{doc.text}")
            ents += [e.lower() for e in doc.entities]
            for name in ents:
                counts["@" + name] = counts.get("@" + name, 0) + cfg.entity_weight
        st.docs += 1
        st.df.update(counts.keys())
        weights = {t: (1 + math.log(c)) * self._idf(t) for t, c in counts.items() if c >= 1}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        return {t: w / norm for t, w in weights.items() if w > 0} if norm else {}

    def _idf(self, term: str) -> float:
        if not _prior():  # no word-frequency prior installed: IDF from the stream alone
            return max(0.0, math.log(self._state.docs / max(1, self._state.df[term])))
        n0 = self.config.prior_docs
        key = term[1:] if term.startswith("@") else term
        share = _prior().get(key, _unknown_share()) if " " not in key else _unknown_share()
        return max(0.0, math.log((self._state.docs + n0) / (self._state.df[term] + n0 * share)))

    def _embed(self, doc: ClusterDoc) -> list[float] | None:
        if self.embedder is None:
            return None
        vec = [float(x) for x in self.embedder(f"{doc.title}\n{doc.text}".strip())]
        norm = math.sqrt(sum(x * x for x in vec))
        return [x / norm for x in vec] if norm else None

    # --------------------------------------------------------------- decision
    def _choose(
        self,
        vector: dict[str, float],
        embedding: list[float] | None,
        now: float | None,
        phrases: set[int],
    ) -> _Scored | None:
        """The story to join, or None to start a new one."""
        scored = self._score(self._candidates(vector, now), vector, embedding, now)
        if not scored:
            return None
        best = scored[0]
        second = scored[1].sim if len(scored) > 1 else 0.0
        shared = sum(1 for key in phrases if self._phrase_posts.get(key) == best.story)
        return best if join_decision(best.sim, second, len(vector), self.config, shared) else None

    def _candidates(self, vector: dict[str, float], now: float | None = None) -> list[str]:
        """Stories within the time window that share the article's heaviest terms, best
        partial overlap first."""
        probe = sorted(vector.items(), key=lambda kv: (-kv[1], kv[0]))[: self.config.probe_terms]
        partial: dict[str, float] = {}
        stories = self._state.stories
        for term, weight in probe:
            for sid in self._postings.get(term, ()):
                story = stories[sid]
                partial[sid] = partial.get(sid, 0.0) + weight * story.centroid[term] / math.sqrt(
                    story.norm2
                )
        ranked = sorted(partial.items(), key=lambda kv: (-kv[1], kv[0]))
        ranked = [kv for kv in ranked if self._in_window(stories[kv[0]], now)]
        return [sid for sid, _ in ranked[: self.config.max_candidates]]

    def _in_window(self, story: _Story, now: float | None) -> bool:
        """Whether an article published at ``now`` may join ``story`` (not gone cold)."""
        if now is None or story.last is None or self.config.cold_days <= 0:
            return True
        window = self.config.cold_days * 86400.0
        first = story.last if story.first is None else story.first
        return now - story.last <= window and first - now <= window

    def _score(
        self,
        candidates: list[str],
        vector: dict[str, float],
        embedding: list[float] | None,
        now: float | None,
    ) -> list[_Scored]:
        cfg = self.config
        out = []
        for sid in candidates:
            story = self._state.stories[sid]
            centroid = story.centroid
            # fsum is exact, so the set's iteration order cannot change the result
            dot = math.fsum(vector[t] * centroid[t] for t in vector.keys() & centroid.keys())
            sim = dot / math.sqrt(story.norm2)
            if embedding is not None and story.embedding is not None:
                sim = (1 - cfg.embed_weight) * sim + cfg.embed_weight * _cosine(
                    embedding, story.embedding
                )
            if cfg.half_life_days > 0 and now is not None and story.last is not None:
                sim *= 0.5 ** (max(0.0, now - story.last) / 86400.0 / cfg.half_life_days)
            out.append(_Scored(sid, sim, dot))
        out.sort(key=lambda s: (-s.sim, s.story))
        return out

    # ------------------------------------------------------------------ state
    def _start(
        self,
        doc_id: str,
        vector: dict[str, float],
        embedding: list[float] | None,
        now: float | None,
    ) -> str:
        sid = story_id(doc_id)
        if sid in self._state.stories:  # the same id seen twice: keep ids unique
            sid = story_id(f"{doc_id}#{self._state.docs}")
        self._register(_Story(sid, dict(vector), 1.0 if vector else 0.0, 1, now, embedding, now))
        return sid

    def _register(self, story: _Story) -> None:
        self._state.stories[story.id] = story
        for term in story.centroid:
            self._postings.setdefault(term, {})[story.id] = None
        for key in story.phrases:
            self._post_phrase(key, story.id)
        if story.last is not None:
            heapq.heappush(self._expiry, (story.last, story.id))

    def _join(
        self,
        story: _Story,
        vector: dict[str, float],
        embedding: list[float] | None,
        now: float | None,
        dot: float,
    ) -> None:
        for term, weight in vector.items():
            if term not in story.centroid:
                self._postings.setdefault(term, {})[story.id] = None
            story.centroid[term] = story.centroid.get(term, 0.0) + weight
        story.norm2 += 2 * dot + (1.0 if vector else 0.0)
        story.size += 1
        if embedding is not None:
            base = story.embedding or [0.0] * len(embedding)
            story.embedding = [a + b for a, b in zip(base, embedding, strict=True)]
        if now is not None and (story.first is None or now < story.first):
            story.first = now
        if now is not None and (story.last is None or now > story.last):
            story.last = now
            heapq.heappush(self._expiry, (now, story.id))

    def _add_phrases(self, story: _Story, phrases: set[int]) -> None:
        for key in phrases - story.phrases:
            self._post_phrase(key, story.id)
        story.phrases |= phrases

    def _post_phrase(self, key: int, sid: str) -> None:
        held = self._phrase_posts.get(key)
        if held is None:
            self._phrase_posts[key] = sid
        elif isinstance(held, str):
            self._phrase_posts[key] = {held, sid}
        else:
            held.add(sid)

    def _unpost_phrase(self, key: int, sid: str) -> None:
        held = self._phrase_posts.get(key)
        if isinstance(held, set):
            held.discard(sid)
            if len(held) == 1:
                self._phrase_posts[key] = next(iter(held))
        elif held == sid:
            del self._phrase_posts[key]

    def _drop_old(self, latest: float) -> None:
        """Forget stories whose last member is older than the retention window."""
        if self.config.retain_days <= 0 or self.config.cold_days <= 0:
            return
        limit = latest - max(self.config.retain_days, self.config.cold_days) * 86400.0
        while self._expiry and self._expiry[0][0] < limit:
            last, sid = heapq.heappop(self._expiry)
            story = self._state.stories.get(sid)
            if story is None or story.last != last:
                continue  # stale heap entry: the story got a newer member
            del self._state.stories[sid]
            self._state.closed += 1
            for term in story.centroid:
                posting = self._postings.get(term)
                if posting is not None:
                    posting.pop(sid, None)
                    if not posting:
                        del self._postings[term]
            for key in story.phrases:
                self._unpost_phrase(key, sid)


def join_decision(
    best: float, second: float, terms: int, config: ClusterConfig, shared: int = 0
) -> bool:
    """Whether an article joins its best story: the best similarity, less a share of the
    second best (a crowded topic needs a clearer winner), against a threshold that is
    lower for short texts (``terms`` = distinct terms of the article); a marginal match of
    a long text also needs phrases shared with that story alone (``shared``); see the
    module doc."""
    if best <= 0 or terms == 0:
        return False
    frac = min(1.0, terms / config.short_terms)
    margin = best - config.margin_weight * second - config.threshold * math.sqrt(frac)
    margin += config.phrase_bonus * math.log1p(shared) * (1 - frac)
    if margin < 0:
        return False
    return shared >= config.phrase_min or margin >= config.phrase_margin_weight * frac**2 * second


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def cluster_stream(docs: Sequence[ClusterDoc], config: ClusterConfig | None = None) -> list[str]:
    """Story id of each article, placing them one by one in the given order."""
    clusterer = StoryClusterer(config)
    return [clusterer.add(doc) for doc in docs]
