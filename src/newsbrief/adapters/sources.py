"""Tell what a source is (an article, a feed, OPML, a sitemap, a WARC, a directory) and expand
it lazily into the articles it points at or holds.

::

    detect(location, data, content_type) -> SourceKind
    expand(location, kind, data, load=...) ->
        rss / atom       -> Link(kind="page")  entry link + title, date, summary (feedparser)
        opml             -> Link(kind="feed")  each outline's xmlUrl (defusedxml)
        sitemap / _index -> Link(kind="page")  <loc>, lastmod, Google News fields (streamed);
                            child sitemaps loaded through ``load``, depth-bounded, once each
        warc             -> Fetched            HTML/text response records (warcio, streamed)
        directory        -> Fetched            HTML/text files (files.iter_directory)

Every expander is a generator: nothing is read before the first item is asked for. XML is
parsed with defusedxml (no entity expansion, no external resources); gzip is decompressed as
a stream with a size cap, so a compression bomb stops at ``max_bytes``.
"""

from __future__ import annotations

import calendar
import gzip
import html
import io
import logging
import os
import re
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Literal, cast
from urllib.parse import urljoin, urlsplit

import feedparser
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from newsbrief.adapters.files import FileLoader, iter_directory
from newsbrief.adapters.sniff import decode, detect_kind
from newsbrief.errors import InputError, NewsbriefError, TooLarge, UnsupportedContent
from newsbrief.records import Fetched

__all__ = [
    "Link",
    "LinkKind",
    "Loader",
    "SourceKind",
    "detect",
    "expand",
    "expand_feed",
    "expand_opml",
    "expand_sitemap",
    "iter_directory_documents",
    "iter_warc",
    "sniff_kind",
    "walk_sitemaps",
]

logger = logging.getLogger(__name__)

SourceKind = Literal[
    "article", "rss", "atom", "opml", "sitemap", "sitemap_index", "warc", "directory"
]
LinkKind = Literal["page", "feed", "sitemap"]
Loader = Callable[[str], bytes]
"""Fetches a URL's raw bytes (e.g. ``lambda u: fetcher.fetch(u).body``); raises on failure."""
ErrorHook = Callable[[str, NewsbriefError], None]
"""Told about each item that was skipped: (location, error)."""

_HEAD = 65536
_MAX_BYTES = 50_000_000  # the sitemap protocol's limit for one uncompressed file
_GZIP_MAGIC = b"\x1f\x8b"
_WARC_MAGIC = b"WARC/"
_ROOT = re.compile(
    r"^\s*(?:(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>)\s*)*<([A-Za-z_][\w.:-]*)",
    re.DOTALL | re.IGNORECASE,
)
_ROOTS: dict[str, SourceKind] = {
    "rss": "rss",
    "feed": "atom",
    "opml": "opml",
    "urlset": "sitemap",
    "sitemapindex": "sitemap_index",
}
_TYPE_HINTS: dict[str, SourceKind] = {
    "application/rss+xml": "rss",
    "application/rdf+xml": "rss",
    "application/atom+xml": "atom",
    "text/x-opml": "opml",
    "text/x-opml+xml": "opml",
    "application/x-opml": "opml",
    "application/warc": "warc",
}
_SUFFIX_HINTS: tuple[tuple[str, SourceKind], ...] = (
    (".warc", "warc"),
    (".warc.gz", "warc"),
    (".opml", "opml"),
    (".rss", "rss"),
    (".atom", "atom"),
)
_DOC_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain", ""})
_TAG = re.compile(r"<[^>]*>")
_EXTENSION_NS = re.compile(r"\{[^}]*sitemap-(?:image|video)")  # their loc/title are not the page's


@dataclass(frozen=True)
class Link:
    """A URL that a feed, OPML list or sitemap points at, with what it said about it."""

    url: str
    kind: LinkKind = "page"
    """"page": an article; "feed": a feed to fetch and expand; "sitemap": a child sitemap."""
    title: str | None = None
    published: str | None = None
    """ISO 8601 (the entry's date, a sitemap's lastmod or news:publication_date)."""
    summary: str | None = None
    """The feed entry's summary as plain text (the feed's words, not the article's)."""
    source: str | None = None
    """The feed, OPML or sitemap URL/path this link came from."""


