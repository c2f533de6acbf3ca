"""Who said what: attributed statements, with verbatim text, from an article body.

::

    quotes     = quotation marks paired within each paragraph (a mark that wraps a whole
                 paragraph is a passage marker, not speech)
    direct     = a quote next to an attribution:  "...," NP said  |  "...," said NP
                 |  NP said: "..."
    reported   = per sentence, quotes masked:  NP (has) CUE (object) (that) CLAUSE
                 |  CLAUSE, NP said.  |  CLAUSE, said NP.  |  according to NP, CLAUSE
    speaker    = the subject noun phrase: a name (titles stripped), a state ("Russian
                 officials", "the Kremlin"), an organisation or an agent noun ("a spokesman");
                 "he"/"she" = the last named person speaker of the previous few sentences;
                 negated or quantified subjects ("nor has any official said") are no speaker
    speaker_id = resolve.resolve_entities over all speakers and the article's known people

Every ``text`` and ``sentence`` is a slice of the input, so it is verbatim by construction.
A :class:`~newsbrief.ports.DependencyParser`, when given, confirms reported speech without
"that": the cue must govern a clausal complement (``said nary a word`` is no statement).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from newsbrief.pipeline.resolve import (
    Resolved,
    alias_table,
    fold,
    person_name,
    resolve,
    resolve_entities,
)
from newsbrief.pipeline.text import Span, sentence_spans
from newsbrief.ports import DependencyParser
from newsbrief.records import Statement

_CLAUSE_CUES = (
    "say says said tell tells told add adds added state states stated warn warns warned "
    "write writes wrote"
)
_THAT_CUES = (
    "claim claims claimed note notes noted argue argues argued insist insists insisted "
    "explain explains explained announce announces announced confirm confirms confirmed "
    "deny denies denied acknowledge acknowledges acknowledged admit admits admitted "
    "declare declares declared stress stresses stressed emphasize emphasizes emphasized "
    "emphasise emphasises emphasised suggest suggests suggested assert asserts asserted "
    "maintain maintains maintained reiterate reiterates reiterated reply replies replied "
    "promise promises promised pledge pledges pledged predict predicts predicted "
    "caution cautions cautioned assure assures assured inform informs informed "
    "remind reminds reminded report reports reported estimate estimates estimated"
)
CLAUSE_CUES = frozenset(_CLAUSE_CUES.split())
THAT_CUES = frozenset(_THAT_CUES.split())
CUES = CLAUSE_CUES | THAT_CUES
_TELL_TEXT = (
    "tell tells told warn warns warned assure assures assured inform informs informed "
    "remind reminds reminded"
)
_TELL = frozenset(_TELL_TEXT.split())
_CUE = re.compile(r"\b(?:" + "|".join(sorted(CUES, key=len, reverse=True)) + r")\b")
_ACCORDING = re.compile(r"\baccording to\b", re.I)
_QUOTE_PAIRS = {"“": "”", '"': '"', "«": "»"}
_QUOTE = re.compile(r"[“\"«]")
_MASK = "_"

# Words between a subject and its cue that change nothing ("has also said").
_FILLER = re.compile(
    r"(?:\s+(?:has|have|had|also|again|then|once|only|already|previously|later|earlier|"
    r"recently|reportedly|will|would|may|might|could|is|was|were|are|first|yesterday|today|"
    r"on (?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|"
    r"(?:this|last) (?:week|month|year|morning|evening)|\w+ly))+$"
)
_NEGATION = re.compile(r"\b(?:not|never|no|nor|neither|n't|cannot)\b|n't\b", re.I)
_QUANTIFIED = re.compile(r"^(?:any|no|none|nobody|few|neither|nor)\b", re.I)
_BOUNDARY = re.compile(
    r"(?:[,;:(—–]|\b(?:that|and|but|while|when|because|as|after|before|if|which|who|where|"
    r"although|though|since|so|whether|nor|or|than)\b)",
)
_NOT_SPEAKER_TEXT = (
    "it this that these those which what there here who i we you they one some many "
    "something nothing everything everyone"
)
_NOT_SPEAKERS = frozenset(_NOT_SPEAKER_TEXT.split())
_AGENT_TEXT = """spokesman spokeswoman spokesperson spokespeople official officials minister
    ministers
    ministry government police authorities authority analysts analyst experts expert
    economists economist sources source diplomats diplomat company council leaders leader
    residents union prosecutors prosecutor lawyers lawyer researchers scientists scientist
    statement president mayor chief director agency committee department board court army
    military negotiators campaigners critics organisers organizers opposition party
    spokesmen officers officer investigators witnesses witness doctors teachers workers
    governor senator chairman chairwoman chair commission regulator regulators executives
    executive firm bank group coalition administration embassy secretary kremlin palace
    manager managers owner owners coach captain judge panel report study survey utility
    utilities operator airline hospital university school club team insurer retailer
    carrier charity league federation lawmakers legislators"""
_AGENTS = frozenset(_AGENT_TEXT.split())
_TIME_AFTER = re.compile(
    r"^\s*(?:(?:on|last|this|next) \w+|yesterday|today|earlier|later|in an? (?:statement|"
    r"interview|speech|post|letter|briefing|email|news conference)|at an? [\w -]{0,30}?"
    r"(?:conference|briefing|meeting|rally|summit|hearing))\b,?"
)
_CLAUSE_STOP_TEXT = (
    "nary nothing no little much so yes goodbye hello thanks farewell in on at of "
    "to about with for by something anything everything what"
)
_CLAUSE_STOP = frozenset(_CLAUSE_STOP_TEXT.split())
_NEXT_CLAUSE = re.compile(r"\s*,\s*(?:and|but|or|while|whereas|although|though)\b", re.I)
"""After a cue, a comma and a conjunction start the sentence's next clause: the cue closed a
parenthetical attribution of the clause before it."""
_IRREGULAR_PAST = (
    "sent took made went came gave found told left felt kept lost held won paid met put set "
    "cut hit let ran saw knew thought brought bought began became rose fell grew drew wrote "
    "spoke broke chose led fled built spent sold stood meant sought taught caught fought shot "
    "struck threw wore hid sat slept understood withdrew forgot got"
)
_FINITE = re.compile(
    r"\b(?:is|are|was|were|has|have|had|will|would|could|can|should|must|may|might|did|"
    r"does|do|isn't|wasn't|hasn't|haven't|won't|wouldn't|can't|didn't|doesn't|\w{2,}ed|"
    + "|".join(_IRREGULAR_PAST.split())
    + r")\b"
)
_AUDIENCE = re.compile(
    r"\s*(?:(?:the |a |an )?(?:[A-Z][\w.]*\s+)*(?:reporters|journalists|media|lawmakers|"
    r"parliament|senators|members|supporters|listeners|viewers|readers|residents|workers|"
    r"staff|investors|the press|press|news agency|agency|newspaper|broadcaster|radio|"
    r"television|committee|council|audience|crowd|him|her|them|us|me)"
    r"|[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*){0,3})"
)


@dataclass(frozen=True)
class _Found:
    start: int
    speaker: str
    resolved: Resolved | None
    cue: str
    text: str
    direct: bool
    sentence: str
    pronoun: bool = False


def extract_statements(
    text: str,
    *,
    people: Sequence[str] = (),
    organizations: Sequence[str] = (),
    parser: DependencyParser | None = None,
) -> tuple[Statement, ...]:
    """Attributed statements in ``text`` (an article body), in reading order.

    ``people`` are names the entity recogniser found (they give a speaker named only by
    surname its full name and id); ``organizations`` give a speaker named by a common noun
    ("the union said") the one organisation of the article that the noun ends ("Portmere
    Dockers' Union"); ``parser`` is an optional dependency parser.
    """
    spans = sentence_spans(text)
    quotes = _quotes(text)
    direct, used = _direct(text, spans, quotes)
    masked = _masked(text, quotes)
    found = direct + _reported(text, masked, spans, used, parser)
    found.sort(key=lambda f: f.start)
    return tuple(_finish(_pronouns(found, spans), people, organizations))


# --- quotation marks -------------------------------------------------------------------------


def _quotes(text: str) -> list[tuple[int, int]]:
    """(start, end) of each quotation's inner text, paired within one paragraph."""
    out: list[tuple[int, int]] = []
    for para in re.finditer(r"[^\n]+", text):
        pos, p = 0, para.group()
        while (m := _QUOTE.search(p, pos)) is not None:
            close = p.find(_QUOTE_PAIRS[m.group()], m.end())
            if close < 0:
                break
            if not (m.start() == 0 and close >= len(p.rstrip()) - 1):
                out.append((para.start() + m.end(), para.start() + close))
            pos = close + 1
    return out


def _masked(text: str, quotes: Sequence[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in quotes:
        chars[start:end] = _MASK * (end - start)
    return "".join(chars)


# --- direct speech ---------------------------------------------------------------------------


def _direct(
    text: str, spans: Sequence[Span], quotes: Sequence[tuple[int, int]]
) -> tuple[list[_Found], set[int]]:
    """Quotations with an attribution beside them; also the cue offsets they used."""
    found: list[_Found] = []
    used: set[int] = set()
    for start, end in quotes:
        hit = _attribution_after(text, end) or _attribution_before(text, start)
        if hit is None:
            continue
        np, cue, cue_at = hit
        speaker = _speaker(np)
        inner = _trim(text, start, end)
        if speaker is None or len(inner[1].split()) < 2:
            continue
        lo, hi = min(start, cue_at), max(end, cue_at)
        found.append(
            _Found(start, *speaker, cue, inner[1], True, _sentence_between(text, spans, lo, hi))
        )
        used.add(cue_at)
    return found, used


_CUE_GROUP = r"(?P<cue>" + _CUE.pattern + r")"
_AFTER_SAID = re.compile(
    r"^[”\"»]?\s*,?\s*" + _CUE_GROUP + r"\s+(?P<np>[^,.;:!?“”\"]{2,80}?)\s*[,.;!?]"
)
_AFTER_NP = re.compile(r"^[”\"»]?\s*,?\s*(?P<np>[^.;:!?“”\"]{2,100}?)\s+" + _CUE_GROUP)
_BEFORE = re.compile(
    r"(?P<np>[^,.;:!?“”\"]{2,80}?)\s+" + _CUE_GROUP + r"(?:\s+[a-z]\w*){0,3}\s*[,:]\s*$"
)


def _attribution_after(text: str, end: int) -> tuple[str, str, int] | None:
    tail = text[end : end + 120].split("\n", 1)[0]
    m = _AFTER_SAID.match(tail)
    if m and m.group("cue") in CUES:
        np = re.split(r"\s+(?:who|on|in|at|during|after|when|adding)\b", m.group("np"))[0]
        return np, m.group("cue"), end + m.start("cue")
    m = _AFTER_NP.match(tail)
    if m and m.group("cue") in CUES:
        np = _subject(m.group("np"))
        return (np, m.group("cue"), end + m.start("cue")) if np else None
    return None


def _attribution_before(text: str, start: int) -> tuple[str, str, int] | None:
    head = text[max(0, start - 120) : start - 1].rsplit("\n", 1)[-1]
    m = _BEFORE.search(head)
    if not m or m.group("cue") not in CUES:
        return None
    np = _subject(m.group("np"))
    offset = start - 1 - len(head)
    return (np, m.group("cue"), offset + m.start("cue")) if np else None


def _trim(text: str, start: int, end: int) -> tuple[int, str]:
    """The quotation without edge spaces and a trailing comma (still a slice)."""
    piece = text[start:end]
    stripped = piece.strip().rstrip(",").rstrip()
    lead = len(piece) - len(piece.lstrip())
    return start + lead, stripped


def _sentence_between(text: str, spans: Sequence[Span], lo: int, hi: int) -> str:
    first = next((s for s in spans if s.end > lo), spans[-1])
    last = next((s for s in spans if s.end >= hi), spans[-1])
    return text[first.start : max(first.end, last.end)]


# --- reported speech -------------------------------------------------------------------------


def _reported(
    text: str,
    masked: str,
    spans: Sequence[Span],
    used: set[int],
    parser: DependencyParser | None,
) -> list[_Found]:
    found: list[_Found] = []
    for span in spans:
        sentence = masked[span.start : span.end]
        if any(span.start <= u < span.end for u in used):
            continue
        hit = _reported_in(sentence, parser, text[span.start : span.end])
        if hit is not None:
            np, cue, lo, hi = hit
            speaker = _speaker(np)
            if speaker is not None:
                content = text[span.start + lo : span.start + hi]
                found.append(_Found(span.start + lo, *speaker, cue, content, False, span.text))
    return found


def _reported_in(
    sentence: str, parser: DependencyParser | None, original: str
) -> tuple[str, str, int, int] | None:
    """(speaker phrase, cue, content start, content end) of one sentence, if any."""
    for m in _CUE.finditer(sentence):
        left, cue = sentence[: m.start()], m.group()
        hit = _leading_subject(sentence, left, cue, m.end(), parser, original)
        hit = hit or _trailing(sentence, left, cue, m.end())
        if hit is not None:
            return hit
    return _according(sentence)


def _leading_subject(
    sentence: str,
    left: str,
    cue: str,
    cue_end: int,
    parser: DependencyParser | None,
    original: str,
) -> tuple[str, str, int, int] | None:
    """NP (has) CUE (object) (that) CLAUSE."""
    np = _subject(left)
    if not np:
        return None
    span = _content(sentence, cue_end, cue)
    if span is None:
        return None
    lo, hi, with_that = span
    if not with_that and parser is not None and not _parser_confirms(parser, original, cue_end):
        return None
    return np, cue, lo, hi


def _trailing(sentence: str, left: str, cue: str, cue_end: int) -> tuple[str, str, int, int] | None:
    """CLAUSE, NP said.  |  CLAUSE, said NP."""
    rest = _TIME_AFTER.sub("", sentence[cue_end:], count=1)
    comma = left.rfind(",")
    if comma < 0:
        return None
    between = left[comma + 1 :].strip()
    if not between and re.fullmatch(r"\s+[^,;:]{2,60}?[.!?]?[”\"’']?\s*", rest):
        np = rest.strip().rstrip(".!?”\"'’")
    elif between and (re.fullmatch(r"[.!?]?[”\"’']?\s*", rest) or _NEXT_CLAUSE.match(rest)):
        np = _subject(left[comma + 1 :]) or ""
        if cue not in CLAUSE_CUES and _shown(np) != _shown(between):
            return None  # "..., and I am convinced it promises less than either side claims"
    else:
        return None
    lo = len(left) - len(left.lstrip())
    if not np or _MASK in left[:comma] or len(left[lo:comma].split()) < 3:
        return None
    return np, cue, lo, comma


def _according(sentence: str) -> tuple[str, str, int, int] | None:
    """According to NP, CLAUSE.  |  CLAUSE, according to NP."""
    m = _ACCORDING.search(sentence)
    if m is None:
        return None
    after = sentence[m.end() :]
    comma = after.find(",")
    if m.start() <= 1 and comma > 0:
        np, lo = after[:comma], m.end() + comma + 1
        hi = len(sentence.rstrip().rstrip(".!?"))
    elif sentence[: m.start()].rstrip().endswith(","):
        np, lo = after.strip().rstrip(".!?"), 0
        hi = sentence.rfind(",", 0, m.start())
    else:
        return None
    while lo < hi and sentence[lo] == " ":
        lo += 1
    if _MASK in sentence[lo:hi] or len(sentence[lo:hi].split()) < 3:
        return None
    return np, "according to", lo, hi


def _subject(left: str) -> str | None:
    """The subject noun phrase at the end of ``left`` (the text before a cue)."""
    if _MASK in left[-3:]:
        return None
    left = left.rstrip()
    stripped = _FILLER.sub("", " " + left).strip()
    if _NEGATION.search(left[len(stripped) :] if stripped else left):
        return None
    if stripped.endswith(","):  # "Sergei Lavrov, the foreign minister, said"
        stripped = _appositive(stripped[:-1])
    parts = _BOUNDARY.split(stripped)
    np = parts[-1].strip() if parts else ""
    if not np or len(np.split()) > 8 or _QUANTIFIED.match(np) or _NEGATION.search(np):
        return None
    if re.match(r"^Nor\b", left.strip()):
        return None
    return np


def _appositive(inner: str) -> str:
    """Of "NAME, role" or "role, NAME" (before a cue), the part that names the speaker."""
    comma = inner.rfind(",")
    if comma < 0:
        return inner
    last, first = inner[comma + 1 :].strip(), _BOUNDARY.split(inner[:comma])[-1].strip()
    for candidate in (last, first):
        found = resolve(candidate, "any", role="actor")
        if found is not None and candidate[:1].isupper() and not _agent_head(candidate):
            return candidate
    return first if _agent_head(first) or not _agent_head(last) else last


def _agent_head(np: str) -> bool:
    head = re.split(r"\s+(?:of|for|at|from|in)\s+", fold(np))[0].split()
    return bool(head) and head[-1] in _AGENTS


def _content(sentence: str, cue_end: int, cue: str) -> tuple[int, int, bool] | None:
    """Where the reported clause after a cue lies, and whether "that" introduced it."""
    pos = cue_end
    if cue in _TELL:
        that = re.match(r"(?:\s+[\w'’.-]+){1,10}?(?=\s+that\b)", sentence[pos:])
        m = that or _AUDIENCE.match(sentence, pos)
        if m is not None:
            pos = m.end() + (pos if that else 0)
    m = _TIME_AFTER.match(sentence[pos:])
    pos += m.end() if m else 0
    rest = sentence[pos:]
    if _NEXT_CLAUSE.match(rest):  # "..., the union said, and the first shifts ..."
        return None
    that = re.match(r"\s*(?:that|:)\s*,?\s*", rest)
    hi = len(sentence.rstrip().rstrip("”\"'’").rstrip(".!?"))
    if that is not None:
        lo = pos + that.end()
    elif cue in CLAUSE_CUES and _clause_like(rest):
        lo = pos + len(rest) - len(rest.lstrip(" ,"))
    else:
        return None
    if hi - lo < 8 or len(sentence[lo:hi].split()) < 3 or _MASK * 3 in sentence[lo:hi]:
        return None
    return lo, hi, that is not None


def _clause_like(rest: str) -> bool:
    words = rest.split()
    return bool(words) and words[0].lower() not in _CLAUSE_STOP and bool(_FINITE.search(rest))


def _parser_confirms(parser: DependencyParser, sentence: str, cue_end: int) -> bool:
    """Whether the parse makes the cue ending at ``cue_end`` govern a clause."""
    toks = parser.parse(sentence)
    cue = next((i for i, t in enumerate(toks) if t.end == cue_end), None)
    if cue is None:
        return True
    return any(t.head == cue and t.dep in ("ccomp", "parataxis", "xcomp") for t in toks)


# --- speakers ------------------------------------------------------------------------------


def _speaker(np: str) -> tuple[str, Resolved | None] | None:
    """(display name, resolution) for a subject phrase, or None when it is no speaker."""
    words = np.split()
    if not words:
        return None
    low = fold(np)
    if low in ("he", "she"):
        return np, None
    if low in _NOT_SPEAKERS or words[0].lower() in _NOT_SPEAKERS:
        return None
    resolved = resolve(np, "any", role="actor")
    if _agent_head(np):
        state = resolved if resolved is not None and resolved.kind == "country" else None
        return _shown(np), state
    if resolved is not None and resolved.kind in ("person", "country", "org"):
        shown = person_name(np) if resolved.kind == "person" else _shown(np)
        return shown, resolved
    return None


def _shown(np: str) -> str:
    """A non-person speaker as written, without a leading article or trailing punctuation."""
    return re.sub(r"^(?:the|The)\s+", "", np.strip(" ,;:"))


def _pronouns(found: list[_Found], spans: Sequence[Span]) -> list[_Found]:
    """Give "he"/"she" the last named person speaker of the previous four sentences."""
    out: list[_Found] = []
    last: tuple[int, _Found] | None = None
    for f in found:
        index = next((i for i, s in enumerate(spans) if s.end > f.start), len(spans))
        if fold(f.speaker) in ("he", "she"):
            if last is None or index - last[0] > 4:
                continue
            f = replace(f, speaker=last[1].speaker, resolved=last[1].resolved, pronoun=True)
        elif f.resolved is not None and f.resolved.kind == "person":
            last = (index, f)
        out.append(f)
    return out


def _named_organisation(speaker: str, organizations: Sequence[str]) -> str | None:
    """The one organisation whose name ends with ``speaker``, a lower-case common noun
    ("union" -> "Portmere Dockers' Union"); None when none or several do."""
    if not re.fullmatch(r"[a-z]+", speaker):
        return None
    owners = {o for o in organizations if fold(o).split()[-1:] == [speaker]}
    return owners.pop() if len(owners) == 1 else None


def _finish(
    found: Sequence[_Found], people: Sequence[str], organizations: Sequence[str]
) -> list[Statement]:
    """Statements with speaker ids shared by every form of one speaker's name."""
    mentions = [(p, "person") for p in people]
    mentions += [(f.speaker, f.resolved.kind) for f in found if f.resolved is not None]
    table = alias_table(resolve_entities(mentions, role="actor"))
    out: list[Statement] = []
    for f in found:
        entity = table.get(fold(f.speaker)) if f.resolved is not None else None
        name = entity.name if entity is not None and entity.kind == "person" else f.speaker
        if entity is None:
            name = _named_organisation(name, organizations) or name
        out.append(
            Statement(
                speaker=name,
                cue=f.cue,
                text=f.text,
                direct=f.direct,
                sentence=f.sentence,
                speaker_id=entity.id if entity is not None else None,
            )
        )
    return out
