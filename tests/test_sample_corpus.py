"""The bundled sample corpus and the article fixtures keep their promises.

MANIFEST.json is the ground truth that story-grouping and dedup tests rely on, so it must
match the pages exactly; the pages must look like real, varied news pages.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime
from html.parser import HTMLParser
from itertools import combinations
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "src" / "newsbrief" / "sample"
ARTICLES = ROOT / "tests" / "data" / "articles"
FIELDS = {"file", "outlet", "domain", "url", "title", "published", "story", "duplicate_of", "genre"}
# Elements whose paragraphs are page furniture rather than article body.
_NOT_BODY = {"figure", "aside", "blockquote", "header", "footer", "form", "ul", "ol"}


class Page(HTMLParser):
    """Collects what the tests check from one HTML page, standard library only."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.meta: dict[str, str] = {}
        self.canonical: str | None = None
        self.jsonld: list[str] = []
        self.h1: list[str] = []
        self.body_paras: list[str] = []
        self.classes: set[str] = set()
        self.counts: Counter[str] = Counter()
        self.article_times: list[str] = []
        self.text: list[str] = []
        self._stack: list[str] = []
        self._capture: str | None = None
        self._buf: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.counts[tag] += 1
        self.classes.update(a.get("class", "").split())
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "meta" and "content" in a:
            self.meta[a.get("property") or a.get("name", "")] = a["content"]
        elif tag == "link" and a.get("rel") == "canonical":
            self.canonical = a.get("href")
        elif tag == "time" and "article" in self._stack:
            self.article_times.append(a.get("datetime", ""))
        if tag == "script" and a.get("type") == "application/ld+json":
            self._start("ld")
        elif tag == "h1":
            self._start("h1")
        elif tag == "p" and "article" in self._stack and not _NOT_BODY & set(self._stack):
            self._start("p")
        if tag not in {"meta", "link", "img", "input", "br"}:
            self._stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._stack:
            del self._stack[len(self._stack) - 1 - self._stack[::-1].index(tag) :]
        done = {"script": "ld", "h1": "h1", "p": "p"}.get(tag)
        if self._capture and done == self._capture:
            text = "".join(self._buf).strip()
            {"ld": self.jsonld, "h1": self.h1, "p": self.body_paras}[done].append(text)
            self._capture = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._capture:
            self._buf.append(data)

    def _start(self, what: str) -> None:
        self._capture, self._buf = what, []


def _manifest() -> list[dict[str, Any]]:
    return json.loads((SAMPLE / "MANIFEST.json").read_text(encoding="utf-8"))


def _page(name: str, folder: Path = SAMPLE) -> Page:
    page = Page()
    page.feed((folder / name).read_text(encoding="utf-8"))
    page.close()
    return page


def _article_node(page: Page) -> dict[str, Any]:
    """The (Opinion)NewsArticle object from the page's JSON-LD, wherever it is nested."""
    nodes: list[Any] = []
    for block in page.jsonld:
        doc = json.loads(block)
        items = doc if isinstance(doc, list) else [doc]
        for item in items:
            nodes.extend(item.get("@graph", [item]))
    found = [n for n in nodes if str(n.get("@type", "")).endswith("NewsArticle")]
    assert len(found) == 1, f"expected one NewsArticle node, got {len(found)}"
    return found[0]