# --- detection ------------------------------------------------------------------------------


def detect(location: str, data: bytes | None = None, content_type: str | None = None) -> SourceKind:
    """What kind of source ``location`` is, from its bytes when given (else the head of a local
    file), then its Content-Type, then its name. Anything unrecognised is an "article"."""
    if data is None:
        path = Path(location).expanduser() if not _is_url(location) else None
        if path is not None and path.is_dir():
            return "directory"
        if path is not None and path.is_file():
            with path.open("rb") as stream:
                data = stream.read(_HEAD)
    if data is not None:
        sniffed = sniff_kind(data)
        if sniffed is not None:
            return sniffed
    media = (content_type or "").split(";")[0].strip().lower()
    if media in _TYPE_HINTS:
        return _TYPE_HINTS[media]
    if data is None:
        name = urlsplit(location).path.lower() if _is_url(location) else location.lower()
        for suffix, kind in _SUFFIX_HINTS:
            if name.endswith(suffix):
                return kind
    return "article"


def sniff_kind(data: bytes) -> SourceKind | None:
    """The source kind the bytes themselves show (WARC, gzip of one, or an XML root element),
    or None for anything else (HTML and text documents included)."""
    if data.startswith(_GZIP_MAGIC):
        data = _gunzip_head(data)
    if data.startswith(_WARC_MAGIC):
        return "warc"
    match = _ROOT.match(_head_text(data))
    if match is None:
        return None
    name = match.group(1).rsplit(":", 1)[-1].lower()
    if name == "rdf":
        return "rss" if "purl.org/rss" in _head_text(data) else None
    return _ROOTS.get(name)


def _gunzip_head(data: bytes) -> bytes:
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data[:_HEAD], _HEAD)
    except zlib.error:
        return b""


def _head_text(data: bytes) -> str:
    head = data[:_HEAD]
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if head.startswith(bom):
            return head[len(bom) :].decode(codec, errors="replace")
    return head.decode("latin-1")


def _is_url(location: str) -> bool:
    return urlsplit(location).scheme in ("http", "https")


# --- dispatch -------------------------------------------------------------------------------


def expand(
    location: str,
    kind: SourceKind,
    data: bytes | None = None,
    *,
    load: Loader | None = None,
    max_depth: int = 3,
    max_bytes: int = _MAX_BYTES,
    on_error: ErrorHook | None = None,
) -> Iterator[Link | Fetched]:
    """The items of a source: :class:`Link` for feeds, OPML and sitemaps (the caller fetches
    them), :class:`~newsbrief.records.Fetched` for WARC files and directories.

    ``data`` is the source's bytes (a local file is read when it is None); ``load`` fetches the
    child sitemaps of an index (without it they are yielded as ``Link(kind="sitemap")``).
    """
    if kind == "article":
        raise ValueError("an article is not expanded: load it directly")
    if kind == "directory":
        return iter_directory_documents(location, on_error=on_error)
    if kind == "warc":
        return iter_warc(io.BytesIO(data) if data is not None else location, on_error=on_error)
    return _expand_links(location, kind, data, load, max_depth, max_bytes, on_error)


def _expand_links(
    location: str,
    kind: SourceKind,
    data: bytes | None,
    load: Loader | None,
    max_depth: int,
    max_bytes: int,
    on_error: ErrorHook | None,
) -> Iterator[Link]:
    body = data if data is not None else _read_local(location, max_bytes)
    base = location if _is_url(location) else None
    if kind in ("rss", "atom"):
        yield from expand_feed(body, base_url=base, source=location)
    elif kind == "opml":
        yield from expand_opml(body, base_url=base, source=location)
    elif load is None:
        yield from expand_sitemap(body, base_url=base, source=location, max_bytes=max_bytes)
    else:
        yield from walk_sitemaps(
            location, load, data=body, max_depth=max_depth, max_bytes=max_bytes, on_error=on_error
        )


