"""Source detection and expansion: feeds, OPML, sitemaps (served by a loopback site), WARC
files written with warcio, and directories."""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsbrief.adapters.crawl import PoliteFetcher
from newsbrief.adapters.sources import (
    Link,
    detect,
    expand,
    expand_feed,
    expand_opml,
    expand_sitemap,
    iter_directory_documents,
    iter_warc,
    walk_sitemaps,
)
from newsbrief.errors import InputError, NewsbriefError, TooLarge, UnsupportedContent
from newsbrief.records import Fetched
from tests.adapters.site_server import SITE_DIR, SiteServer, serve_site


@pytest.fixture(scope="module")
def site() -> Iterator[SiteServer]:
    with serve_site() as server:
        yield server


@pytest.fixture(scope="module")
def client() -> Iterator[PoliteFetcher]:
    with PoliteFetcher(allow_private=True, min_interval=0.0, max_crawl_delay=0.0) as fetcher:
        yield fetcher


class Load:
    """A sitemap loader over the fetcher that records the URLs it was asked for."""

    def __init__(self, client: PoliteFetcher) -> None:
        self.client = client
        self.calls: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.calls.append(url)
        result = self.client.fetch(url)
        if result.body is None:
            assert result.error is not None
            raise result.error
        return result.body


def body(client: PoliteFetcher, url: str) -> bytes:
    result = client.fetch(url)
    assert result.ok and result.body is not None, result.error
    return result.body


# --- detect ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/feeds/rss.xml", "rss"),
        ("/feeds/atom.xml", "atom"),
        ("/feeds/subscriptions.opml", "opml"),
        ("/sitemap_index.xml", "sitemap_index"),
        ("/sitemaps/pages.xml", "sitemap"),
        ("/sitemaps/news.xml", "sitemap"),
        ("/sitemaps/archive.xml.gz", "sitemap"),
        ("/news/harbour-lights.html", "article"),
    ],
)
def test_detect_served_sources(
    site: SiteServer, client: PoliteFetcher, path: str, kind: str
) -> None:
    result = client.fetch(site.base_url + path)
    assert detect(result.url, result.body, result.content_type) == kind


