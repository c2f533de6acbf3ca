"""Tree-level boilerplate rules, applied to the parsed page before the body is extracted.

Every rule is a general pattern or a statistic over the page itself::

    hidden elements (hidden, display:none, aria-hidden)      -> removed
    furniture tags (aside, figure, nav, form, button, ...)   -> removed
    blocks named like page furniture in class/id             -> removed
        (related, newsletter, fact box, promo, subscribe, share, comments, ad, byline, ...)
    link lists and link-dense blocks (related-story lists)   -> removed
    short paragraphs that are mostly one link ("Read also: <title>") -> removed
    per-site rules (data/site_rules.toml: simple selectors)  -> removed

No rule removes an element that holds most of the page's paragraph text, so a
wrongly named article wrapper ("story--with-related") survives.

:func:`paywall_signals` reads the page (before pruning) for signs that the
article is cut off by a paywall; it never tries to get around one.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import pairwise
from typing import Any

from lxml import etree, html

__all__ = [
    "SiteRule",
    "block_words",
    "furniture_name",
    "link_density",
    "load_site_rules",
    "paywall_prompt",
    "paywall_signals",
    "prune",
    "rule_for",
]

_FURNITURE_TAGS = frozenset(
    """aside figure figcaption nav form button dialog template noscript select svg iframe
    footer""".split()
)
_FURNITURE = re.compile(
    r"""^(?:related|relatedposts|recirc|recirculation|recommend(?:ed|ations?)?|readmore|readnext
    |alsoread|moreon|morefrom|mostread|mostpopular|popular|trending|teasers?|outbrain|taboola
    |newsletters?|signup|subscribe|subscription|subscriptions|promo|promotion|promoted|sponsored
    |advert|adverts|advertisement|ads?|adslot|adunit|banner|cta
    |fact|facts|factbox|infobox|infocard|sidebar|share|sharing|sharebar|social|socials
    |comments?|commentary|disqus|byline|bylines|author|authors|authorbox|bio|breadcrumbs?
    |tags|taglist|keywords|caption|captions|credit|credits|copyright|disclaimer|toolbar
    |kicker|eyebrow|bookmark|audio|podcast|video|player|gallery|slideshow|toc|rating|poll|survey)$""",
    re.VERBOSE,
)
"""Class/id tokens of page furniture (tokens: split on non-letters and camelCase)."""
_UTILITY = re.compile(r"[:\[\]/]")
"""Utility-class names ("print:hidden", "w-[368px]") describe looks, not purpose."""
_MAX_PROSE_IN_FURNITURE = 3
"""A block with this many paragraphs of running prose is content, whatever its name says."""
_BLOCK_TAGS = frozenset({"p", "li", "blockquote", "pre", "h2", "h3", "dd", "td"})
_LINK_CHECKED = frozenset({"ul", "ol", "p", "div", "section", "table", "dl"})
_PROSE_WORDS = 25
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_KEEP_TAGS = frozenset({"html", "body", "article", "main"})
_MAX_SHARE = 0.4
"""A rule may remove an element holding at most this share of the page's paragraph words."""
_LINK_DENSE = 0.5
_LIST_LINK_DENSE = 0.4
_INLINE_TEASER_WORDS = 25
_PAYWALL_CLASS = re.compile(
    r"paywall|regwall|premium-?(?:content|article|teaser|overlay)|subscriber-?only|"
    r"(?:article|content)-?(?:locked|truncated)|piano-?(?:offer|paywall)|meter-?(?:wall|block)",
    re.IGNORECASE,
)
_TEXTS = etree.XPath("//body//text()[not(parent::script or parent::style)]", smart_strings=False)
_ATTRIBUTES = etree.XPath("//@class | //@id", smart_strings=False)
_PAYWALL_TEXT = re.compile(
    r"\b(?:subscribe|sign\s+in|log\s+in|register)\s+(?:now\s+)?to\s+(?:continue|keep|read)"
    r"|\b(?:continue|keep)\s+reading\s+with\s+(?:a\s+)?subscription"
    r"|\bthis\s+(?:article|story|content)\s+is\s+(?:only\s+)?(?:available\s+)?(?:for|to)\s+"
    r"(?:subscribers|members)"
    r"|\bsubscribers?\s+only\b|\balready\s+a\s+subscriber\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class SiteRule:
    """Extra removals for one site, as simple selectors (``tag``, ``.class``, ``#id``...)."""

    domain: str
    remove: tuple[str, ...] = ()
    note: str = ""


# --- pruning -------------------------------------------------------------------------------


@dataclass
class _Stats:
    """Word counts of one element's subtree, computed bottom-up in one pass."""

    words: int = 0
    linked: int = 0
    """Words inside links."""
    blocks: int = 0
    """Words inside paragraph-like blocks (p, li, blockquote...)."""
    prose: int = 0
    """Paragraphs of running prose: at least 25 words, few of them linked."""

    @property
    def density(self) -> float:
        return self.linked / self.words if self.words else 0.0


def prune(tree: html.HtmlElement, rule: SiteRule | None = None) -> list[str]:
    """Remove boilerplate blocks from ``tree`` in place; returns why each one went."""
    stats = page_stats(tree)
    limit = _MAX_SHARE * max(1, stats[tree].blocks)
    chosen: list[tuple[html.HtmlElement, str]] = []
    site = {
        e: f"site rule {sel}" for sel in (rule.remove if rule else ()) for e in _select(tree, sel)
    }
    covered: set[html.HtmlElement] = set()  # inside a block already chosen
    for element in tree.iter(etree.Element):
        if element in covered or element.getparent() is None:
            continue
        stat = stats[element]
        reason = site.get(element) or _furniture_reason(element, stat)
        reason = reason or _link_reason(element, stat)
        if reason and element.tag not in _KEEP_TAGS and stat.blocks <= limit:
            chosen.append((element, reason))
            covered.update(element.iter())
    for element, _ in chosen:
        _drop(element)
    return [f"{reason}: {element.tag}" for element, reason in chosen]


def page_stats(tree: html.HtmlElement) -> dict[html.HtmlElement, _Stats]:
    """Word statistics of every element, children before parents (one pass)."""
    elements = [e for e in tree.iter(etree.Element)]
    stats: dict[html.HtmlElement, _Stats] = {}
    for element in reversed(elements):
        stat = _Stats(words=_count(element.text))
        for child in element:
            if isinstance(child.tag, str):
                sub = stats[child]
                stat.words += sub.words
                stat.linked += sub.linked
                stat.blocks += sub.blocks
                stat.prose += sub.prose
            stat.words += _count(child.tail)
        if element.tag == "a":
            stat.linked = stat.words
        if element.tag in _BLOCK_TAGS:
            stat.blocks = stat.words
        if element.tag == "p" and stat.words >= _PROSE_WORDS and stat.density < 0.3:
            stat.prose += 1
        stats[element] = stat
    return stats


def _count(text: str | None) -> int:
    if not text:
        return 0
    return len(text.split()) + len(_CJK.findall(text)) // 2


def _furniture_reason(element: html.HtmlElement, stat: _Stats) -> str | None:
    if element.tag in _FURNITURE_TAGS:
        return "tag"
    style = (element.get("style") or "").replace(" ", "").lower()
    if element.get("hidden") is not None or "display:none" in style or "visibility:hidden" in style:
        return "hidden"
    if element.get("aria-hidden") == "true" or element.get("role") in ("complementary", "dialog"):
        return "hidden"
    name = furniture_name(element)
    if name and stat.prose < _MAX_PROSE_IN_FURNITURE:
        return f"named {name}"
    return None


def furniture_name(element: html.HtmlElement) -> str | None:
    """The class/id token that names ``element`` as page furniture, if any."""
    if element.tag in _KEEP_TAGS:
        return None
    names = f"{element.get('class') or ''} {element.get('id') or ''}"
    if not names.strip():
        return None
    for token in _name_tokens(" ".join(n for n in names.split() if not _UTILITY.search(n))):
        if _FURNITURE.match(token):
            return token
    return None


@cache
def _name_tokens(names: str) -> tuple[str, ...]:
    """ "relatedStories read-more_box" -> related, stories, readmore, read, more, box."""
    out: list[str] = []
    for name in names.split():
        parts = [p.lower() for p in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", name)]
        out += parts
        out += [a + b for a, b in pairwise(parts)]
    return tuple(out)


def _link_reason(element: html.HtmlElement, stat: _Stats) -> str | None:
    if element.tag not in _LINK_CHECKED or stat.words == 0:
        return None
    density = stat.density
    if element.tag in ("ul", "ol", "dl") and density >= _LIST_LINK_DENSE and len(element) >= 2:
        return "link list"
    if element.tag == "p":
        dense = density >= _LINK_DENSE and stat.words <= _INLINE_TEASER_WORDS
        return "inline teaser" if dense else None
    if density >= _LINK_DENSE and stat.prose == 0:
        return "link-dense block"
    return None


def link_density(element: html.HtmlElement) -> float:
    """Share of the element's words that are inside links."""
    return page_stats(element)[element].density


def block_words(element: html.HtmlElement) -> int:
    """Words in the paragraph-like blocks (p, li, blockquote...) under ``element``."""
    return page_stats(element)[element].blocks


def _drop(element: html.HtmlElement) -> None:
    """Remove the element but keep its tail text in the tree."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail and element.tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


# --- per-site rules --------------------------------------------------------------------------


def _select(tree: html.HtmlElement, selector: str) -> list[html.HtmlElement]:
    found = tree.xpath(_selector_xpath(selector))
    return [e for e in found if isinstance(e, html.HtmlElement)]


def _selector_xpath(selector: str) -> str:
    """``tag``, ``.class``, ``#id`` or ``tag.class#id`` as an XPath (descendant) expression."""
    m = re.fullmatch(r"([a-z][a-z0-9]*)?((?:[.#][\w-]+)*)", selector.strip(), re.IGNORECASE)
    if m is None or not (m.group(1) or m.group(2)):
        raise ValueError(f"unsupported selector: {selector!r}")
    tests = []
    for kind, name in re.findall(r"([.#])([\w-]+)", m.group(2)):
        if kind == "#":
            tests.append(f"@id='{name}'")
        else:
            tests.append(f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')")
    return f"//{m.group(1) or '*'}" + "".join(f"[{t}]" for t in tests)


def load_site_rules(text: str | None = None) -> dict[str, SiteRule]:
    """Site rules by domain, from ``text`` (TOML) or the packaged data/site_rules.toml."""
    if text is None:
        text = resources.files("newsbrief").joinpath("data/site_rules.toml").read_text("utf-8")
    data: dict[str, Any] = tomllib.loads(text)
    rules: dict[str, SiteRule] = {}
    for entry in data.get("site", []):
        rule = SiteRule(
            domain=str(entry["domain"]).lower().removeprefix("www."),
            remove=tuple(str(s) for s in entry.get("remove", ())),
            note=str(entry.get("note", "")),
        )
        for selector in rule.remove:
            _selector_xpath(selector)  # fail early on a bad selector
        rules[rule.domain] = rule
    return rules


@cache
def _packaged_rules() -> dict[str, SiteRule]:
    return load_site_rules()


def rule_for(domain: str | None, rules: dict[str, SiteRule] | None = None) -> SiteRule | None:
    """The rule of ``domain`` or of its closest parent domain ("news.a.example" -> "a.example")."""
    table = _packaged_rules() if rules is None else rules
    host = (domain or "").lower().removeprefix("www.")
    while host:
        if host in table:
            return table[host]
        host = host.partition(".")[2]
    return None


# --- paywalls --------------------------------------------------------------------------------


def paywall_signals(tree: html.HtmlElement, objects: Iterable[dict[str, Any]]) -> list[str]:
    """Signs that the article is behind a paywall or cut short (empty list when none).

    Each sign starts with its kind: ``json-ld`` (``isAccessibleForFree: false``, also
    on a ``hasPart`` with its ``cssSelector``), ``prompt`` (a "subscribe to continue
    reading" prompt inside the article or a paywall block) or ``markup`` (a paywall
    class/id name: weak on its own, as free articles often carry the markup too).
    """
    signals: list[str] = []
    for obj in objects:
        for part in [obj, *_parts(obj)]:
            if str(part.get("isAccessibleForFree", "")).strip().lower() == "false":
                selector = part.get("cssSelector")
                signals.append(f"json-ld isAccessibleForFree=false {selector or ''}".strip())
    walled = _PAYWALL_CLASS.search(" ".join(_ATTRIBUTES(tree)))
    if walled is not None:
        signals.append(f"markup {walled.group()}")
    if _may_prompt(" ".join(_TEXTS(tree))):
        for element in tree.iter("p", "div", "span", "h2", "h3", "h4", "strong", "a"):
            if paywall_prompt(element.text or "") and _in_content(element):
                signals.append(f"prompt {' '.join((element.text or '').split())[:60]!r}")
                break
    return signals


def paywall_prompt(text: str) -> bool:
    """Whether ``text`` is a short "subscribe to continue reading"-like prompt."""
    return _may_prompt(text) and len(text.split()) <= 40 and bool(_PAYWALL_TEXT.search(text))


def _may_prompt(text: str) -> bool:
    """A quick test that the text has the key words of a paywall prompt (before the regex)."""
    lowered = text.lower()
    return any(word in lowered for word in ("subscri", "reading", "members"))


def _names(element: etree._Element) -> str:
    return f"{element.get('class') or ''} {element.get('id') or ''}".strip()


def _in_content(element: etree._Element) -> bool:
    """Inside the article (article/main) or a paywall block, not the page's header."""
    for ancestor in element.iterancestors():
        if ancestor.tag in ("article", "main") or _PAYWALL_CLASS.search(_names(ancestor)):
            return True
        if ancestor.tag in ("header", "nav", "footer"):
            return False
    return False


def _parts(obj: dict[str, Any]) -> list[dict[str, Any]]:
    part = obj.get("hasPart")
    parts = part if isinstance(part, list) else [part]
    return [p for p in parts if isinstance(p, dict)]