def _read_local(location: str, max_bytes: int) -> bytes:
    if _is_url(location):
        raise InputError("no data given for a URL source", location=location)
    path = Path(location).expanduser()
    try:
        if path.stat().st_size > max_bytes:
            raise TooLarge(f"too large: exceeds the {max_bytes:,}-byte limit", location=location)
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", location=location) from None
    except OSError as exc:
        raise InputError((exc.strerror or str(exc)).lower(), location=location) from None


# --- feeds and OPML -------------------------------------------------------------------------


def expand_feed(
    data: bytes, *, base_url: str | None = None, source: str | None = None
) -> Iterator[Link]:
    """The entries of an RSS or Atom feed as page links (relative links resolved against
    ``base_url``), each with the entry's title, date and plain-text summary."""
    headers = {"content-location": base_url} if base_url else None
    # A BytesIO, never bytes or str: feedparser opens strings as URLs or file names.
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    if not parsed.entries and not parsed.get("version"):
        reason = parsed.get("bozo_exception") or "no RSS or Atom root element"
        raise InputError(f"not a valid feed: {reason}", location=source or base_url)
    seen: set[str] = set()
    for entry in parsed.entries:
        url = _entry_url(entry, base_url)
        if url is None or url in seen:
            continue
        seen.add(url)
        yield Link(
            url=url,
            title=_clean(entry.get("title")),
            published=_entry_date(entry),
            summary=_clean(entry.get("summary")),
            source=source or base_url,
        )


def _entry_url(entry: Any, base_url: str | None) -> str | None:
    candidates = [entry.get("link"), *(link.get("href") for link in entry.get("links", ()))]
    guid = entry.get("id")
    if guid and entry.get("guidislink", True):
        candidates.append(guid)
    for candidate in candidates:
        url = _absolute(candidate, base_url)
        if url is not None:
            return url
    return None


def _entry_date(entry: Any) -> str | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            return datetime.fromtimestamp(calendar.timegm(parsed), UTC).isoformat()
    return None


def _clean(value: object) -> str | None:
    """Plain text from a feed field that may hold (sanitised) HTML."""
    if not isinstance(value, str):
        return None
    text = " ".join(html.unescape(_TAG.sub(" ", value)).split())
    return text or None


def expand_opml(
    data: bytes, *, base_url: str | None = None, source: str | None = None
) -> Iterator[Link]:
    """The feeds an OPML subscription list names (every ``outline`` with an ``xmlUrl``,
    nested categories included), once each, as ``Link(kind="feed")``."""
    root = _parse_xml(data, source or base_url, what="OPML")
    seen: set[str] = set()
    for outline in root.iter("outline"):
        attrs = {k.lower(): v for k, v in outline.attrib.items()}
        url = _absolute(attrs.get("xmlurl"), base_url)
        if url is None or url in seen:
            continue
        seen.add(url)
        title = attrs.get("title") or attrs.get("text")
        yield Link(url=url, kind="feed", title=_clean(title), source=source or base_url)


def _parse_xml(data: bytes, location: str | None, *, what: str) -> Any:
    try:
        return SafeET.fromstring(data)
    except (SafeET.ParseError, DefusedXmlException) as exc:
        raise InputError(f"not valid {what}: {exc}", location=location) from None


# --- sitemaps -------------------------------------------------------------------------------


def expand_sitemap(
    data: bytes,
    *,
    base_url: str | None = None,
    source: str | None = None,
    max_bytes: int = _MAX_BYTES,
) -> Iterator[Link]:
    """The entries of one sitemap (``<urlset>``: pages with lastmod, and Google News'
    publication date and title) or sitemap index (``<sitemapindex>``: child sitemaps).

    Gzipped sitemaps are decompressed as a stream; more than ``max_bytes`` raises TooLarge.
    """
    where = source or base_url
    stream: IO[bytes] = io.BytesIO(data)
    if data.startswith(_GZIP_MAGIC):
        gunzipped = cast(IO[bytes], gzip.GzipFile(fileobj=stream))
        stream = cast(IO[bytes], _Capped(gunzipped, max_bytes, where))
    try:
        for _event, element in SafeET.iterparse(stream, events=("end",)):
            name = _local(element.tag)
            if name in ("url", "sitemap"):
                link = _sitemap_link(element, name, base_url, where)
                element.clear()
                if link is not None:
                    yield link
    except (SafeET.ParseError, DefusedXmlException, OSError, EOFError) as exc:
        raise InputError(f"not a valid sitemap: {exc}", location=where) from None


