"""Text helpers shared by the stages: words, sentences, normalisation.

Sentences are returned as exact substrings of the input (with their offsets),
so that anything quoted from them is verbatim by construction.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

_CJK = (
    r"\u3040-\u30ff"  # hiragana, katakana
    r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs
    r"\uac00-\ud7af"  # hangul syllables
)
_CJK_CHAR = re.compile(f"[{_CJK}]")
_WORD = re.compile(rf"[^\s{_CJK}]*(?:(?![{_CJK}])\w)[^\s{_CJK}]*")
_TOKEN = re.compile(r"\w+(?:['’]\w+)*", re.UNICODE)

# Abbreviations after which a full stop does not end a sentence (lower-cased, without the dot).
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st mt ft gen lt col capt cmdr adm sgt maj gov sen rep rev hon pres
    supt insp det cpl pvt jan feb mar apr jun jul aug sep sept oct nov dec no nos vol vs etc inc
    ltd co corp bros dept est approx fig al e.g i.e u.s u.k u.n e.u a.m p.m d.c n.y l.a u.s.a
    sra srta sr dres hr fr frau nr bzw ca usw z.b""".split()
)

_BOUNDARY = re.compile(
    r"""(?P<end>[.!?…]+|[。！？]+)      # terminal punctuation
        (?P<close>["'”’»)\]]*)        # closing quotes or brackets
        (?P<space>\s+|(?<=[。！？])) # then white space (CJK needs none)
    """,
    re.VERBOSE,
)
_STARTS_SENTENCE = re.compile(r"""["'“‘«(\[]*[\w¿¡]""", re.UNICODE)


@dataclass(frozen=True)
class Span:
    """A sentence as a slice of the text it came from."""

    start: int
    end: int
    text: str


def count_words(text: str) -> int:
    """Words for read-time purposes; each CJK character counts as one."""
    return len(_WORD.findall(text)) + len(_CJK_CHAR.findall(text))


def cjk_ratio(text: str) -> float:
    """Share of non-space characters that are CJK."""
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return 0.0
    return sum(1 for c in chars if _CJK_CHAR.match(c)) / len(chars)


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens (letters and digits), for similarity measures."""
    return [t.lower() for t in _TOKEN.findall(text)]


def normalize(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form, for comparing paragraphs."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(tokens(text))


def _is_abbreviation(text: str, end: int) -> bool:
    """Whether the full stop ending at ``end`` belongs to an abbreviation or an initial."""
    m = re.search(r"([\w.]+)\.$", text[max(0, end - 12) : end])
    if not m:
        return False
    word = m.group(1)
    low = word.lower()
    if low in _ABBREVIATIONS:
        return True
    # Single initials ("J. Smith") and dotted acronyms ("U.S.").
    return (len(word) == 1 and word.isupper()) or bool(re.fullmatch(r"(?:\w\.)+\w", word))


def sentence_spans(text: str) -> list[Span]:
    """Split ``text`` into sentences; each span's ``text`` is ``text[start:end]``.

    Paragraph breaks (blank lines or newlines) always end a sentence.
    """
    spans: list[Span] = []
    for para_start, para in _paragraphs_with_offsets(text):
        spans.extend(_split_paragraph(para, para_start))
    return spans


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` as verbatim substrings."""
    return [s.text for s in sentence_spans(text)]


def _paragraphs_with_offsets(text: str) -> Iterator[tuple[int, str]]:
    for m in re.finditer(r"[^\n]+", text):
        if m.group().strip():
            yield m.start(), m.group()


def _split_paragraph(para: str, offset: int) -> Iterator[Span]:
    start = 0
    lowercased = not any(c.isupper() for c in para)
    for m in _BOUNDARY.finditer(para):
        end = m.end("close")
        rest = para[m.end() :]
        start_m = _STARTS_SENTENCE.match(rest) if rest else None
        if not start_m:
            continue
        if start_m.group()[-1].islower() and not (lowercased or _detached(para, m.start())):
            continue
        if m.group("end") == "." and _is_abbreviation(para, m.end("end")):
            continue
        if (
            m.group("end") == "."
            and re.search(r"\d\.$", para[: m.end("end")])
            and rest[:1].isdigit()
        ):
            continue
        yield from _span(para, start, end, offset)
        start = m.end()
    yield from _span(para, start, len(para), offset)


def _detached(para: str, pos: int) -> bool:
    """Whether the punctuation at ``pos`` stands apart (tokenized text: "word . next").

    A free-standing full stop cannot end an abbreviation, so it ends a sentence even when the
    next word is lower-case; spaced ellipses (". . .") are left alone.
    """
    return pos >= 2 and para[pos - 1] == " " and para[pos - 2] not in ".…"


def _span(para: str, start: int, end: int, offset: int) -> Iterator[Span]:
    piece = para[start:end]
    stripped = piece.strip()
    if not stripped:
        return
    lead = len(piece) - len(piece.lstrip())
    s = offset + start + lead
    yield Span(s, s + len(stripped), stripped)