@pytest.mark.parametrize(
    ("data", "content_type", "kind"),
    [
        (
            b'<?xml version="1.0"?>\n<!-- generated -->\n<!DOCTYPE urlset>\n<urlset/>',
            None,
            "sitemap",
        ),
        (
            b'<rdf:RDF xmlns:rdf="x" xmlns="http://purl.org/rss/1.0/"><channel/></rdf:RDF>',
            None,
            "rss",
        ),
        (b"\xef\xbb\xbf<feed xmlns='http://www.w3.org/2005/Atom'/>", None, "atom"),
        (b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"/>', None, "article"),
        (b"WARC/1.1\r\nWARC-Type: warcinfo\r\n", None, "warc"),
        (gzip.compress(b"WARC/1.0\r\nWARC-Type: response\r\n", mtime=0), None, "warc"),
        (b"{}", "application/rss+xml", "rss"),
        (b"Plain words about the harbour.", "text/plain", "article"),
    ],
)
def test_detect_from_bytes(data: bytes, content_type: str | None, kind: str) -> None:
    assert detect("https://news.example/source", data, content_type) == kind


def test_detect_local_paths_and_url_names(tmp_path: Path) -> None:
    assert detect(str(tmp_path)) == "directory"
    opml = tmp_path / "subscriptions"
    opml.write_bytes((SITE_DIR / "feeds" / "subscriptions.opml").read_bytes())
    assert detect(str(opml)) == "opml"  # read from the file's head, not its name
    assert detect("https://archive.example/crawl-0001.warc.gz") == "warc"
    assert detect("https://news.example/2024/06/bridge") == "article"


# --- feeds and OPML -------------------------------------------------------------------------


def test_rss_entries(site: SiteServer, client: PoliteFetcher) -> None:
    url = f"{site.base_url}/feeds/rss.xml"
    links = list(expand_feed(body(client, url), base_url=url, source=url))
    assert [link.url for link in links] == [
        f"{site.base_url}/news/harbour-lights.html",
        f"{site.base_url}/news/market-day.html",  # relative link resolved against the feed
    ]
    first = links[0]
    assert first.title == "Harbour lights switched to solar power"
    assert first.published == "2024-06-04T06:30:00+00:00"
    assert first.summary == "Twelve lights on the northern breakwater now run on solar panels."
    assert first.kind == "page" and first.source == url


def test_atom_entries(site: SiteServer, client: PoliteFetcher) -> None:
    url = f"{site.base_url}/feeds/atom.xml"
    links = list(expand_feed(body(client, url), base_url=url))
    assert [(link.url.rsplit("/", 1)[1], link.published) for link in links] == [
        ("council-vote.html", "2024-06-05T06:15:00+00:00"),  # published wins over updated
        ("market-day.html", "2024-06-04T12:00:00+00:00"),
    ]
    assert links[0].summary == "Councillors voted nineteen to six for the bridge."


def test_feed_expansion_is_lazy_and_rejects_non_feeds() -> None:
    expansion = expand_feed(b"<html><body><p>Not a feed at all</p></body></html>")
    assert isinstance(expansion, Iterator)
    with pytest.raises(InputError, match="not a valid feed"):
        next(expansion)


def test_opml_lists_each_feed_once(site: SiteServer, client: PoliteFetcher) -> None:
    url = f"{site.base_url}/feeds/subscriptions.opml"
    links = list(expand_opml(body(client, url), base_url=url))
    assert [(link.url, link.kind, link.title) for link in links] == [
        (f"{site.base_url}/feeds/rss.xml", "feed", "Coastal Courier"),
        (f"{site.base_url}/feeds/atom.xml", "feed", "Valley Ledger"),
    ]


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<opml><body><outline xmlUrl="&x;"/></body></opml>',
        b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><opml><body><outline text="&b;"/>'
        b"</body></opml>",
        b"<opml><body><outline",
    ],
)
def test_hostile_or_broken_opml_is_refused(data: bytes) -> None:
    with pytest.raises(InputError, match="not valid OPML"):
        list(expand_opml(data))


# --- sitemaps -------------------------------------------------------------------------------


def test_sitemap_index_with_gzip_and_news(site: SiteServer, client: PoliteFetcher) -> None:
    index = f"{site.base_url}/sitemap_index.xml"
    load = Load(client)
    links = list(walk_sitemaps(index, load))
    base = site.base_url
    assert load.calls == [
        index,
        f"{base}/sitemaps/pages.xml",
        f"{base}/sitemaps/archive.xml.gz",
        f"{base}/sitemaps/news.xml",
    ]
    assert [link.url.removeprefix(base) for link in links] == [
        "/news/harbour-lights.html",
        "/news/market-day.html",  # listed again in the archive: yielded once
        "/news/archive/lighthouse-1998.html",
        "/news/council-vote.html",
    ]
    assert links[0].published == "2024-06-04T08:30:00+02:00"
    assert links[0].title is None  # the image extension's title is not the page's
    news = links[-1]
    assert news.title == "Council backs a second footbridge"
    assert news.published == "2024-06-05T07:15:00+01:00"
    assert news.source == f"{base}/sitemaps/news.xml"


def test_sitemap_loops_end_and_bad_children_are_reported(
    site: SiteServer, client: PoliteFetcher
) -> None:
    start = f"{site.base_url}/sitemaps/loop.xml"
    load = Load(client)
    errors: list[tuple[str, NewsbriefError]] = []
    links = list(
        walk_sitemaps(start, load, on_error=lambda where, exc: errors.append((where, exc)))
    )
    assert load.calls.count(start) == 1
    assert len(links) == len({link.url for link in links}) == 4
    assert [where for where, _ in errors] == [f"{site.base_url}/sitemaps/missing.xml"]