def _sitemap_link(element: Any, name: str, base_url: str | None, where: str | None) -> Link | None:
    fields: dict[str, str] = {}
    for child in element.iter():
        text = (child.text or "").strip()
        if text and not _EXTENSION_NS.search(str(child.tag)):
            fields.setdefault(_local(child.tag), text)
    url = _absolute(fields.get("loc"), base_url)
    if url is None:
        return None
    published = fields.get("publication_date") or fields.get("lastmod")
    kind: LinkKind = "sitemap" if name == "sitemap" else "page"
    return Link(url=url, kind=kind, title=fields.get("title"), published=published, source=where)


def walk_sitemaps(
    url: str,
    load: Loader,
    *,
    data: bytes | None = None,
    max_depth: int = 3,
    max_sitemaps: int = 1000,
    max_bytes: int = _MAX_BYTES,
    on_error: ErrorHook | None = None,
) -> Iterator[Link]:
    """The pages of a sitemap or sitemap index, following child sitemaps through ``load``.

    Each sitemap is read at most once (loops end), indexes nest at most ``max_depth`` levels
    below ``url``, and at most ``max_sitemaps`` files are read. A child that cannot be
    loaded or parsed is reported to ``on_error`` and skipped; each page is yielded once.
    """
    pending: deque[tuple[str, bytes | None, int]] = deque([(url, data, 0)])
    seen_maps, seen_pages = {url}, set[str]()
    while pending:
        where, body, depth = pending.popleft()
        try:
            links = list(_sitemap_links(where, body, load, max_bytes))
        except NewsbriefError as exc:
            _report(on_error, where, exc)
            continue
        for link in links:
            if link.kind == "page":
                if link.url not in seen_pages:
                    seen_pages.add(link.url)
                    yield link
            elif _may_follow(link.url, depth, seen_maps, max_depth, max_sitemaps):
                seen_maps.add(link.url)
                pending.append((link.url, None, depth + 1))


def _sitemap_links(where: str, body: bytes | None, load: Loader, max_bytes: int) -> Iterator[Link]:
    if body is None:
        body = load(where)
    base = where if _is_url(where) else None
    return expand_sitemap(body, base_url=base, source=where, max_bytes=max_bytes)


def _may_follow(url: str, depth: int, seen: set[str], max_depth: int, max_sitemaps: int) -> bool:
    if url in seen:
        logger.debug("sitemap %s already read: skipped", url)
        return False
    if depth + 1 > max_depth or len(seen) >= max_sitemaps:
        logger.info("sitemap %s skipped: depth or count limit reached", url)
        return False
    return True


class _Capped(io.RawIOBase):
    """A read-only stream that raises TooLarge once more than ``limit`` bytes are read."""

    def __init__(self, inner: IO[bytes], limit: int, location: str | None) -> None:
        self._inner, self._limit, self._location, self._count = inner, limit, location, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        chunk = self._inner.read(size if size >= 0 else self._limit + 1)
        self._count += len(chunk)
        if self._count > self._limit:
            message = f"too large: decompresses to more than {self._limit:,} bytes"
            raise TooLarge(message, location=self._location)
        return chunk


# --- WARC and directories -------------------------------------------------------------------


