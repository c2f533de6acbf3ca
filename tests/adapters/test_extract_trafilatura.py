"""TrafilaturaExtractor on the fixture pages in tests/data/html and on hostile HTML."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from newsbrief.adapters.extract_trafilatura import TrafilaturaExtractor, split_credit
from newsbrief.adapters.files import FileLoader
from newsbrief.errors import InputError, NoArticle
from newsbrief.ports import HtmlExtractor
from newsbrief.records import Extracted, Fetched, ImageInfo

HTML_DIR = Path(__file__).resolve().parents[1] / "data" / "html"

EXPECTED: dict[str, dict[str, Any]] = {
    "harbour_gazette_ferry.html": {
        "title": "Ferry terminal reopens after two-year rebuild",
        "authors": ("Mara Lindqvist", "Owen Achterberg"),
        "published": "2024-03-14T08:30:00+00:00",
        "name": "The Harbour Gazette",
        "domain": "harbourgazette.example",
        "url": "https://www.harbourgazette.example/local/2024/03/14/ferry-terminal-reopens",
        "language": "en",
        "image": "https://cdn.harbourgazette.example/images/2024/03/kestrel-terminal-1200.jpg",
        "first": "The first ferry in more than two years left the rebuilt Kestrel Point",
        "last": "Not everyone is celebrating.",
        "absent": ["Share on Facebook", "Copy link", "Subscribe for", "Related stories",
                   "Storm tears away", "Morning Tide", "All rights reserved", "cookies"],
        "images": [ImageInfo(
            url="https://cdn.harbourgazette.example/images/2024/03/kestrel-terminal-800.jpg",
            caption="Passengers queue at the rebuilt Kestrel Point terminal on Tuesday morning.",
            credit="Ingrid Solberg/Harbour Gazette",
        )],
    },
    "valley_ledger_mill.html": {
        "title": "Old textile mill to become 140 apartments",
        "authors": ("Tomas Reyes",),
        "published": "2024-05-02T14:05:00-05:00",
        "name": "The Valley Ledger",
        "domain": "valleyledger.example",
        "url": "https://valleyledger.example/business/old-textile-mill-apartments-2024",
        "language": "en",
        "image": "https://media.valleyledger.example/2024/05/brennan-mill-exterior.jpg",
        "first": "The Brennan Mill, a four-storey brick landmark",
        "last": "Environmental cleanup of the site",
        "absent": ["Share this story", "LinkedIn", "Most popular", "Advertisement",
                   "eyesore", "riverwatcher", "Studio", "Read more", "Copyright 2024"],
        "images": [ImageInfo(
            url="https://media.valleyledger.example/2024/05/brennan-mill-exterior-640.jpg",
            caption="The Brennan Mill has stood empty since the last looms were shipped out in "
            "1998.",
            credit="Priya Nandakumar for The Valley Ledger",
        )],
    },
    "courrier_collines_marche.html": {
        "title": "Le marché couvert de Saint-Aubrac rouvre ses portes",
        "authors": ("Élise Marchetti",),
        "published": "2024-09-21T07:15:00+02:00",
        "name": "Le Courrier des Collines",
        "domain": "courrierdescollines.example",
        "url": "https://www.courrierdescollines.example/regions/saint-aubrac/marche-couvert-rouvre",
        "language": "fr",
        "image": "https://www.courrierdescollines.example/medias/2024/09/marche-couvert-halle.jpg",
        "first": "Après dix-huit mois de travaux",
        "last": "Le marché se tiendra désormais chaque samedi",
        "absent": ["Partager sur", "Abonnez-vous", "À lire aussi", "transhumance",
                   "Mentions légales", "Avis de décès"],
        "images": [ImageInfo(
            url="https://www.courrierdescollines.example/medias/2024/09/marche-couvert-etals-960.jpg",
            caption="Les étals de fromages sous la charpente restaurée de la halle.",
            credit="Archives du Courrier / Julien Berthier",
        )],
    },
    "meridian_post_column.html": {
        "title": "Our libraries are doing the work of three agencies",
        "authors": ("Harriet Osei-Lamptey",),
        "published": "2024-07-19T06:00:00-04:00",
        "name": "The Meridian Post",
        "domain": "meridianpost.example",
        # a relative canonical link, resolved against the site's JSON-LD URL
        "url": "https://meridianpost.example/opinion/2024/07/19/libraries-work-of-three-agencies/",
        "language": "en",
        "image": "https://img.meridianpost.example/2024/07/branch-library-reading-room.jpg",
        "first": "On the hottest afternoon of last summer",
        "last": "Harriet Osei-Lamptey is a former branch manager",
        "absent": ["Skip to main content", "Gift this article", "214 comments",
                   "More from Opinion", "Bus lanes", "Crosswords", "Ethics policy"],
        "images": [ImageInfo(
            url="https://img.meridianpost.example/2024/07/branch-library-reading-room-1024.jpg",
            caption="The reading room at the Eastgate branch library, which served as a cooling "
            "centre for eleven days last summer.",
            credit="Danielle Voss for The Meridian Post",
        )],
    },
}  # fmt: skip


def extract_file(name: str) -> Extracted:
    return TrafilaturaExtractor().extract(FileLoader().load(str(HTML_DIR / name)))


BODY = "".join(
    f"<p>The harbour master said pier number {n} would open to passengers next week.</p>"
    for n in range(3)
)


def html_doc(markup: str, url: str | None = None) -> Fetched:
    return Fetched(location="page.html", text=markup, kind="html", url=url)


def test_is_an_html_extractor() -> None:
    extractor = TrafilaturaExtractor()
    assert isinstance(extractor, HtmlExtractor)
    assert extractor.name == "trafilatura"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_metadata(name: str) -> None:
    want = EXPECTED[name]
    got = extract_file(name)
    assert got.title == want["title"]
    assert got.authors == want["authors"]
    assert got.published == want["published"]
    assert got.source.name == want["name"]
    assert got.source.domain == want["domain"]
    assert got.url == want["url"] == got.source.url
    assert got.language == want["language"]
    assert got.image == want["image"]
    assert got.extractor == "trafilatura"
    assert got.fetched_at is not None


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_body(name: str) -> None:
    want = EXPECTED[name]
    got = extract_file(name)
    assert any(p.startswith(want["first"]) for p in got.paragraphs[:4])
    assert got.paragraphs[-1].startswith(want["last"])
    assert len(got.paragraphs) >= 6
    assert all(p == " ".join(p.split()) and p for p in got.paragraphs)
    body = "\n".join(got.paragraphs)
    assert got.title not in got.paragraphs
    assert len(set(got.paragraphs)) == len(got.paragraphs)
    for junk in want["absent"]:
        assert junk not in body, junk


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_images(name: str) -> None:
    assert list(extract_file(name).images) == EXPECTED[name]["images"]


def test_one_paragraph_per_block() -> None:
    sentence = "The council met on Tuesday to discuss the harbour budget for next year"
    markup = (
        "<html><body><article><h1>Budget</h1>"
        f"<p>{sentence}, officials said.</p>"
        f"<p>{sentence} and again the <b>harbour</b>\n   budget came up.</p>"
        "<blockquote><p>First quoted paragraph of the statement.</p>"
        "<p>Second quoted paragraph of the statement.</p></blockquote>"
        f"<p>{sentence}.<br>A second line after a break in the same paragraph.</p>"
        "</article></body></html>"
    )
    got = TrafilaturaExtractor().extract(html_doc(markup))
    assert got.paragraphs == (
        f"{sentence}, officials said.",
        f"{sentence} and again the harbour budget came up.",
        "First quoted paragraph of the statement.",
        "Second quoted paragraph of the statement.",
        f"{sentence}.",
        "A second line after a break in the same paragraph.",
    )


def test_url_falls_back_to_fetched_url() -> None:
    markup = (
        "<html><head><meta property='og:image' content='/img/lead.jpg'></head><body><article>"
        + BODY
        + "</article></body></html>"
    )
    got = TrafilaturaExtractor().extract(html_doc(markup, url="https://www.news.example/a/1"))
    assert got.url == "https://www.news.example/a/1"
    assert got.source.domain == "news.example"
    assert got.image == "https://www.news.example/img/lead.jpg"


def test_paywall_flag_from_json_ld() -> None:
    markup = (
        '<html><head><script type="application/ld+json">{"@type": "NewsArticle", '
        '"isAccessibleForFree": false}</script></head><body><article>'
        + BODY
        + "</article></body></html>"
    )
    assert TrafilaturaExtractor().extract(html_doc(markup)).paywalled is True


@pytest.mark.parametrize(
    "markup",
    [
        (HTML_DIR / "nav_only.html").read_text(encoding="utf-8"),
        "<html><head><title>Nothing</title></head><body></body></html>",
        "<html><body><ul><li><a href=/a>Home</a></li><li><a href=/b>World</a></li></ul></body>",
        "<!-- only a comment -->",
    ],
)
def test_no_article(markup: str) -> None:
    with pytest.raises(NoArticle, match=r"no (article text|HTML content) found"):
        TrafilaturaExtractor().extract(html_doc(markup))


def test_deeply_nested_html_is_refused_quickly() -> None:
    text = "The council approved the harbour budget after a long debate on Tuesday. " * 5
    markup = "<html><body>" + "<div>" * 10_000 + f"<p>{text}</p>" + "</div>" * 10_000
    start = time.monotonic()
    with pytest.raises(NoArticle, match="nested too deeply"):
        TrafilaturaExtractor().extract(html_doc(markup + "</body></html>"))
    assert time.monotonic() - start < 5


def test_article_before_deep_nesting_is_kept() -> None:
    text = "The council approved the harbour budget after a long debate on Tuesday. " * 5
    markup = f"<html><body><article><p>{text}</p></article>" + "<div>" * 10_000 + "x"
    got = TrafilaturaExtractor().extract(html_doc(markup))
    assert got.paragraphs == (text.strip(),)


def test_plain_text_document_is_not_html() -> None:
    with pytest.raises(InputError, match="not an HTML document"):
        TrafilaturaExtractor().extract(Fetched(location="-", text="Just words.", kind="text"))


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        ("Boats at dawn. Photo: Ana Ruiz/Agency", ("Boats at dawn.", "Ana Ruiz/Agency")),
        ("Boats at dawn (Photo: Ana Ruiz)", ("Boats at dawn", "Ana Ruiz")),
        ("Photo credit: villagers.example", (None, "villagers.example")),
        ("Photograph by Ana Ruiz for the Post", (None, "Ana Ruiz for the Post")),
        ("Photo : Archives", (None, "Archives")),
        ("Credit: Ana Ruiz", (None, "Ana Ruiz")),
        ("Boats at dawn | Image: Ana Ruiz", ("Boats at dawn", "Ana Ruiz")),
        ("Boats at dawn in the photo harbour", ("Boats at dawn in the photo harbour", None)),
    ],
)
def test_split_credit(caption: str, expected: tuple[str | None, str | None]) -> None:
    assert split_credit(caption) == expected


def test_loose_credit_attaches_to_previous_image() -> None:
    markup = (
        "<html><body><article>"
        '<img src="https://cdn.news.example/pier.jpg" alt="The new pier at dusk">'
        '<p class="photo-credit">Photo: Lena Ortiz</p>'
        '<img src="https://cdn.news.example/logo.png" alt="News logo">'
        '<img src="https://cdn.news.example/pixel.gif" width="1" height="1" alt="tracker">'
        f"{BODY}</article><footer><img src='/f.jpg' alt='Footer badge'></footer></body></html>"
    )
    got = TrafilaturaExtractor().extract(html_doc(markup))
    assert got.images == (
        ImageInfo(
            url="https://cdn.news.example/pier.jpg",
            caption="The new pier at dusk",
            credit="Lena Ortiz",
        ),
    )


def test_loose_caption_replaces_alt_text_but_not_a_figure_caption() -> None:
    markup = (
        "<html><body><article>"
        '<figure><img src="https://cdn.news.example/a.jpg" alt="alt a">'
        "<figcaption>Crowds at the quay.</figcaption></figure>"
        '<div class="image-caption">A caption for nothing in particular.</div>'
        '<img src="https://cdn.news.example/b.jpg" alt="alt b">'
        '<div class="image-caption">The old lighthouse from the north.</div>'
        f"{BODY}</article></body></html>"
    )
    got = TrafilaturaExtractor().extract(html_doc(markup))
    assert got.images == (
        ImageInfo(url="https://cdn.news.example/a.jpg", caption="Crowds at the quay."),
        ImageInfo(url=None, caption="A caption for nothing in particular."),
        ImageInfo(
            url="https://cdn.news.example/b.jpg", caption="The old lighthouse from the north."
        ),
    )


def test_date_only_metadata_gets_no_invented_time() -> None:
    markup = (
        '<html><head><script type="application/ld+json">{"@type": "NewsArticle", '
        '"datePublished": "2024-02-29"}</script></head><body><article>'
        f"{BODY}</article></body></html>"
    )
    assert TrafilaturaExtractor().extract(html_doc(markup)).published == "2024-02-29"


def test_headline_with_site_name_or_kicker_is_not_body() -> None:
    markup = (
        "<html><head><title>Pier reopens after repairs | Bay Post</title></head><body><article>"
        "<p>Waterfront: Pier reopens after repairs</p>"
        f"{BODY}</article></body></html>"
    )
    got = TrafilaturaExtractor().extract(html_doc(markup))
    assert got.paragraphs[0].startswith("The harbour master said pier number 0")


def test_cjk_article_is_found() -> None:
    sentence = "市議会は火曜日、港の防波堤を秋までに再建する計画を賛成多数で可決した。"
    markup = f"<html><body><article>{''.join(f'<p>{sentence}</p>' for _ in range(3))}</article>"
    got = TrafilaturaExtractor().extract(html_doc(markup + "</body></html>"))
    assert got.paragraphs and got.paragraphs[0] == sentence


def test_body_ending_on_a_subscribe_prompt_is_paywalled() -> None:
    markup = (
        f"<html><body><article>{BODY}<p>Subscribe to continue reading.</p></article></body></html>"
    )
    assert TrafilaturaExtractor().extract(html_doc(markup)).paywalled is True
    free = f"<html><body><article>{BODY}</article></body></html>"
    assert TrafilaturaExtractor().extract(html_doc(free)).paywalled is False


def test_provenance_is_recorded() -> None:
    got = extract_file("harbour_gazette_ferry.html")
    fields = {s.field for s in got.provenance}
    assert {"title", "authors", "published", "outlet", "language", "image"} <= fields
    assert all(0 < s.confidence <= 1 for s in got.provenance)
