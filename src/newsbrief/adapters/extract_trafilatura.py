"""The default HTML extractor: trafilatura for the body, plus our own metadata readers.

Steps of :meth:`TrafilaturaExtractor.extract`::

    parse the HTML once with lxml (libxml2 stops at 255 levels of nesting)
      -> from the whole page: canonical URL, metadata with provenance (adapters.metadata),
         images with captions and credits, paywall signals, every form of the headline
      -> prune boilerplate blocks from the tree (adapters.extract_rules, site rules)
      -> trafilatura (balanced, no comments; recall mode when it finds little) for the body
      -> paragraphs: one per block element, the headline dropped from the top;
         the unpruned page once more if no prose is left; NoArticle when none at all

See docs/extraction.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree, html
from trafilatura import bare_extraction
from trafilatura.metadata import extract_metadata
from trafilatura.settings import Document

from newsbrief.adapters.extract_rules import paywall_prompt, paywall_signals, prune, rule_for
from newsbrief.adapters.metadata import Metadata, json_ld_objects, meta_tags, read_metadata
from newsbrief.errors import InputError, NoArticle
from newsbrief.pipeline.text import count_words
from newsbrief.records import Extracted, Fetched, ImageInfo, Outlet

__all__ = ["TrafilaturaExtractor", "split_credit"]

_MIN_PROSE_WORDS = 7
"""A paragraph of fewer words (a menu entry, a button) is not evidence of an article."""
_MIN_ARTICLE_WORDS = 15
_SHORT_TEXT = 500
"""Below this many characters the precise extraction is retried favouring recall."""
_SHORT_PAYWALLED = 150
"""With paywall markup, a body shorter than this (in words) is taken as cut off."""
_HEAD = 3
"""How many leading paragraphs are checked for a repeated headline."""
_CONTAINERS = frozenset({"list", "quote", "div", "table", "row"})
_BLOCKS = frozenset({"p", "head", "item", "list", "quote", "code", "table"})
_CREDIT = re.compile(
    r"(?:^|(?<=[\s.(|–—-]))\(?\s*(?:photo(?:graph)?s?|image|picture|illustration|foto|credit)"
    r"(?:\s+credits?)?\s*(?::|\bby\b)\s*(?P<credit>[^()]+?)\)?\s*$",
    re.IGNORECASE,
)
_NOT_CONTENT = {"nav", "footer", "aside"}
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>", re.IGNORECASE)


class TrafilaturaExtractor:
    """Implements :class:`newsbrief.ports.HtmlExtractor` with trafilatura."""

    name = "trafilatura"

    def extract(self, doc: Fetched, /) -> Extracted:
        """Extract the body and metadata of an HTML document; raises NoArticle if none."""
        if doc.kind != "html":
            raise InputError("not an HTML document", location=doc.location)
        tree, too_deep = _parse(doc)
        page = _read_page(tree, doc)
        prune(tree, rule_for(_domain(page.url)))
        paragraphs = _body(tree, page.url, doc.location, page.titles)
        if not _has_prose(paragraphs):  # the rules removed too much: once more without them
            paragraphs = _body(_parse(doc)[0], page.url, doc.location, page.titles)
        if not _has_prose(paragraphs):
            reason = "HTML nested too deeply (over 255 levels) and " if too_deep else ""
            raise NoArticle(f"{reason}no article text found", location=doc.location)
        return _to_extracted(doc, page, paragraphs)


@dataclass(frozen=True)
class _Page:
    """What we read from the whole page before pruning it."""

    url: str | None
    metadata: Metadata
    titles: list[str]
    """Every form of the headline, comparable (to drop it from the top of the body)."""
    paywall: list[str]
    """Signs of a paywall (see :func:`extract_rules.paywall_signals`)."""
    images: tuple[ImageInfo, ...]


def _parse(doc: Fetched) -> tuple[html.HtmlElement, bool]:
    """Parse with libxml2; also say whether it stopped at its nesting limit."""
    parser = html.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, collect_ids=False
    )
    data = _XML_DECL.sub("", doc.text, count=1).encode("utf-8", errors="replace")
    try:
        tree = html.document_fromstring(data, parser=parser)
    except (etree.ParserError, ValueError):
        raise NoArticle("no HTML content found", location=doc.location) from None
    too_deep = any("depth" in entry.message.lower() for entry in parser.error_log)
    return tree, too_deep


def _trafilatura_metadata(tree: html.HtmlElement, url: str | None) -> dict[str, str | None]:
    """trafilatura's own reading of the page's metadata (one more source)."""
    try:
        found = extract_metadata(tree, default_url=url)
    except (RecursionError, ValueError, TypeError):
        return {}
    if not isinstance(found, Document):
        return {}
    keys = ("title", "author", "date", "sitename", "image")
    return {k: getattr(found, k, None) for k in keys}


def _body(
    tree: html.HtmlElement, url: str | None, location: str, titles: list[str]
) -> tuple[str, ...]:
    """The body paragraphs: trafilatura's balanced mode, its recall mode when that finds little."""
    first = _bare(tree, url, location, favor_recall=False)
    paragraphs = _paragraphs(first, titles) if first is not None else ()
    if len(" ".join(paragraphs)) >= _SHORT_TEXT:
        return paragraphs
    broad = _bare(tree, url, location, favor_recall=True)
    others = _paragraphs(broad, titles) if broad is not None else ()
    return max(paragraphs, others, key=_prose_words)