def _shingles(text: str, n: int = 5) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _jaccard(a: set[Any], b: set[Any]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


MANIFEST = _manifest()
PAGES = {row["file"]: _page(row["file"]) for row in MANIFEST}
BODY = {name: "\n\n".join(p.body_paras) for name, p in PAGES.items()}


def test_manifest_lists_exactly_the_html_files() -> None:
    on_disk = {p.name for p in SAMPLE.glob("*.html")}
    listed = [row["file"] for row in MANIFEST]
    assert len(listed) == len(set(listed))
    assert set(listed) == on_disk
    assert 20 <= len(listed) <= 24
    for row in MANIFEST:
        assert row.keys() >= FIELDS, row["file"]


def test_urls_domains_and_canonicals_agree() -> None:
    assert len({row["url"] for row in MANIFEST}) == len(MANIFEST)
    for row in MANIFEST:
        page = PAGES[row["file"]]
        host = urlsplit(row["url"]).hostname or ""
        assert host.endswith(row["domain"]) and row["domain"].endswith(".example")
        assert page.canonical == row["url"] == page.meta["og:url"]


def test_coverage_outlets_stories_and_spread() -> None:
    outlets = {row["outlet"] for row in MANIFEST}
    assert len(outlets) >= 5
    assert len({row["domain"] for row in MANIFEST}) == len(outlets)
    by_story: dict[str, list[dict[str, Any]]] = {}
    for row in MANIFEST:
        by_story.setdefault(row["story"], []).append(row)
    assert len(by_story) >= 6
    multi = {k: v for k, v in by_story.items() if len(v) >= 2}
    assert len(multi) >= 5
    for story, rows in multi.items():
        assert len(rows) <= 5, story
        assert len({r["outlet"] for r in rows}) >= 2, story
    spans = [
        max(datetime.fromisoformat(r["published"]) for r in rows)
        - min(datetime.fromisoformat(r["published"]) for r in rows)
        for rows in multi.values()
    ]
    assert sum(s.days >= 2 for s in spans) >= 3, "some stories should run over several days"


def test_dates_parse_with_timezones_and_match_the_page() -> None:
    years = set()
    for row in MANIFEST:
        when = datetime.fromisoformat(row["published"])
        assert when.tzinfo is not None, row["file"]
        years.add(when.year)
        page = PAGES[row["file"]]
        assert page.meta["article:published_time"] == row["published"]
        assert row["published"] in page.article_times
    assert years == {2025, 2026}


def test_jsonld_headline_authors_and_publisher_match_manifest() -> None:
    for row in MANIFEST:
        node = _article_node(PAGES[row["file"]])
        assert node["headline"] == row["title"], row["file"]
        assert node["datePublished"] == row["published"]
        authors = node["author"] if isinstance(node["author"], list) else [node["author"]]
        assert all(a["@type"] == "Person" for a in authors)
        assert [a["name"] for a in authors] == row["authors"]
        assert node["publisher"]["name"] == row["outlet"]
        assert (node["@type"] == "OpinionNewsArticle") == (row["genre"] == "opinion")


def test_pages_have_the_furniture_of_real_news_sites() -> None:
    for row in MANIFEST:
        page = PAGES[row["file"]]
        text = " ".join(page.text)
        assert page.lang and page.lang.startswith("en")
        assert page.h1 == [row["title"]]
        assert page.meta["og:type"] == "article" and page.meta["og:site_name"] == row["outlet"]
        assert page.meta["og:image"].startswith("https://") and page.meta["description"]
        assert page.counts["figure"] >= 1 and page.counts["figcaption"] >= 1
        assert page.counts["a"] >= 12, "menu, share and related links"
        assert "Related stories" in text and "©" in text
        assert page.counts["form"] + page.counts["input"] >= 1, "newsletter box"


def test_bodies_are_short_news_articles_with_quotes() -> None:
    for row in MANIFEST:
        body = BODY[row["file"]]
        words = len(body.split())
        assert 250 <= words <= 620, (row["file"], words)
        assert len(PAGES[row["file"]].body_paras) >= 5
        assert re.search(r"[\"“][^\"”]{20,}[\"”]", body), f"no direct quote in {row['file']}"
    assert sum(row["genre"] == "opinion" for row in MANIFEST) == 1
    opinion = next(row for row in MANIFEST if row["genre"] == "opinion")
    assert re.search(r"\bI\b", BODY[opinion["file"]]), "the column argues in the first person"


def test_templates_differ_between_outlets() -> None:
    classes: dict[str, set[str]] = {}
    for row in MANIFEST:
        classes.setdefault(row["outlet"], set()).update(PAGES[row["file"]].classes)
    for a, b in combinations(classes, 2):
        assert _jaccard(classes[a], classes[b]) < 0.3, (a, b)


def test_wire_copies_are_near_duplicates_and_nothing_else_is() -> None:
    rows = {row["file"]: row for row in MANIFEST}
    dups = [row for row in MANIFEST if row["duplicate_of"]]
    assert len(dups) >= 2
    for row in dups:
        original = rows[row["duplicate_of"]]
        assert original["duplicate_of"] is None and original["file"] != row["file"]
        assert original["story"] == row["story"] and original["outlet"] != row["outlet"]
        assert original["title"] != row["title"], "copies carry their own headline"
        sim = _jaccard(_shingles(BODY[row["file"]]), _shingles(BODY[original["file"]]))
        assert sim > 0.75, (row["file"], sim)
    pairs = {frozenset((r["file"], r["duplicate_of"])) for r in dups}
    pairs |= {frozenset((a["file"], b["file"])) for a, b in combinations(dups, 2)}
    shingles = {name: _shingles(body) for name, body in BODY.items()}
    for a, b in combinations(shingles, 2):
        if frozenset((a, b)) not in pairs:
            assert _jaccard(shingles[a], shingles[b]) < 0.15, (a, b)


def test_corpus_stays_clear_of_the_seed_story() -> None:
    """Nearby subjects are present on purpose; the seeds' own story must attract nothing."""
    banned = re.compile(r"venezuela|maduro|lavrov|putin|\bCSTO\b|mutual defen[cs]e", re.I)
    for name in PAGES:
        html = (SAMPLE / name).read_text(encoding="utf-8")
        assert not banned.search(html), name
    stories = {row["story"] for row in MANIFEST}
    assert {"iran-russia-corridor", "cuba-blackout", "senate-defense-bill"} <= stories
    assert "russia-rate-decision" in stories


# ------------------------------------------------------------------ tests/data/articles


def test_fixture_readme_lists_every_fixture() -> None:
    readme = (ARTICLES / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"`([\w.-]+\.(?:txt|html|md))`", readme))
    assert listed == {p.name for p in ARTICLES.iterdir()}


