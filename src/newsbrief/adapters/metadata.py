"""Article metadata with provenance: every value says where it was found and how sure we are.

Candidates for each field are read from every source the page offers::

    json-ld      NewsArticle-like objects: headline, author, datePublished, dateModified,
                 publisher, inLanguage, image
    opengraph    og:title, og:site_name, og:image, og:locale, article:published_time ...
    meta         <meta name=author|date|...>, <title>, <html lang>, twitter:image
    byline       rel=author / itemprop=author / class "byline"/"author" text, <time datetime>
    url          a date in the URL path (/2024/03/14/, 2024-03-14)
    trafilatura  the library's own reading of the page (title, author, date, site name)

Each source has a base confidence per field; candidates that other sources agree with
gain confidence, and the most confident valid candidate wins. Dates later than the
fetch time are dropped; authors must look like people (not "5 Minute Read",
"Updated 2 hours ago", "Staff" or the outlet's name).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree, html

from newsbrief.records import FieldSource

__all__ = [
    "Candidate",
    "Metadata",
    "clean_author",
    "json_ld_objects",
    "meta_tags",
    "parse_date",
    "read_metadata",
]

_BASE: dict[str, dict[str, float]] = {
    "title": {"json-ld": 0.9, "opengraph": 0.85, "trafilatura": 0.7, "meta": 0.5},
    "authors": {"json-ld": 0.9, "meta": 0.8, "byline": 0.75, "opengraph": 0.7, "trafilatura": 0.6},
    "published": {
        "json-ld": 0.9,
        "opengraph": 0.85,
        "meta": 0.75,
        "byline": 0.7,
        "trafilatura": 0.6,
        "url": 0.5,
    },
    "updated": {"json-ld": 0.9, "opengraph": 0.85, "meta": 0.75, "byline": 0.6},
    "outlet": {"json-ld": 0.9, "opengraph": 0.85, "meta": 0.6, "trafilatura": 0.6},
    "language": {"meta": 0.85, "json-ld": 0.85, "opengraph": 0.7},
    "image": {"opengraph": 0.85, "json-ld": 0.8, "meta": 0.75, "trafilatura": 0.5},
}
_AGREEMENT = 0.05
"""Confidence gained for each other source that gives the same value."""
_ARTICLE_TYPE = re.compile(r"article|posting|report|blog|news", re.IGNORECASE)
_URL_DATE = re.compile(
    r"(?<!\d)(20\d\d|19\d\d)[/_-](0?[1-9]|1[0-2])[/_-](0?[1-9]|[12]\d|3[01])(?!\d)"
)
_NOT_A_NAME = re.compile(
    r"""\d|@|https?:|www\.|\.(?:com|org|net)\b
    |\b(?:min(?:ute)?s?|read|reading|updated?|published|posted|ago|hours?|days?|yesterday
    |today|staff|team|desk|editors?|editorial|newsroom|reporters?|correspondents?|admin
    |administrator|contributors?|guest|anonymous|unknown|redaktion|rédaction|redacción
    |agency|agencies|wire|wires|press|news|media|online|digital|sponsored|partner)\b""",
    re.IGNORECASE | re.VERBOSE,
)
_BY = re.compile(r"^\s*(?:by|von|par|por|door|av|af)\s+", re.IGNORECASE)
_SPLIT_NAMES = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\by\b|\be\b|\|)\s*")
_MAX_NAME_WORDS = 5
_MAIN_FIELDS = frozenset({"title", "authors", "published", "outlet"})


@dataclass(frozen=True)
class Candidate:
    """One value for one field, and where it came from."""

    field: str
    value: str
    source: str


@dataclass(frozen=True)
class Metadata:
    """The chosen value of each field, and the provenance of each choice."""

    title: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None
    updated: str | None = None
    outlet: str | None = None
    language: str | None = None
    image: str | None = None
    provenance: tuple[FieldSource, ...] = field(default=())


def read_metadata(
    tree: html.HtmlElement,
    *,
    url: str | None = None,
    fetched_at: datetime | None = None,
    trafilatura: Callable[[], dict[str, str | None]] | None = None,
) -> Metadata:
    """Read every metadata source of the page and choose each field, with provenance.

    ``trafilatura`` returns the library's own reading (keys title, author, date,
    sitename, image): one more, less trusted, source, asked only when the page's
    own sources leave a main field (title, authors, published, outlet) empty.
    """
    meta = meta_tags(tree)
    objects = list(json_ld_objects(tree))
    found = [
        *_from_json_ld(objects),
        *_from_opengraph(meta),
        *_from_meta(tree, meta),
        *_from_byline(tree),
        *_from_url(url),
    ]
    if trafilatura is not None and not {c.field for c in found} >= _MAIN_FIELDS:
        found += _from_trafilatura(trafilatura())
    return _choose(_split_authors(found), url=url, fetched_at=fetched_at)


def _split_authors(found: list[Candidate]) -> list[Candidate]:
    """One candidate per name: "Jane Roe and John Doe" gives two."""
    out: list[Candidate] = []
    for c in found:
        if c.field != "authors":
            out.append(c)
            continue
        parts = _SPLIT_NAMES.split(c.value)
        out += [Candidate("authors", p, c.source) for p in parts if p.strip()]
    return out


# --- choosing ------------------------------------------------------------------------------


def _choose(found: list[Candidate], *, url: str | None, fetched_at: datetime | None) -> Metadata:
    picked: dict[str, list[FieldSource]] = {}
    outlet = _best(_valid(found, "outlet", fetched_at, None, url))
    outlet_name = outlet[0].value if outlet else None
    for name in _BASE:
        if name == "outlet":
            picked[name] = outlet
        else:
            picked[name] = _best(_valid(found, name, fetched_at, outlet_name, url))

    def one(name: str) -> str | None:
        return picked[name][0].value if picked[name] else None

    return Metadata(
        title=one("title"),
        authors=tuple(s.value for s in picked["authors"]),
        published=one("published"),
        updated=one("updated"),
        outlet=outlet_name,
        language=one("language"),
        image=one("image"),
        provenance=tuple(s for name in _BASE for s in picked[name]),
    )


def _valid(
    found: list[Candidate],
    name: str,
    fetched_at: datetime | None,
    outlet: str | None,
    url: str | None,
) -> list[Candidate]:
    """The candidates of one field, normalised, with impossible values left out."""
    out: list[Candidate] = []
    for c in found:
        if c.field != name:
            continue
        text = " ".join(c.value.split())
        value: str | None = text
        if name in ("published", "updated"):
            value = _dated(text, fetched_at)
        elif name == "authors":
            value = clean_author(text, outlet=outlet, url=url)
        elif name == "image":
            value = _absolute(text, url)
        elif name == "language":
            value = _language(text)
        if value:
            out.append(Candidate(name, value, c.source))
    return out


def _best(candidates: list[Candidate]) -> list[FieldSource]:
    """The most confident value (all of them for authors), with its confidence."""
    if not candidates:
        return []
    scored: dict[str, FieldSource] = {}
    for c in candidates:
        key = _key(c)
        sources = {o.source for o in candidates if _key(o) == key} - {c.source}
        conf = min(0.99, _BASE[c.field].get(c.source, 0.4) + _AGREEMENT * len(sources))
        if key not in scored or conf > scored[key].confidence:
            scored[key] = FieldSource(c.field, c.value, c.source, round(conf, 2))
    ranked = sorted(scored.values(), key=lambda s: -s.confidence)
    if candidates[0].field != "authors":
        return ranked[:1]
    top = ranked[0].source  # the names given by the most trusted source, in its order
    return [scored[k] for k in dict.fromkeys(_key(c) for c in candidates if c.source == top)]


def _key(c: Candidate) -> str:
    if c.field in ("published", "updated"):
        return c.value[:10]
    return " ".join(re.sub(r"[^\w]+", " ", c.value.casefold()).split())


# --- values --------------------------------------------------------------------------------


def parse_date(value: str) -> datetime | date | None:
    """An ISO 8601 date or datetime ("Z" allowed); a bare date stays a date."""
    text = value.strip().replace("Z", "+00:00")
    if re.fullmatch(r"\d{4}-\d\d-\d\d", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _dated(value: str, fetched_at: datetime | None) -> str | None:
    """The ISO form of a date no later than the fetch time, else None."""
    stamp = parse_date(value)
    if stamp is None:
        return None
    if isinstance(stamp, datetime):
        if fetched_at is not None:
            aware = stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
            if aware > _aware(fetched_at):
                return None
        return stamp.isoformat()
    if fetched_at is not None and stamp > _aware(fetched_at).date():
        return None
    return stamp.isoformat()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def clean_author(raw: str, *, outlet: str | None = None, url: str | None = None) -> str | None:
    """A person's name from a byline fragment ("By Jane Roe" -> "Jane Roe"), else None.

    Read times, update notes, staff and desk labels, agencies, URLs and the outlet's
    own name are not people.
    """
    name = _BY.sub("", " ".join(raw.split())).strip(" .,;:-–—|")
    if not name or _NOT_A_NAME.search(name) or len(name.split()) > _MAX_NAME_WORDS:
        return None
    if _is_outlet(name, outlet, url):
        return None
    cased = [w for w in name.split() if w[:1].isalpha() and w[:1].lower() != w[:1].upper()]
    if cased and (len(name.split()) < 2 or not all(w[:1].isupper() for w in cased[:1])):
        return None  # a cased script needs a given name and a family name, capitalised
    return name


def _is_outlet(name: str, outlet: str | None, url: str | None) -> bool:
    key = re.sub(r"[^\w]", "", name.casefold()).removeprefix("the")
    names = [outlet or ""]
    host = urlsplit(url).hostname if url else None
    if host:
        names.append(host.removeprefix("www.").split(".")[0])
    return any(key and key == re.sub(r"[^\w]", "", n.casefold()).removeprefix("the") for n in names)


def _language(value: str) -> str | None:
    tag = re.split(r"[-_]", value.strip())[0].lower()
    return tag if re.fullmatch(r"[a-z]{2,3}", tag) else None


def _absolute(value: str, base: str | None) -> str | None:
    value = value.strip()
    if not value or value.startswith("data:"):
        return None
    if base:
        return urljoin(base, value)
    return value if urlsplit(value).scheme in ("http", "https") else None


# --- sources -------------------------------------------------------------------------------


def meta_tags(tree: html.HtmlElement) -> dict[str, str]:
    """<meta> values by lower-cased property/name/itemprop (first one wins)."""
    found: dict[str, str] = {}
    for element in tree.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop")
        key = key or element.get("http-equiv")
        value = (element.get("content") or "").strip()
        if key and value:
            found.setdefault(key.strip().lower(), value)
    return found


def json_ld_objects(tree: html.HtmlElement) -> Iterator[dict[str, Any]]:
    """Every JSON-LD object on the page, @graph members and lists flattened."""
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "", strict=False)
        except ValueError:
            continue
        yield from _flatten(data)


def _flatten(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item)
    elif isinstance(data, dict):
        yield data
        yield from _flatten(data.get("@graph"))


def _from_json_ld(objects: list[dict[str, Any]]) -> Iterator[Candidate]:
    articles = [o for o in objects if _ARTICLE_TYPE.search(str(o.get("@type", "")))]
    for obj in articles or [o for o in objects if "headline" in o or "datePublished" in o]:
        yield from _ld_fields(obj)
    for obj in objects:
        if "Organization" in str(obj.get("@type", "")) and isinstance(obj.get("name"), str):
            yield Candidate("outlet", obj["name"], "json-ld")


def _ld_fields(obj: dict[str, Any]) -> Iterator[Candidate]:
    simple = {"headline": "title", "datePublished": "published", "dateModified": "updated"}
    simple["inLanguage"] = "language"
    for key, name in simple.items():
        if isinstance(obj.get(key), str):
            yield Candidate(name, obj[key], "json-ld")
    for person in _as_list(obj.get("author")) + _as_list(obj.get("creator")):
        person_name = _person_name(person)
        if person_name:
            yield Candidate("authors", person_name, "json-ld")
    publisher = obj.get("publisher")
    if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
        yield Candidate("outlet", publisher["name"], "json-ld")
    for image in _as_list(obj.get("image"))[:1]:
        url = image.get("url") if isinstance(image, dict) else image
        if isinstance(url, str):
            yield Candidate("image", url, "json-ld")


def _person_name(person: Any) -> str | None:
    """A JSON-LD author's name; organisations are not people."""
    if isinstance(person, str):
        return person
    if not isinstance(person, dict) or "Organization" in str(person.get("@type", "")):
        return None
    name = person.get("name")
    return name if isinstance(name, str) else None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


