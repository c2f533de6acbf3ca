"""Outlet inference: who published an article, from its own text and URL.

Evidence, strongest first: the extractor's own outlet, a "Read at X" line, a
copyright line ("© 2025 Example Herald"), the URL's host, and domains named in
boilerplate lines ("Stay Updated with Examplepost.com"). A domain becomes a
name by general rules (:func:`outlet_name_from_domain`), never by a lookup.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urlsplit

from newsbrief.records import Extracted, Outlet

# Words newspapers put in their nameplates, used to split concatenated domains.
NAMEPLATE_WORDS = frozenset(
    """post times news herald tribune journal daily gazette telegraph guardian observer express
    mail star sun chronicle review world today press wire insider monitor report reporter globe
    record independent standard mirror magazine weekly online media network dispatch ledger
    courier bulletin sentinel examiner inquirer voice sunday evening morning week weekend
    business finance financial economist economic politics political policy tech science sport
    sports live info digest current leader citizen nation national local metro city
    county state public free new america american international global planet street beacon
    register enterprise argus advertiser advocate banner breaking briefing caller clarion
    democrat free gleaner herald intelligencer mercury messenger pilot plain dealer patriot
    progress republic republican spectator statesman tattler telegram transcript union
    watch radio tv channel broadcasting forum source story stories truth facts
    the of and""".split()
)
_CONNECTORS = frozenset({"of", "and", "on", "in", "at"})
_VOWELS = frozenset("aeiou")
# Second-level labels under country codes: "co" in example.co.uk.
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or", "go"})
_HOST_PREFIXES = ("www.", "www2.", "m.", "amp.", "mobile.")

_COMMON_TLDS = (
    "com|net|org|info|biz|news|media|press|online|site|today|world|global|live|tv|io|co|"
    "example|test|blog|asia|eu|int|gov|edu"
)
_DOMAIN = re.compile(
    rf"(?<![\w@.-])((?:[A-Za-z0-9](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?\.)+(?:{_COMMON_TLDS}|[a-z]{{2}}))"
    r"(?![\w-]|\.[A-Za-z0-9])"
)
_READ_AT = re.compile(
    r"^(?:read|continue reading|read (?:the )?(?:full|whole|original|rest of the) "
    r"(?:story|article|piece)|read more)\s+(?:at|on)\s+(?P<name>[^\s].{0,70}?)\s*[.:]?$",
    re.IGNORECASE,
)
_COPYRIGHT = re.compile(
    r"^(?:(?:©|\(c\))\s*(?:copyright\b)?|copyright\s*(?:©|\(c\))|copyright(?=\s+\d{4}))\s*"
    r"(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*,?\s*)?"
    r"(?P<name>.+?)\s*(?:[.,;|-]\s*all rights reserved\.?|\.)?\s*$",
    re.IGNORECASE,
)
_BOILERPLATE_CUE = re.compile(
    r"stay updated|visit|follow us|subscribe|©|copyright|all rights reserved|"
    r"latest news|breaking|\|",
    re.IGNORECASE,
)
_IMAGE_LABEL = re.compile(
    r"^\W*(?:photo|image|picture|pic|credit|courtesy|illustration|graphic|source)s?\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)]*$")


def outlet_name_from_domain(domain: str) -> str:
    """A readable outlet name for ``domain``: "caspianpost.com" -> "Caspian Post".

    Drops the scheme, ``www.``-like prefixes and the public suffix, keeps the
    registrable label, splits it at hyphens and at nameplate words ("post",
    "times", a leading "the"), and title-cases the words (short vowel-less
    chunks such as "ny" or "bbc"-only labels are upper-cased).
    """
    label = _registrable_label(domain)
    if not label:
        return domain.strip()
    words: list[str] = []
    for part in re.split(r"[-_]+", label):
        words.extend(_segment(part) if part else [])
    return _title(words, whole=len(words) == 1)


def read_at_name(line: str) -> str | None:
    """The outlet named by a "Read at X" line, else ``None``."""
    m = _READ_AT.match(line.strip())
    if not m or len(m.group("name").split()) > 8:
        return None
    name = m.group("name").strip()
    if _DOMAIN.fullmatch(name):
        return name
    return name if name[0].isupper() and not re.search(r"[,;!?]", name) else None


def copyright_holder(line: str) -> str | None:
    """The holder named by a copyright line ("© 2025 Example Herald"), else ``None``."""
    text = line.strip()
    if len(text.split()) > 14:
        return None
    m = _COPYRIGHT.match(text)
    if not m:
        return None
    name = re.split(r"\s*[|,;]\s*|\.\s+", m.group("name"))[0].strip(" .")
    name = re.sub(r"(?i)^by\s+", "", name)
    name = re.sub(r"(?i)\b(?:all rights reserved|inc|ltd|llc|plc|gmbh)\b\.?", "", name).strip(" .,")
    return name if name and len(name.split()) <= 6 and not name[0].isdigit() else None


def domains_in(text: str) -> list[str]:
    """Domain names written in ``text`` (lower-cased, without ``www.``), in order."""
    return [_strip_host(m.group(1).lower()) for m in _DOMAIN.finditer(text)]


def infer_outlet(ex: Extracted) -> Outlet:
    """The outlet of ``ex``, from its own metadata, text and URL.

    Keeps whatever ``ex.source`` already knows and fills the gaps: the name
    from "Read at X", a copyright line, or the domain; the domain from the
    URL's host or from domains named in boilerplate lines (image credits are
    ignored: they name the photographer's source, not the publisher).
    """
    lines = [p.strip() for p in ex.paragraphs]
    name = ex.source.name or _first(read_at_name(p) for p in lines)
    name = name or _first(copyright_holder(p) for p in lines)
    host = _strip_host(urlsplit(ex.url).hostname or "") if ex.url else ""
    candidates = [d for d in (ex.source.domain, host) if d]
    candidates += _boilerplate_domains(lines)
    domain = _pick_domain(name, candidates)
    if name is None and domain:
        name = outlet_name_from_domain(domain)
    if name and domains_in(name) == [name.lower()]:
        domain = domain or name.lower()
        name = outlet_name_from_domain(name)
    return Outlet(name=name, domain=domain, url=_outlet_url(ex, domain, host))


def _pick_domain(name: str | None, candidates: list[str]) -> str | None:
    if name is None:
        return candidates[0] if candidates else None
    for domain in candidates:
        if _compatible(name, outlet_name_from_domain(domain)):
            return domain
    return None


def _compatible(name: str, other: str) -> bool:
    a, b = _compact(name), _compact(other)
    return bool(a and b) and (a in b or b in a)


def _compact(text: str) -> str:
    text = re.sub(r"^the\s+", "", text.lower())
    return re.sub(r"[^a-z0-9]", "", text)


def _boilerplate_domains(lines: list[str]) -> list[str]:
    """Domains named in short non-prose lines, most frequent first."""
    counts: Counter[str] = Counter()
    for line in lines:
        if len(line.split()) > 40 or _IMAGE_LABEL.match(line):
            continue
        if _BOILERPLATE_CUE.search(line) or not _SENTENCE_END.search(line):
            counts.update(domains_in(line))
    return [d for d, _ in counts.most_common()]


def _outlet_url(ex: Extracted, domain: str | None, host: str) -> str | None:
    if ex.source.url:
        return ex.source.url
    if ex.url and domain and host == domain:
        return ex.url
    return f"https://{domain}" if domain else None


def _first(values: Iterable[str | None]) -> str | None:
    return next((v for v in values if v), None)


def _strip_host(host: str) -> str:
    host = host.lower().strip().rstrip(".")
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            return host[len(prefix) :]
    return host


def _registrable_label(domain: str) -> str:
    host = domain.strip().lower()
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", host).split("/")[0].split(":")[0]
    labels = [x for x in _strip_host(host).split(".") if x]
    if len(labels) >= 2:
        labels.pop()  # the top-level domain
        if len(labels) >= 2 and labels[-1] in _SECOND_LEVEL:
            labels.pop()
    return labels[-1] if labels else ""


@lru_cache(maxsize=1024)
def _segment(chunk: str) -> tuple[str, ...]:
    """Split ``chunk`` into nameplate words and unknown pieces (fewest unknown letters)."""
    n = len(chunk)
    # best[i] = (unknown letters, pieces) for chunk[:i]
    best: list[tuple[int, int, tuple[str, ...]] | None] = [None] * (n + 1)
    best[0] = (0, 0, ())
    for end in range(1, n + 1):
        for start in range(end):
            prev = best[start]
            piece = chunk[start:end]
            known = piece in NAMEPLATE_WORDS
            if prev is None or not (known or len(piece) >= (2 if start == 0 else 3)):
                continue
            cand = (prev[0] + (0 if known else len(piece)), prev[1] + 1, (*prev[2], piece))
            cur = best[end]
            if cur is None or cand[:2] < cur[:2]:
                best[end] = cand
    result = best[n]
    return _glue_connectors(result[2]) if result else (chunk,)


def _glue_connectors(pieces: tuple[str, ...]) -> tuple[str, ...]:
    """Undo splits at "of"/"and"/"the" inside a word: "isl|and" is "island"."""
    out: list[str] = []
    glue_next = False
    for i, piece in enumerate(pieces):
        if glue_next and piece not in NAMEPLATE_WORDS:
            out[-1] += piece
            glue_next = False
            continue
        glue_next = False
        inside_word = bool(out) and out[-1] not in NAMEPLATE_WORDS
        if piece in _CONNECTORS | {"the"} and i and inside_word:
            out[-1] += piece
            glue_next = True
        else:
            out.append(piece)
    return tuple(out)


def _title(words: list[str], *, whole: bool) -> str:
    out: list[str] = []
    for i, word in enumerate(words):
        if i and word in _CONNECTORS:
            out.append(word)
        elif word not in NAMEPLATE_WORDS and len(word) <= 3 and (whole or _no_vowel(word)):
            out.append(word.upper())
        else:
            out.append(word[:1].upper() + word[1:])
    return " ".join(out)


def _no_vowel(word: str) -> bool:
    return not set(word) & _VOWELS