def test_sitemap_depth_is_bounded_and_walk_is_lazy(site: SiteServer, client: PoliteFetcher) -> None:
    index = f"{site.base_url}/sitemap_index.xml"
    shallow = Load(client)
    assert list(walk_sitemaps(index, shallow, max_depth=0)) == []
    assert shallow.calls == [index]
    lazy = Load(client)
    walk = walk_sitemaps(index, lazy)
    assert lazy.calls == []  # nothing read before the first item is asked for
    first = next(walk)
    assert first.url.endswith("/news/harbour-lights.html")
    assert lazy.calls == [index, f"{site.base_url}/sitemaps/pages.xml"]


def test_sitemap_index_without_loader_yields_child_sitemaps(site: SiteServer) -> None:
    data = (SITE_DIR / "sitemap_index.xml").read_bytes()
    links = list(expand_sitemap(data, base_url=site.base_url))
    assert {link.kind for link in links} == {"sitemap"}
    assert links[0].published == "2024-06-05"


def test_gzip_bomb_stops_at_the_cap() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * 3_000_000 + b"</urlset>")
    with pytest.raises(TooLarge):
        list(expand_sitemap(bomb, max_bytes=1_000_000))


def test_expand_dispatches_local_files(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(
        (SITE_DIR / "feeds" / "atom.xml")
        .read_bytes()
        .replace(b"{{BASE}}", b"https://ledger.example")
    )
    items = list(expand(str(feed), detect(str(feed))))
    assert [item.url for item in items if isinstance(item, Link)] == [
        "https://ledger.example/news/council-vote.html",
        "https://ledger.example/news/market-day.html",
    ]
    with pytest.raises(ValueError, match="article"):
        expand(str(feed), "article")


# --- WARC ---------------------------------------------------------------------------------

PAGE = (
    "<!DOCTYPE html><html><head><title>Ferry timetable</title></head><body><article>"
    "<p>The winter ferry timetable adds an early crossing at 6:10 on weekdays.</p>"
    "</article></body></html>"
)


def write_warc(path: Path, *, compress: bool, filler: int = 0) -> None:
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=compress)

        def response(
            uri: str, data: bytes, ctype: str, status: str = "200 OK", date: str | None = None
        ) -> None:
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                uri,
                "response",
                payload=io.BytesIO(data),
                http_headers=headers,
                warc_headers_dict={"WARC-Date": date or "2024-06-05T09:30:00Z"},
            )
            writer.write_record(record)

        response("https://ferry.example/timetable", PAGE.encode(), "text/html; charset=utf-8")
        response("https://ferry.example/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png")
        response(
            "https://ferry.example/missing", b"<html><p>no</p></html>", "text/html", "404 Not Found"
        )
        response(
            "https://ferry.example/fares",
            "<html><body><p>Fares rise by 5 € — caf\u00e9 prices too.</p></body></html>".encode(
                "cp1252"
            ),
            "text/html; charset=windows-1252",
            date="2024-06-04T18:00:00.250Z",
        )
        response("https://ferry.example/notice.txt", b"Crossings resume at noon.\n", "text/plain")
        response("https://ferry.example/fake.html", b"\x89PNG\r\n\x1a\n" + bytes(300), "text/html")
        request = writer.create_warc_record(
            "https://ferry.example/timetable",
            "request",
            payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n"),
        )
        writer.write_record(request)
        resource = writer.create_warc_record(
            "https://ferry.example/saved.html",
            "resource",
            payload=io.BytesIO(b"<html><body><p>Saved by hand.</p></body></html>"),
            warc_content_type="text/html",
        )
        writer.write_record(resource)
        for i in range(filler):
            response(f"https://ferry.example/filler/{i}", PAGE.encode() * 20, "text/html")