def _bare(
    tree: html.HtmlElement, url: str | None, location: str, *, favor_recall: bool
) -> Document | None:
    try:
        result = bare_extraction(
            tree,
            url=url,
            with_metadata=False,
            include_comments=False,
            include_tables=False,
            favor_recall=favor_recall,
            deduplicate=False,
        )
    except RecursionError:
        raise NoArticle("HTML nested too deeply to extract", location=location) from None
    return result if isinstance(result, Document) else None


def _titles(tree: html.HtmlElement, metadata: Metadata) -> list[str]:
    found = [metadata.title, *(c.value for c in metadata.provenance if c.field == "title")]
    found += [_first_text(tree, "//title")]
    found += [" ".join(h.text_content().split()) for h in tree.iter("h1")][:2]
    return [t for t in dict.fromkeys(_comparable(t) for t in found if t) if t]


def _paragraphs(result: Document, titles: list[str]) -> tuple[str, ...]:
    """One paragraph per block element of trafilatura's body (line breaks split too)."""
    out: list[str] = []
    if result.body is not None:
        for element in result.body:
            _collect_blocks(element, out)
    # the headline repeated at the top of the body (maybe with a kicker or the site's name)
    return tuple(p for i, p in enumerate(out) if i >= _HEAD or not _is_headline(p, titles))


def _is_headline(paragraph: str, titles: list[str]) -> bool:
    text = _comparable(paragraph)
    words = len(text.split())
    for title in titles:
        size = len(title.split())
        if text == title or (size >= 3 and f" {title} " in f" {text} " and words <= size + 8):
            return True
        if words >= 3 and f" {text} " in f" {title} " and words >= 0.6 * size:
            return True
    return False


