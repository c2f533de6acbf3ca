"""The HTML reader and the feeds, in process: what each page shows, escaping, the ingest form."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import httpx
import pytest

from newsbrief import Engine, make_engine
from newsbrief.web import create_app
from newsbrief.web.templating import highlight, http_url
from tests.web.conftest import TOKEN, make_client
from tests.web.hostile import SEARCH_WORD, hostile_site

pytestmark = pytest.mark.anyio


async def test_front_page_lists_stories_with_outlets_and_read_times(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    r = await client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    stories = engine.stories(limit=20).items
    links = re.findall(r'<h2 id="s-[^"]+"><a href="/stories/([^"]+)">', html)
    assert links == [s.id for s in stories]  # newest activity first
    assert html.count("min read") >= len(stories)
    assert re.search(r"\d+ outlets?", html)
    assert '<script src="/static/reader.js" defer></script>' in html
    assert "<script>" not in html and " onclick=" not in html  # no inline scripts or handlers


async def test_story_page_shows_brief_quotes_timeline_outlets_articles(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    story = max(engine.stories(limit=50).items, key=lambda s: len(s.articles))
    html = (await client.get(f"/stories/{story.id}")).text
    for heading in ("Brief", "In their words", "Timeline", "Outlets", "Articles"):
        assert f">{heading}</h2>" in html
    for a in story.articles:
        assert f'href="/articles/{a.id}"' in html
    for o in story.outlets:
        assert str(o.name) in html
    assert html.count("<blockquote>") == len(story.quotes)


async def test_article_card_reads_at_the_outlet(client: httpx.AsyncClient, engine: Engine) -> None:
    stored = engine.articles(limit=1).items[0]
    html = (await client.get(f"/articles/{stored.id}")).text
    brief = stored.brief
    assert f'href="{brief.url}"' in html
    assert f"Read at {brief.source.name}" in html
    assert f"{brief.read_time_minutes} min read" in html
    assert html.count("<blockquote>") == len(brief.quotes)
    assert f'href="/stories/{stored.story_id}"' in html


async def test_search_page_highlights_matches(client: httpx.AsyncClient) -> None:
    html = (await client.get("/search", params={"q": "strike"})).text
    assert "<mark>strike</mark>" in html.lower() or "<mark>Strike</mark>" in html
    assert 'href="/search.xml?q=strike"' in html
    empty = (await client.get("/search", params={"q": "zzzunfindable"})).text
    assert "No stored article matches" in empty
    assert (await client.get("/search")).status_code == 200  # the bare form


async def test_unknown_pages_are_html_404s(client: httpx.AsyncClient) -> None:
    for path in ("/stories/st-nope", "/articles/nope", "/no/such/page"):
        r = await client.get(path)
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
        assert "Not found" in r.text


async def test_feeds_are_rss(client: httpx.AsyncClient, engine: Engine) -> None:
    r = await client.get("/feed.xml")
    assert r.headers["content-type"].startswith("application/rss+xml")
    items = ET.fromstring(r.content).findall("./channel/item")
    assert [i.findtext("guid") for i in items] == [s.id for s in engine.stories(limit=20).items]
    assert items[0].findtext("link", "").startswith("http://testserver/stories/")
    search = ET.fromstring((await client.get("/search.xml", params={"q": "grain"})).content)
    hits = search.findall("./channel/item")
    assert hits and all("⟦" not in (i.findtext("description") or "") for i in hits)
    assert (await client.get("/search.xml")).status_code == 422


def test_highlight_escapes_before_marking() -> None:
    out = highlight("a <script>x</script> ⟦word⟧ & ⟦b⟧ stray ⟧ ⟦")
    assert str(out) == (
        "a &lt;script&gt;x&lt;/script&gt; <mark>word</mark> &amp; <mark>b</mark> stray  "
    )


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://a.example/x", True),
        ("http://a.example", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("data:text/html,x", False),
        ("//evil.example/x", False),
        ("", False),
        (None, False),
    ],
)
def test_only_http_links_are_made(url: str | None, ok: bool) -> None:
    assert (http_url(url) is not None) is ok


async def test_ingest_form_says_writes_are_disabled(client: httpx.AsyncClient) -> None:
    html = (await client.get("/ingest")).text
    assert "Writes are disabled" in html and "<fieldset disabled>" in html
    assert '<label for="url">' in html and '<label for="token">' in html
    r = await client.post("/ingest", data={"url": "https://a.example/", "token": "x"})
    assert r.status_code == 403 and "Not added (403)" in r.text


async def test_hostile_article_is_escaped_everywhere(copy_db: str) -> None:
    """Ingest the hostile article through the API (a loopback site, private addresses allowed),
    then check that no page carries its markup unescaped."""
    with make_engine(copy_db, ner="gazetteer", allow_private=True, crawl_interval=0) as engine:
        app = create_app(engine, api_token=TOKEN)
        with hostile_site() as base:
            async with make_client(app) as c:
                r = await c.post(
                    "/api/v1/ingest",
                    json={"url": f"{base}/council.html"},
                    headers={"Authorization": f"Bearer {TOKEN}"},
                )
                assert r.status_code == 200, r.text
                item = r.json()["items"][0]
                assert item["status"] == "added"
                brief = (await c.get(f"/api/v1/articles/{item['article_id']}")).json()
                assert "<script>" in brief["title"]  # stored as text, as the outlet wrote it
                pages = [
                    "/",
                    f"/articles/{item['article_id']}",
                    f"/stories/{item['story_id']}",
                    f"/search?q={SEARCH_WORD}",
                ]
                for path in pages:
                    html = (await c.get(path)).text
                    assert SEARCH_WORD in html, path
                    assert "&lt;script&gt;" in html, path
                    assert "<script>window" not in html and "<script>document" not in html
                    assert "<img src=x" not in html and "<b onclick" not in html, path
                    assert 'href="javascript' not in html.lower(), path


async def test_ingest_form_adds_a_page_with_the_token(copy_db: str) -> None:
    with make_engine(copy_db, ner="gazetteer", allow_private=True, crawl_interval=0) as engine:
        app = create_app(engine, api_token=TOKEN)
        with hostile_site() as base:
            async with make_client(app) as c:
                wrong = await c.post("/ingest", data={"url": f"{base}/council.html", "token": "no"})
                right = await c.post(
                    "/ingest", data={"url": f"{base}/council.html", "token": TOKEN}
                )
    assert wrong.status_code == 401 and "Not added (401)" in wrong.text
    assert right.status_code == 200 and "1 added" in right.text