@pytest.mark.parametrize("name", ["ferry.warc", "ferry.warc.gz"])
def test_warc_documents(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    write_warc(path, compress=name.endswith(".gz"))
    assert detect(str(path)) == "warc"
    errors: list[tuple[str, NewsbriefError]] = []
    docs = list(iter_warc(path, on_error=lambda where, exc: errors.append((where, exc))))
    assert [doc.url for doc in docs] == [
        "https://ferry.example/timetable",
        "https://ferry.example/fares",
        "https://ferry.example/notice.txt",
        "https://ferry.example/saved.html",
    ]
    timetable, fares, notice, _saved = docs
    assert timetable.kind == "html" and "early crossing at 6:10" in timetable.text
    assert timetable.fetched_at == datetime(2024, 6, 5, 9, 30, tzinfo=UTC)
    assert fares.encoding == "cp1252" and "5 € — café" in fares.text
    assert fares.fetched_at == datetime(2024, 6, 4, 18, 0, 0, 250000, tzinfo=UTC)
    assert notice.kind == "text"
    assert [(where, type(exc)) for where, exc in errors] == [
        ("https://ferry.example/fake.html", UnsupportedContent)
    ]


def test_warc_size_cap_per_record(tmp_path: Path) -> None:
    path = tmp_path / "capped.warc.gz"
    write_warc(path, compress=True)
    errors: list[NewsbriefError] = []
    docs = list(iter_warc(path, max_bytes=120, on_error=lambda _where, exc: errors.append(exc)))
    assert [doc.url for doc in docs] == [
        "https://ferry.example/fares",
        "https://ferry.example/notice.txt",
        "https://ferry.example/saved.html",
    ]
    assert [type(exc) for exc in errors] == [TooLarge, TooLarge]  # the timetable, fake.html


class CountingReader(io.RawIOBase):
    def __init__(self, inner: IO[bytes]) -> None:
        self.inner, self.read_bytes = inner, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.inner.read(len(buffer))
        buffer[: len(data)] = data
        self.read_bytes += len(data)
        return len(data)


def test_warc_is_streamed(tmp_path: Path) -> None:
    path = tmp_path / "big.warc.gz"
    write_warc(path, compress=True, filler=400)
    size = path.stat().st_size
    with path.open("rb") as raw:
        reader = CountingReader(raw)
        docs = iter_warc(io.BufferedReader(reader))
        assert next(docs).url == "https://ferry.example/timetable"
        assert reader.read_bytes < size / 2
        assert sum(1 for _ in docs) == 3 + 400


def test_not_a_warc(tmp_path: Path) -> None:
    path = tmp_path / "broken.warc"
    path.write_bytes(b"this is not an archive\n" * 10)
    with pytest.raises(InputError, match="WARC"):
        list(iter_warc(path))


def test_expand_warc_bytes() -> None:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.0")
    writer.write_record(
        writer.create_warc_record(
            "https://ferry.example/p",
            "response",
            payload=io.BytesIO(PAGE.encode()),
            http_headers=headers,
        )
    )
    data = buffer.getvalue()
    assert detect("upload", data) == "warc"
    items = list(expand("upload", "warc", data))
    assert len(items) == 1 and isinstance(items[0], Fetched)


# --- directories ----------------------------------------------------------------------------


def test_directory_documents(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text("A scraped note about the ferry.", encoding="utf-8")
    (tmp_path / ".hidden.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "empty.html").write_text("   \n", encoding="utf-8")
    errors: list[str] = []
    docs = list(
        iter_directory_documents(tmp_path, on_error=lambda where, _exc: errors.append(where))
    )
    assert [Path(doc.location).name for doc in docs] == ["a.html", "b.txt"]
    assert [doc.kind for doc in docs] == ["html", "text"]
    assert [Path(where).name for where in errors] == ["empty.html"]
    via_expand = list(expand(str(tmp_path), detect(str(tmp_path)), on_error=lambda *_: None))
    assert len(via_expand) == 2