@pytest.mark.parametrize(
    "name", sorted(p.name for p in ARTICLES.glob("*.txt") if not p.name.startswith("aggregator"))
)
def test_plain_text_fixtures_have_title_then_paragraphs(name: str) -> None:
    raw = (ARTICLES / name).read_bytes()
    text = raw.decode("cp1252" if name.startswith("cp1252") else "utf-8")
    lines = text.split("\n")
    assert lines[0].strip() and not lines[1].strip()
    assert text.count("\n\n") >= 3


def test_cp1252_fixture_is_not_utf8() -> None:
    raw = (ARTICLES / "cp1252_coffee_prices.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1252")
    assert all(ch in text for ch in "€“”‘’—…")


def test_aggregator_card_quotes_the_sample_article_verbatim() -> None:
    lines = (ARTICLES / "aggregator_card_dock_strike.txt").read_text("utf-8").splitlines()
    quoted = [ln[1:-1] for ln in lines if ln.startswith('"') and ln.endswith('"')]
    assert 2 <= len(quoted) <= 3
    source = next(r for r in MANIFEST if r["title"] == lines[0])
    assert all(q in BODY[source["file"]] for q in quoted)
    assert lines[-1] == f"Read at {source['outlet']}"
    summary = lines[-2]
    assert not summary.startswith('"') and summary not in BODY[source["file"]]


def test_paywalled_fixture_says_so() -> None:
    node = _article_node(_page("paywalled_castellan_automation.html", ARTICLES))
    assert node["isAccessibleForFree"] is False
    assert node["hasPart"]["isAccessibleForFree"] is False


def test_french_and_japanese_fixtures() -> None:
    fr = _page("fr_sonde_vireo.html", ARTICLES)
    assert fr.lang == "fr" and _article_node(fr)["inLanguage"] == "fr"
    ja = (ARTICLES / "ja_shiomi_hanabi.txt").read_text("utf-8")
    cjk = sum(1 for c in ja if "\u3040" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff")
    assert cjk / len(ja.replace("\n", "")) > 0.8


def test_photo_essay_has_many_credited_captions() -> None:
    page = _page("photo_essay_sorrel_flood.html", ARTICLES)
    assert page.counts["figcaption"] >= 6
    html = (ARTICLES / "photo_essay_sorrel_flood.html").read_text("utf-8")
    credits = re.findall(r"(?:Photo|Picture|Photograph|Credit|Drone image):|©", html)
    assert len(credits) >= 7
