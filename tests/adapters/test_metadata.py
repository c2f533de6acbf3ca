"""Metadata with provenance: conflicting signals, future dates, authors that are not people."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import html

from newsbrief.adapters.extract_trafilatura import TrafilaturaExtractor
from newsbrief.adapters.metadata import Metadata, clean_author, parse_date, read_metadata
from newsbrief.records import Fetched, FieldSource

HTML_DIR = Path(__file__).resolve().parents[1] / "data" / "html"
FETCHED = datetime(2023, 6, 3, 12, 0, tzinfo=UTC)


def read(head: str, body: str = "", url: str | None = None, **kw: object) -> Metadata:
    tree = html.document_fromstring(f"<html><head>{head}</head><body>{body}<p>x</p></body></html>")
    return read_metadata(tree, url=url, fetched_at=FETCHED, **kw)  # type: ignore[arg-type]


def source(md: Metadata, field: str) -> FieldSource:
    return next(s for s in md.provenance if s.field == field)


def ld(obj: str) -> str:
    return f'<script type="application/ld+json">{obj}</script>'


def test_fixture_with_conflicting_signals() -> None:
    doc = Fetched(
        location="lakeshore.html",
        text=(HTML_DIR / "lakeshore_tribune_conflict.html").read_text(encoding="utf-8"),
        kind="html",
        fetched_at=FETCHED,
    )
    got = TrafilaturaExtractor().extract(doc)
    # JSON-LD headline over og:title; JSON-LD date (agreeing with <time> and the URL) over
    # article:published_time; the JSON-LD Person, not the organisation or <meta name=author>
    assert got.title == "Council votes to restore the old lakefront boardwalk"
    assert got.published == "2023-06-01T18:45:00-04:00"
    assert got.authors == ("Rosalind Achebe-Moore",)
    assert got.source.name == "The Lakeshore Tribune"
    assert got.language == "en"
    assert got.image == "https://www.lakeshoretribune.example/media/2023/06/boardwalk-wide.jpg"
    fields = {s.field: s for s in got.provenance}
    assert fields["published"].source == "json-ld"
    assert fields["published"].confidence > fields["title"].confidence  # three sources agree
    assert fields["image"].source == "opengraph"
    assert "updated" not in fields  # dateModified in 2099: later than the fetch, dropped
    body = " ".join(got.paragraphs)
    assert "412 supporting posts" not in body  # fact box
    assert "morning briefing" not in body and "Sign up" not in body  # newsletter block
    assert "Parking fees" not in body and "Harbour dredging" not in body  # related links
    assert "Council votes to restore" not in body  # the headline is not body text
    assert body.startswith("City council voted nine to two")
    assert got.paywalled is False  # the sign-in prompt is in the site header


def test_opengraph_wins_without_json_ld_and_url_date_is_last_resort() -> None:
    md = read(
        '<meta property="og:title" content="Ferry timetable changes">'
        "<title>Ferry timetable changes - Bay Post</title>",
        url="https://baypost.example/2023/05/30/ferry-timetable",
    )
    assert md.title == "Ferry timetable changes"
    assert source(md, "title").source == "opengraph"
    assert md.published == "2023-05-30"
    assert source(md, "published") == FieldSource("published", "2023-05-30", "url", 0.5)


def test_byline_date_beats_url_date() -> None:
    md = read(
        "",
        '<time datetime="2023-05-31T07:00:00Z">May 31</time>',
        url="https://a.example/2023/05/30/x",
    )
    assert md.published == "2023-05-31T07:00:00+00:00"
    assert source(md, "published").source == "byline"


def test_future_dates_are_dropped() -> None:
    md = read(
        '<meta property="article:published_time" content="2023-07-01T00:00:00Z">'
        '<meta property="article:modified_time" content="2023-06-04">'
        '<meta name="pubdate" content="2023-06-02">'
    )
    assert md.published == "2023-06-02"
    assert source(md, "published").source == "meta"
    assert md.updated is None


def test_updated_date_with_provenance() -> None:
    dates = '"datePublished": "2023-06-01", "dateModified": "2023-06-02T10:00:00+00:00"'
    md = read(ld('{"@type": "NewsArticle", ' + dates + "}"))
    assert (md.published, md.updated) == ("2023-06-01", "2023-06-02T10:00:00+00:00")
    assert source(md, "updated").source == "json-ld"


def test_byline_authors_split_and_junk_removed() -> None:
    md = read(
        '<meta property="og:site_name" content="Bay Post">',
        '<div class="byline">By Jane Roe and Tomás Ortega | 5 min read | Updated 2 hours ago</div>',
    )
    assert md.authors == ("Jane Roe", "Tomás Ortega")
    assert {s.source for s in md.provenance if s.field == "authors"} == {"byline"}


def test_trafilatura_is_a_fallback_source_only() -> None:
    calls: list[int] = []

    def fallback() -> dict[str, str | None]:
        calls.append(1)
        return {"title": "From the library", "author": "Ada Quist", "date": "2023-01-02"}

    md = read("", trafilatura=fallback)
    assert calls and md.authors == ("Ada Quist",)
    assert source(md, "authors").source == "trafilatura"
    full = ld(
        '{"@type": "NewsArticle", "headline": "Own title here", "author": "Jane Roe",'
        ' "datePublished": "2023-01-01", "publisher": {"name": "Bay Post"}}'
    )
    calls.clear()
    assert read(full, trafilatura=fallback).title == "Own title here"
    assert not calls  # the page's own sources were enough


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("By Jane Roe", "Jane Roe"),
        ("von Élise Marchetti", "Élise Marchetti"),
        ("Ursula von der Leyen", "Ursula von der Leyen"),
        ("5 Minute Read", None),
        ("Updated 2 hours ago", None),
        ("Staff", None),
        ("Bay Post Staff", None),
        ("Bay Post", None),  # the outlet's name
        ("The Bay Post", None),
        ("baypost", None),  # the site's host
        ("Associated Press", None),
        ("jane roe", None),
        ("https://baypost.example/authors/jroe", None),
        ("渡辺洋介", "渡辺洋介"),
    ],
)
def test_clean_author(raw: str, expected: str | None) -> None:
    assert clean_author(raw, outlet="Bay Post", url="https://www.baypost.example/a") == expected


def test_parse_date() -> None:
    assert parse_date("2024-02-29").isoformat() == "2024-02-29"  # type: ignore[union-attr]
    assert parse_date("2024-02-29T08:00:00Z").isoformat() == "2024-02-29T08:00:00+00:00"  # type: ignore[union-attr]
    assert parse_date("yesterday") is None
