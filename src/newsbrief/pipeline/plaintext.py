"""Parse plain scraped text into an :class:`~newsbrief.records.Extracted` record.

Paragraphs are separated by blank lines; inside a block, each line is a
paragraph unless the block is hard-wrapped prose (then its lines are joined).
The first line is the title only when it looks like a headline, so that a text
without a title line loses nothing.

Aggregator cards (a "Read at <Outlet>" line with passages wrapped in quotation
marks) are recognised: the passages, with their outer quote marks removed, are
the body; the aggregator's own label and summary go to :class:`AggregatorCard`
and never into the body.
"""

from __future__ import annotations

import re

from newsbrief.errors import EmptyDocument, UnsupportedContent
from newsbrief.pipeline.clean import is_boilerplate_line, photo_credit
from newsbrief.pipeline.outlet import read_at_name
from newsbrief.pipeline.text import normalize
from newsbrief.records import AggregatorCard, Extracted, Fetched, Outlet

_MAX_TITLE_WORDS = 25
_MIN_PASSAGE_WORDS = 6
_MIN_SUMMARY_WORDS = 12
_MAX_LABEL_WORDS = 3
_OPEN_QUOTES = "\"“„«‘'"
_CLOSE_QUOTES = "\"”«»’'“"
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
_BULLET = re.compile(r"^(?:[-•*·▪►>]|\d+[.)])\s+")
_DATE_WORD = re.compile(
    r"\d[\d:./-]*(?:am|pm|st|nd|rd|th)?|gmt|utc|[ecmp][sd]t|updated|published|"
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|"
    r"(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?"
)
_BYLINE = re.compile(r"^by\s+[A-Z]", re.IGNORECASE)
_INNER_SENTENCE_END = re.compile(r"\w{3,}[.!?][\"'”’)]*\s+[(\"“‘']?[A-Z]")
_MINOR_WORDS = frozenset(
    "a an the of in on at to for and or but nor by with from as vs via into over is are was".split()
)


def parse(doc: Fetched) -> Extracted:
    """The title, paragraphs and (for aggregator cards) card and outlet of a text document.

    Raises :class:`~newsbrief.errors.UnsupportedContent` for HTML and
    :class:`~newsbrief.errors.EmptyDocument` for blank text.
    """
    if doc.kind != "text":
        raise UnsupportedContent("not a plain-text document", location=doc.location)
    blocks = _blocks(doc.text)
    if not blocks:
        raise EmptyDocument("the document is empty", location=doc.location)
    title = _title(blocks)
    paragraphs = [p for block in blocks for p in block]
    if title is not None:
        paragraphs = paragraphs[1:]
    card = _parse_card(paragraphs, title)
    return Extracted(
        title=title,
        paragraphs=tuple(card[0] if card else paragraphs),
        url=doc.url,
        source=Outlet(name=card[2]) if card else Outlet(),
        card=card[1] if card else None,
        extractor="plaintext",
        fetched_at=doc.fetched_at,
    )


def _blocks(text: str) -> list[list[str]]:
    """Blank-line separated blocks, each a list of paragraphs."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    blocks: list[list[str]] = []
    for raw in re.split(r"\n[ \t\u00a0]*\n", text):
        lines = [line.strip() for line in raw.split("\n") if line.strip()]
        if lines:
            blocks.append(_join_wrapped(lines))
    return blocks


def _join_wrapped(lines: list[str]) -> list[str]:
    """The block's paragraphs: hard-wrapped lines joined, else one paragraph per line."""
    if _hard_wrapped(lines):
        return [" ".join(lines)]
    out: list[str] = []
    for line in lines:
        if out and _continues(out[-1], line):
            out[-1] += " " + line
        else:
            out.append(line)
    return out


def _hard_wrapped(lines: list[str]) -> bool:
    """Lines of similar width that mostly stop mid-sentence: prose wrapped at a column."""
    if len(lines) < 3 or any(_BULLET.match(line) for line in lines):
        return False
    width = max(len(line) for line in lines)
    if not 40 <= width <= 120:
        return False
    body = lines[:-1]
    full = sum(len(line) >= 0.6 * width for line in body)
    open_ended = sum(not _SENTENCE_END.search(line) for line in body)
    return full >= 0.8 * len(body) and open_ended >= 0.5 * len(body)