def iter_warc(
    source: str | os.PathLike[str] | IO[bytes],
    *,
    max_bytes: int = 10_000_000,
    on_error: ErrorHook | None = None,
) -> Iterator[Fetched]:
    """The HTML and text documents of a WARC or WARC.gz file, read as a stream.

    Yields one :class:`~newsbrief.records.Fetched` per successful (2xx) ``response`` record
    and per ``resource`` record with an HTML/text payload: ``url`` and ``location`` are the
    WARC-Target-URI, ``fetched_at`` the WARC-Date. Other records are skipped; a payload over
    ``max_bytes`` or that is not text is reported to ``on_error`` and skipped.
    """
    name = str(source if isinstance(source, str | os.PathLike) else getattr(source, "name", "WARC"))
    try:
        if isinstance(source, str | os.PathLike):
            with open(source, "rb") as stream:
                _check_warc_head(stream.read(_HEAD), name)
                stream.seek(0)
                yield from _warc_records(stream, max_bytes, on_error)
        else:
            if hasattr(source, "peek"):
                _check_warc_head(source.peek(_HEAD), name)
            yield from _warc_records(source, max_bytes, on_error)
    except FileNotFoundError:
        raise InputError("no such file", location=name) from None
    except ArchiveLoadFailed as exc:
        raise InputError(f"not a valid WARC file: {exc}", location=name) from None


def _check_warc_head(head: bytes, name: str) -> None:
    if sniff_kind(head) != "warc":
        raise InputError("not a WARC file (no WARC/ record header)", location=name)


def _warc_records(
    stream: IO[bytes], max_bytes: int, on_error: ErrorHook | None
) -> Iterator[Fetched]:
    for record in ArchiveIterator(stream):
        target = record.rec_headers.get_header("WARC-Target-URI") or ""
        media, charset = _warc_media(record)
        if media is None or not _is_url(target):
            continue
        try:
            yield _warc_document(record, target, media, charset, max_bytes)
        except NewsbriefError as exc:
            _report(on_error, target, exc)


def _warc_media(record: Any) -> tuple[str | None, str | None]:
    """The payload's (media type, charset) if the record may hold a document, else (None, _)."""
    if record.rec_type == "response" and record.http_headers is not None:
        if not record.http_headers.get_statuscode().startswith("2"):
            return None, None
        header = record.http_headers.get_header("Content-Type") or ""
    elif record.rec_type == "resource":
        header = record.rec_headers.get_header("Content-Type") or ""
    else:
        return None, None
    media, _, params = header.partition(";")
    media = media.strip().lower()
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", params, re.IGNORECASE)
    return (media if media in _DOC_TYPES else None), (match.group(1) if match else None)


def _warc_document(
    record: Any, target: str, media: str, charset: str | None, max_bytes: int
) -> Fetched:
    data = record.content_stream().read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TooLarge(f"too large: exceeds the {max_bytes:,}-byte limit", location=target)
    if not data.strip():
        raise UnsupportedContent("empty record", location=target)
    text, encoding = decode(data, declared=charset)
    try:
        kind = detect_kind(data, text, content_type=media or None)
    except UnsupportedContent as exc:
        raise UnsupportedContent(exc.args[0], location=target) from None
    return Fetched(
        location=target,
        text=text,
        kind=kind,
        url=target,
        encoding=encoding,
        fetched_at=_warc_date(record.rec_headers.get_header("WARC-Date")),
    )


def _warc_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def iter_directory_documents(
    path: str | os.PathLike[str],
    *,
    loader: FileLoader | None = None,
    on_error: ErrorHook | None = None,
) -> Iterator[Fetched]:
    """The HTML and text files under a directory (see :func:`files.iter_directory`), loaded
    one at a time; a file that cannot be loaded is reported to ``on_error`` and skipped."""
    loader = loader or FileLoader()
    for file in iter_directory(path):
        try:
            yield loader.load(str(file))
        except NewsbriefError as exc:
            _report(on_error, str(file), exc)


# --- helpers --------------------------------------------------------------------------------


def _absolute(value: object, base_url: str | None) -> str | None:
    """An http(s) URL from ``value`` (resolved against ``base_url``), else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    url = urljoin(base_url, value.strip()) if base_url else value.strip()
    return url if _is_url(url) and urlsplit(url).netloc else None


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _report(on_error: ErrorHook | None, location: str, error: NewsbriefError) -> None:
    if on_error is not None:
        on_error(location, error)
    else:
        logger.warning("skipped %s: %s", location, error)