def _comparable(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def _collect_blocks(element: etree._Element, out: list[str]) -> None:
    if element.tag in _CONTAINERS and any(child.tag in _BLOCKS for child in element):
        _add_lines(element.text, out)
        for child in element:
            _collect_blocks(child, out)
            _add_lines(child.tail, out)
        return
    _add_lines(_text_without(element, [], line_break="lb"), out)


def _add_lines(text: str | None, out: list[str]) -> None:
    for line in (text or "").split("\n"):
        cleaned = " ".join(line.split())
        if cleaned:
            out.append(cleaned)


def _prose_words(paragraphs: tuple[str, ...]) -> int:
    counts = (count_words(p) for p in paragraphs)
    return sum(n for n in counts if n >= _MIN_PROSE_WORDS)


def _has_prose(paragraphs: tuple[str, ...]) -> bool:
    return _prose_words(paragraphs) >= _MIN_ARTICLE_WORDS


def _to_extracted(doc: Fetched, page: _Page, paragraphs: tuple[str, ...]) -> Extracted:
    md = page.metadata
    return Extracted(
        title=md.title,
        paragraphs=paragraphs,
        url=page.url,
        source=Outlet(name=md.outlet, domain=_domain(page.url), url=page.url),
        published=md.published,
        authors=md.authors,
        language=md.language,
        image=md.image,
        images=page.images,
        paywalled=_paywalled(page.paywall, paragraphs),
        extractor=TrafilaturaExtractor.name,
        fetched_at=doc.fetched_at,
        provenance=md.provenance,
    )


def _paywalled(signals: list[str], paragraphs: tuple[str, ...]) -> bool:
    """JSON-LD or a prompt says so, the body ends on a prompt, or markup and a short body."""
    if any(s.startswith(("json-ld", "prompt")) for s in signals):
        return True
    if any(paywall_prompt(p) for p in paragraphs[-3:]):
        return True
    markup = any(s.startswith("markup") for s in signals)
    return markup and sum(count_words(p) for p in paragraphs) < _SHORT_PAYWALLED


# --- page metadata ----------------------------------------------------------------------


def _read_page(tree: html.HtmlElement, doc: Fetched) -> _Page:
    objects = list(json_ld_objects(tree))
    url = _canonical(tree, meta_tags(tree), objects, doc.url)
    fetched_at = doc.fetched_at or datetime.now(UTC)
    metadata = read_metadata(
        tree, url=url, fetched_at=fetched_at, trafilatura=lambda: _trafilatura_metadata(tree, url)
    )
    return _Page(
        url=url,
        metadata=metadata,
        titles=_titles(tree, metadata),
        paywall=paywall_signals(tree, objects),
        images=tuple(_images(tree, url)),
    )


def _canonical(
    tree: html.HtmlElement, meta: dict[str, str], objects: list[dict[str, Any]], base: str | None
) -> str | None:
    """<link rel=canonical>, else og:url, made absolute against whatever base is known."""
    bases = [base, meta.get("og:url"), *(_ld_urls(objects))]
    known = next((b for b in bases if _http_url(b)), None)
    links = tree.xpath('//link[contains(concat(" ", normalize-space(@rel), " "), " canonical ")]')
    for candidate in [*(link.get("href") for link in links), meta.get("og:url")]:
        url = _http_url(_absolute(candidate, known))
        if url:
            return url
    return _http_url(base)


def _ld_urls(objects: list[dict[str, Any]]) -> list[str]:
    urls = [o.get("url") for o in objects] + [o.get("@id") for o in objects]
    return [u for u in urls if isinstance(u, str)]


def _http_url(url: str | None) -> str | None:
    return url if url and urlsplit(url).scheme in ("http", "https") and "//" in url else None


def _absolute(url: str | None, base: str | None) -> str | None:
    if not url or not url.strip():
        return None
    url = url.strip()
    return urljoin(base, url) if base else (url if _http_url(url) else None)


def _domain(url: str | None) -> str | None:
    return _strip_www(urlsplit(url).hostname) if url else None


def _strip_www(host: str | None) -> str | None:
    return host[4:] if host and host.startswith("www.") else host


def _first_text(tree: html.HtmlElement, xpath: str) -> str | None:
    found = tree.xpath(xpath)
    text = " ".join(found[0].text_content().split()) if found else ""
    return text or None


# --- images, captions and credits ------------------------------------------------------


def split_credit(caption: str) -> tuple[str | None, str | None]:
    """Split "Caption text. Photo: Name/Agency" into (caption, credit)."""
    text = " ".join(caption.split())
    match = _CREDIT.search(text)
    if not match:
        return (text or None), None
    rest = text[: match.start()].rstrip(" |–—-(").strip()
    return (rest or None), match.group("credit").strip(" .") or None


@dataclass
class _Image:
    """An image being collected; ``alt_only`` while its caption is just the alt text."""

    url: str | None
    caption: str | None = None
    credit: str | None = None
    alt_only: bool = False


def _images(tree: html.HtmlElement, base: str | None) -> list[ImageInfo]:
    """Images with their captions and credits, in page order, without duplicates."""
    found: list[_Image] = []
    claimed: set[etree._Element] = set()
    for element in tree.iter():
        if element not in claimed and isinstance(element.tag, str):
            _image_at(element, base, claimed, found)
    infos: list[ImageInfo] = []
    for image in found:
        info = ImageInfo(url=image.url, caption=image.caption, credit=image.credit)
        if info not in infos and (info.caption or info.credit):
            infos.append(info)
    return infos


def _image_at(
    element: html.HtmlElement, base: str | None, claimed: set[Any], found: list[_Image]
) -> None:
    classes = (element.get("class") or "").lower()
    captioned = "caption" in classes or "credit" in classes
    if element.tag == "figure" or (captioned and element.find(".//img") is not None):
        claimed.update(element.iter())
        found.append(_figure(element, base))
    elif captioned:
        claimed.update(element.iter())
        _loose_caption(element, found)
    elif element.tag == "img" and _is_content_image(element):
        alt = " ".join((element.get("alt") or "").split()) or None
        found.append(_Image(url=_image_url(element, base), caption=alt, alt_only=True))


def _figure(figure: html.HtmlElement, base: str | None) -> _Image:
    img = figure.find(".//img")
    credits = _outermost(e for e in figure.iter() if "credit" in (e.get("class") or "").lower())
    caption_el = figure.find(".//figcaption")
    if caption_el is None:
        caption_el = next(
            (e for e in figure.iter() if "caption" in (e.get("class") or "").lower()), None
        )
    caption = _text_without(caption_el, credits) if caption_el is not None else ""
    credit = " ".join(_text_without(c, []) for c in credits) or None
    alt = " ".join((img.get("alt") or "").split()) if img is not None else ""
    caption_text, embedded = split_credit(caption or alt)
    credit = (split_credit(credit)[1] or credit) if credit else embedded
    url = _image_url(img, base) if img is not None else None
    return _Image(url=url, caption=caption_text, credit=credit, alt_only=not caption)


def _outermost(elements: Iterator[etree._Element]) -> list[etree._Element]:
    chosen: list[etree._Element] = []
    for element in elements:
        if not any(a in chosen for a in element.iterancestors()):
            chosen.append(element)
    return chosen


def _loose_caption(element: html.HtmlElement, found: list[_Image]) -> None:
    """A caption or credit outside any figure completes the image just before it."""
    text = _text_without(element, [])
    caption, credit = split_credit(text)
    if "credit" in (element.get("class") or "").lower() and credit is None:
        caption, credit = None, text or None
    last = found[-1] if found and found[-1].url else None
    if last is not None and caption and (last.caption is None or last.alt_only):
        last.caption, last.alt_only, caption = caption, False, None
    if last is not None and credit and last.credit is None:
        last.credit, credit = credit, None
    if caption or credit:
        found.append(_Image(url=None, caption=caption, credit=credit))


def _is_content_image(img: html.HtmlElement) -> bool:
    for attr in ("width", "height"):
        size = (img.get(attr) or "").strip().removesuffix("px")
        if size.isdigit() and int(size) < 100:
            return False
    if "logo" in (img.get("alt") or "").lower() + (img.get("class") or "").lower():
        return False
    ancestors = {a.tag for a in img.iterancestors()}
    if ancestors & _NOT_CONTENT:
        return False
    return "header" not in ancestors or bool(ancestors & {"article", "main"})


def _image_url(img: html.HtmlElement, base: str | None) -> str | None:
    src = img.get("src") or img.get("data-src") or ""
    if not src and img.get("srcset"):
        src = img.get("srcset", "").split(",")[0].split()[0]
    if src.startswith("data:"):
        return None
    return _absolute(src, base) or (src or None)


def _text_without(
    element: etree._Element, excluded: list[etree._Element], *, line_break: str | None = None
) -> str:
    """The element's text, leaving out ``excluded`` subtrees; whitespace collapsed.

    With ``line_break``, elements of that tag become newlines (kept in the result).
    """
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if node in excluded:
            return
        parts.append("\n" if node.tag == line_break else (node.text or ""))
        for child in node:
            walk(child)
            parts.append(child.tail or "")

    walk(element)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)