def _continues(prev: str, line: str) -> bool:
    """Whether ``line`` carries on the sentence of ``prev`` (it starts in lower case)."""
    return (
        line[0].islower()
        and not _SENTENCE_END.search(prev)
        and not _BULLET.match(line)
        and len(prev.split()) > 3
    )


def _title(blocks: list[list[str]]) -> str | None:
    """The first line, when it looks like a headline rather than running prose."""
    first = blocks[0]
    line = first[0]
    words = line.split()
    if len(blocks) == 1 and len(first) == 1:
        return None  # a single paragraph is all body
    if not 2 <= len(words) <= _MAX_TITLE_WORDS or line[-1] in ".,;:":
        return None
    if not (line[0].isupper() or line[0].isdigit() or line[0] in _OPEN_QUOTES):
        return None
    if line[0] in _OPEN_QUOTES and line[-1] in _CLOSE_QUOTES:
        return None  # a quoted passage, not a headline
    if is_boilerplate_line(line) or photo_credit(line) or _dateline(words) or _not_headline(line):
        return None
    alone = len(first) == 1
    return line if alone or _capitalised_share(words) >= 0.6 else None


def _not_headline(line: str) -> bool:
    """A byline, a line cut at a separator, or more than one sentence."""
    return bool(_BYLINE.match(line) or line[-1] in "|-–—/" or _INNER_SENTENCE_END.search(line))


def _dateline(words: list[str]) -> bool:
    """Mostly dates and times ("26 January 2015 Last updated at 09:11 GMT")."""
    dated = sum(1 for w in words if _DATE_WORD.fullmatch(w.strip(",.()").lower()))
    return dated >= 0.4 * len(words)


def _capitalised_share(words: list[str]) -> float:
    """Share of the content words that start with a capital letter or a digit."""
    content = [w for w in words if w.lower().strip("\"'“”‘’") not in _MINOR_WORDS]
    if not content:
        return 0.0
    caps = sum(1 for w in content if w.lstrip("\"'“‘(")[:1].isupper() or w[:1].isdigit())
    return caps / len(content)


def _parse_card(
    paragraphs: list[str], title: str | None
) -> tuple[list[str], AggregatorCard, str] | None:
    """Passages, card and outlet name when the text is an aggregator's card, else ``None``."""
    outlet = next((n for n in map(read_at_name, paragraphs) if n), None)
    quoted = [i for i, p in enumerate(paragraphs) if _quoted(p)]
    if outlet is None or not quoted:
        return None
    passages = [paragraphs[i][1:-1].strip() for i in quoted]
    own = [p for i, p in enumerate(paragraphs) if i not in quoted and not _noise(p, title)]
    lead = paragraphs[: quoted[0]]
    label = next((p for p in lead if _is_label(p) and not _noise(p, title)), None)
    summary = [p for p in own if _is_prose(p)]
    if len(summary) > max(2, len(quoted)):
        return None  # an article that quotes someone, not a card quoting an article
    card = AggregatorCard(label=label, summary=" ".join(summary) or None)
    return passages, card, outlet


def _quoted(p: str) -> bool:
    """A passage wrapped in quotation marks (straight or curly)."""
    return (
        len(p) > 2
        and p[0] in _OPEN_QUOTES
        and p[-1] in _CLOSE_QUOTES
        and len(p.split()) >= _MIN_PASSAGE_WORDS
    )


def _noise(p: str, title: str | None) -> bool:
    if title is not None and normalize(p) == normalize(title):
        return True
    return is_boilerplate_line(p)


def _is_label(p: str) -> bool:
    return len(p.split()) <= _MAX_LABEL_WORDS and not _SENTENCE_END.search(p)


def _is_prose(p: str) -> bool:
    return len(p.split()) >= _MIN_SUMMARY_WORDS and bool(_SENTENCE_END.search(p))