_OG = {
    "og:title": "title",
    "og:site_name": "outlet",
    "og:image": "image",
    "og:image:url": "image",
    "og:locale": "language",
    "article:published_time": "published",
    "article:modified_time": "updated",
    "og:updated_time": "updated",
    "article:author": "authors",
}
_META = {
    "author": "authors",
    "dc.creator": "authors",
    "sailthru.author": "authors",
    "parsely-author": "authors",
    "pubdate": "published",
    "publishdate": "published",
    "datepublished": "published",
    "dc.date": "published",
    "date": "published",
    "datemodified": "updated",
    "last-modified": "updated",
    "twitter:image": "image",
    "twitter:title": "title",
    "application-name": "outlet",
    "content-language": "language",
}


def _from_opengraph(meta: dict[str, str]) -> Iterator[Candidate]:
    for key, name in _OG.items():
        value = meta.get(key)
        if value and not (name == "authors" and "://" in value):
            yield Candidate(name, value, "opengraph")


def _from_meta(tree: html.HtmlElement, meta: dict[str, str]) -> Iterator[Candidate]:
    lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    if lang:
        yield Candidate("language", lang, "meta")
    for key, name in _META.items():
        value = meta.get(key)
        if value:
            yield Candidate(name, value, "meta")
    titles = tree.xpath("//title")
    if titles:
        yield Candidate("title", titles[0].text_content(), "meta")


