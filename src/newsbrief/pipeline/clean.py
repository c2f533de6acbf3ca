"""Clean an extracted record into an article: boilerplate out, images and outlet resolved.

Works on the output of any extractor (HTML or plain text). Every rule is a
general pattern or a statistic over the document itself, never a string from a
particular site. Paragraph by paragraph, in order::

    share residue, lone punctuation       -> dropped
    read-time lines ("5 min read")        -> dropped
    "Read at X"                           -> dropped (X names the outlet when unknown)
    photo credits ("Photo: X", "Credit:") -> images (credit), paired with a caption next to it
    the title again                       -> dropped
    "Related news" / "Read more" headings -> dropped with the teaser items that follow them
    ads, newsletter prompts, (c) lines    -> dropped
    captions and alt texts (short lines repeating the title, a domain, a separator,
    or themselves)                        -> images (caption)
    a paragraph seen before               -> dropped (the first is kept)

What is dropped is kept in :attr:`Article.removed` for inspection.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from newsbrief.errors import NoArticle
from newsbrief.pipeline.outlet import copyright_holder, domains_in, infer_outlet, read_at_name
from newsbrief.pipeline.text import normalize
from newsbrief.records import Article, Extracted, ImageInfo

_MAX_CAPTION_WORDS = 40
_MAX_CREDIT_WORDS = 12
_MAX_TEASER_WORDS = 20

_SHARE_WORDS = frozenset(
    """share shares shared sharing tweet tweets email e-mail mail print facebook twitter x
    linkedin whatsapp pinterest reddit telegram messenger flipboard copy copied link url
    comment comments save saved bookmark follow us on this article story pin it sms gift send
    via or""".split()
)
_AMOUNT = r"(?:about\s+|approx\.?\s+|~\s*)?(?:\d+(?:\s*[-–]\s*\d+)?|less\s+than\s+(?:a|one)|one|a)"
_UNIT = r"\s*-?\s*(?:min(?:ute)?s?|mins?)\.?"
_READ_TIME = re.compile(
    rf"""^(?:unable\s+to\s+(?:calculate|estimate)\s+read(?:ing)?\s+time
        |(?:estimated\s+)?read(?:ing)?\s+time\s*[:\-–]?\s*{_AMOUNT}{_UNIT}(?:\s+read)?
        |{_AMOUNT}{_UNIT}\s+(?:read(?:ing)?|listen)(?:\s+time)?
        )\s*[.!]?$""",
    re.IGNORECASE | re.VERBOSE,
)
_IMAGE_NOUN = r"(?:photo(?:graph)?|image|picture|pic|illustration|graphic|video|foto)s?"
_CREDIT_LINE = re.compile(
    rf"""^[(\[]?\s*(?:
        (?:(?:top|lead|main|featured|header|cover|file)\s+)?{_IMAGE_NOUN}(?:\s+credits?)?
            (?:\s*[:|]\s*|\s+by\s+|\s+[-–—]\s+|\s+copyright\s+)
        |credits?\s*[:|]\s*
        |(?:{_IMAGE_NOUN}\s+)?courtesy(?:\s+of)?\s*:?\s+
        )(?P<rest>.+?)\s*[)\]]?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_TRAILING_CREDIT = re.compile(
    rf"""(?:(?<=[.!?"'”’])\s+|\s*[(\[])
        (?:{_IMAGE_NOUN}(?:\s+credits?)?|credits?)(?:\s*[:|]\s*|\s+by\s+)
        (?P<credit>[^()\[\]]{{2,100}}?)\s*[)\]]?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_TEASER_HEADING = re.compile(
    r"""^(?:related(?:\s+(?:news|articles?|stories|posts|content|coverage|reading|links|topics))?
        |read\s+(?:more|also|next|this\s+next)|also\s+read|see\s+also|keep\s+reading
        |more\s+(?:stories|news|articles|headlines|coverage|to\s+read|like\s+this
            |on\s+(?:this|the)\s+(?:story|topic)|from\s+[\w .&'’-]{1,40})
        |you\s+(?:may|might)\s+(?:also\s+)?(?:like|enjoy|be\s+interested\s+in)
        |recommended(?:\s+(?:for\s+you|stories|reading|articles))?
        |most\s+(?:read|popular|viewed|shared)|trending(?:\s+(?:now|stories|news))?
        |further\s+reading|top\s+stories|latest\s+(?:news|stories|headlines)
        |editor'?s\s+picks?|don'?t\s+miss|what\s+to\s+read\s+next
        )\s*[:.…»>|-]*$""",
    re.IGNORECASE | re.VERBOSE,
)
_INLINE_TEASER = re.compile(
    r"^(?:read\s+(?:more|also|next)|also\s+read|see\s+also|related|more|recommended|watch|listen)"
    r"\s*[:|»>]\s*(?P<rest>.+)$",
    re.IGNORECASE,
)
_BOILERPLATE_LINE = re.compile(
    r"""^(?:advertisement|advertising|sponsored(?:\s+content)?|ad
        |story\s+continues(?:\s+below)?(?:\s+(?:the\s+)?advertisement)?
        |continue\s+reading(?:\s+(?:below|the\s+main\s+story))?
        |skip\s+(?:to\s+)?(?:main\s+)?content|back\s+to\s+top|all\s+rights\s+reserved
        |scroll\s+(?:down\s+)?to\s+continue(?:\s+(?:reading|with\s+content))?
        |subscribe(?:\s+(?:now|today|here))?|sign\s+up|(?:log|sign)\s+in
        |(?:sign\s+up\s+for|subscribe\s+to|get)\s+(?:our|the)\s+[\w\s'’-]{0,40}newsletters?
        |click\s+here\s+to\s+[\w\s]{1,40}
        |listen\s+to\s+(?:this\s+)?(?:article|story)(?:\s+\d+\s*min(?:ute)?s?)?
        |follow\s+us\s+on\s+[\w\s,&]{1,40}
        )\s*[.!:…»>]*$""",
    re.IGNORECASE | re.VERBOSE,
)
_SEPARATOR = re.compile(r"\s[|•·»]\s|\s[-–—]\s|\s::\s")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
_BULLET = re.compile(r"^(?:[-•*·▪►>]|\d+[.)])\s+")
_WORD = re.compile(r"[\w'’-]+")


@dataclass(frozen=True)
class _Verdict:
    kind: str
    """"body", "caption", "credit", "teaser-heading" or "drop"."""
    text: str = ""
    """The body text (for "body": the paragraph, minus any trailing photo credit)."""
    caption: str | None = None
    credit: str | None = None
    reason: str = ""
    """Why a paragraph left the body (for debugging)."""


@dataclass(frozen=True)
class _Context:
    title: str | None
    counts: Counter[str]


def clean(ex: Extracted) -> Article:
    """The clean article of ``ex``: boilerplate removed, images and outlet resolved.

    Raises :class:`~newsbrief.errors.NoArticle` when nothing of the body is left.
    """
    paras = [re.sub(r"\s*\n\s*", " ", p.strip()) for p in ex.paragraphs if p.strip()]
    verdicts = _classify(paras, ex.title)
    body = tuple(v.text for v in verdicts if v.kind == "body")
    if not body:
        raise NoArticle("no article text left after removing boilerplate", location=ex.url)
    removed = tuple(p for p, v in zip(paras, verdicts, strict=True) if v.kind != "body")
    source = ex.source if ex.source.name and ex.source.domain else infer_outlet(ex)
    return Article(
        title=ex.title.strip() if ex.title else None,
        paragraphs=body,
        url=ex.url,
        source=source,
        published=ex.published,
        authors=ex.authors,
        language=ex.language,
        image=ex.image,
        images=_dedupe(ex.images + _images(verdicts)),
        card=ex.card,
        paywalled=ex.paywalled,
        is_excerpt=ex.card is not None or ex.paywalled,
        extractor=ex.extractor,
        fetched_at=ex.fetched_at,
        removed=removed,
        provenance=ex.provenance,
    )


def is_read_time(line: str) -> bool:
    """Whether ``line`` is a read-time indicator ("5 min read", "Reading time: 3 minutes")."""
    text = line.strip()
    if len(text.split()) > 14:
        return False
    last = re.split(r"\s[·|•]\s", text)[-1]
    return bool(_READ_TIME.match(last))


def is_share_residue(line: str) -> bool:
    """Whether ``line`` is share-button residue or lone punctuation ("[", "|", "Share | Tweet")."""
    words = [w.lower() for w in _WORD.findall(line)]
    if not words:
        return True
    if len(line) > 80:
        return False
    named = [w for w in words if not w.isdigit()]
    return bool(named) and all(w in _SHARE_WORDS for w in named)


def is_boilerplate_line(line: str) -> bool:
    """Whether ``line`` is page furniture whatever its context.

    Share residue, read-time lines, "Read at X", photo credits, teaser headings
    and inline teasers, ads and newsletter prompts, and copyright lines.
    """
    text = line.strip()
    return (
        is_share_residue(text)
        or is_read_time(text)
        or read_at_name(text) is not None
        or _credit_line(text) is not None
        or bool(_TEASER_HEADING.match(text) or _BOILERPLATE_LINE.match(text))
        or _is_inline_teaser(text)
        or copyright_holder(text) is not None
    )


def photo_credit(line: str) -> str | None:
    """The photo credit in ``line`` ("Photo: X", "... (Photo by X)"), else ``None``."""
    text = line.strip()
    verdict = _credit_line(text)
    if verdict is not None and verdict.credit:
        return verdict.credit
    m = _TRAILING_CREDIT.search(text)
    return m.group("credit").strip() if m and _looks_like_credit(m.group("credit")) else None


def _classify(paras: Sequence[str], title: str | None) -> list[_Verdict]:
    ctx = _Context(normalize(title) if title else None, Counter(normalize(p) for p in paras))
    verdicts: list[_Verdict] = []
    kept: list[str] = []  # normalised body paragraphs so far
    in_teasers = False
    for p in paras:
        norm = normalize(p)
        if in_teasers and _teaser_like(p, norm, kept):
            verdicts.append(_Verdict("drop", reason="teaser"))
            continue
        verdict = _judge(p, norm, ctx) or _body(p, norm, kept)
        in_teasers = verdict.kind == "teaser-heading" or (in_teasers and verdict.kind != "body")
        if verdict.kind == "body":
            kept.append(norm)
        verdicts.append(verdict)
    return verdicts


def _judge(p: str, norm: str, ctx: _Context) -> _Verdict | None:
    """The verdict on a boilerplate paragraph, or ``None`` when it may be body text."""
    credit = _credit_line(p)
    if credit is not None:
        return credit
    if ctx.title and norm == ctx.title:
        return _Verdict("drop", reason="title")
    if _TEASER_HEADING.match(p):
        return _Verdict("teaser-heading", reason="teaser")
    if is_boilerplate_line(p):
        return _Verdict("drop", reason="boilerplate")
    if _is_caption(p, norm, ctx):
        return _Verdict("caption", caption=p, reason="caption")
    if ctx.counts[norm] >= 3 and len(p.split()) <= _MAX_CREDIT_WORDS:
        return _Verdict("drop", reason="repeated line")
    return None


def _body(p: str, norm: str, kept: list[str]) -> _Verdict:
    if norm in kept:
        return _Verdict("drop", reason="duplicate")
    m = _TRAILING_CREDIT.search(p)
    if m is None or not _looks_like_credit(m.group("credit")):
        return _Verdict("body", text=p)
    rest = p[: m.start()].strip()
    if len(rest.split()) <= _MAX_CAPTION_WORDS:
        credit = m.group("credit").strip()
        return _Verdict("caption", caption=rest or None, credit=credit, reason="caption")
    return _Verdict("body", text=rest, credit=m.group("credit").strip())


def _credit_line(p: str) -> _Verdict | None:
    """A whole-line photo credit ("Photo: X", "(Photo by X)"), or a labelled caption."""
    m = _CREDIT_LINE.match(p)
    if m is None:
        return None
    rest = m.group("rest").strip()
    if _looks_like_credit(rest):
        return _Verdict("credit", credit=rest, reason="credit")
    if len(rest.split()) <= _MAX_CAPTION_WORDS and (rest[:1].isupper() or rest[:1].isdigit()):
        return _Verdict("caption", caption=rest, reason="caption")
    return None


def _looks_like_credit(text: str) -> bool:
    """A short name-like attribution: "Shutterstock", "Jane Roe/Reuters", "example.com"."""
    text = text.strip()
    if not text or len(text.split()) > _MAX_CREDIT_WORDS:
        return False
    if re.search(r"[.!?]\s+[A-Z]", text):
        return False  # more than one sentence: a caption, not a credit
    return text[0].isupper() or text[0].isdigit() or bool(domains_in(text))


def _is_inline_teaser(p: str) -> bool:
    m = _INLINE_TEASER.match(p)
    return m is not None and len(m.group("rest").split()) <= _MAX_TEASER_WORDS + 5


def _is_caption(p: str, norm: str, ctx: _Context) -> bool:
    """A short line with the marks of a caption or alt text, not of prose.

    Strong signs: it contains the title, names a domain, or occurs more than once.
    Weak signs: a separator ("|", " - "), no sentence-final punctuation. It takes
    one strong sign and three signs in all.
    """
    if len(p.split()) > _MAX_CAPTION_WORDS:
        return False
    title = ctx.title or ""
    has_title = len(title.split()) >= 3 and f" {title} " in f" {norm} "
    strong = [has_title, bool(domains_in(p)), ctx.counts[norm] >= 2]
    weak = [bool(_SEPARATOR.search(p)), not _SENTENCE_END.search(p)]
    return any(strong) and sum(strong) + sum(weak) >= 3


def _teaser_like(p: str, norm: str, kept: list[str]) -> bool:
    """Whether ``p`` looks like an item of a teaser list (short, a bullet, or a repeat)."""
    if norm and (norm in kept or (len(norm) >= 30 and any(norm in k for k in kept))):
        return True
    if _BULLET.match(p):
        return True
    return len(p.split()) <= _MAX_TEASER_WORDS and not p.rstrip().endswith(".")


def _images(verdicts: list[_Verdict]) -> tuple[ImageInfo, ...]:
    """Captions and credits as images in reading order, a credit paired with its caption."""
    pairs: dict[int, int] = {}  # credit index -> caption index
    for i, v in enumerate(verdicts):
        if v.kind == "credit":
            j = _adjacent_caption(verdicts, i, set(pairs.values()))
            if j is not None:
                pairs[i] = j
    images: list[ImageInfo] = []
    for i, v in enumerate(verdicts):
        if v.kind == "credit":
            caption = verdicts[pairs[i]].caption if i in pairs else None
            images.append(ImageInfo(caption=caption, credit=v.credit))
        elif (v.kind == "caption" and i not in pairs.values()) or (v.kind == "body" and v.credit):
            images.append(ImageInfo(caption=v.caption, credit=v.credit))
    return tuple(images)


def _adjacent_caption(verdicts: list[_Verdict], i: int, paired: set[int]) -> int | None:
    for j in (i - 1, i + 1):
        if 0 <= j < len(verdicts) and j not in paired:
            v = verdicts[j]
            if v.kind == "caption" and v.credit is None:
                return j
    return None


def _dedupe(images: tuple[ImageInfo, ...]) -> tuple[ImageInfo, ...]:
    return tuple(dict.fromkeys(images))