def _from_byline(tree: html.HtmlElement) -> Iterator[Candidate]:
    for element in _byline_elements(tree):
        text = " ".join(element.text_content().split())
        if 0 < len(text.split()) <= 15:
            for part in re.split(r"\s[|·•—–]\s", text):
                yield Candidate("authors", part, "byline")
            break
    for element in tree.iter("time"):
        stamp = element.get("datetime")
        if stamp:
            kind = "updated" if "update" in (element.get("class") or "").lower() else "published"
            yield Candidate(kind, stamp, "byline")
            break


def _byline_elements(tree: html.HtmlElement) -> Iterable[etree._Element]:
    marked = tree.xpath('//*[@rel="author" or @itemprop="author"]')
    named = tree.xpath(
        '//*[contains(@class, "byline") or contains(@class, "author-name")'
        ' or contains(@class, "article-author")][not(self::meta)]'
    )
    return [e for e in [*marked, *named] if e.tag not in ("meta", "link")]


def _from_url(url: str | None) -> Iterator[Candidate]:
    match = _URL_DATE.search(urlsplit(url).path if url else "")
    if match:
        year, month, day = (int(g) for g in match.groups())
        try:
            yield Candidate("published", date(year, month, day).isoformat(), "url")
        except ValueError:
            return


def _from_trafilatura(found: dict[str, str | None]) -> Iterator[Candidate]:
    fields = {"title": "title", "date": "published", "sitename": "outlet", "image": "image"}
    for key, name in fields.items():
        value = found.get(key)
        if value:
            yield Candidate(name, value, "trafilatura")
    for name in (found.get("author") or "").split(";"):
        if name.strip():
            yield Candidate("authors", name, "trafilatura")
