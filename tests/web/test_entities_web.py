"""Entities on the web: ``/entities/{id}``, ``/api/v1/entities[/{id}]``, who said what,
commitments and the opinion badge, over a small store of articles written for these tests.

Two stories mention Vladimir Putin under three names ("Vladimir Putin", "President Putin",
"Putin") and the Kremlin; one article carries markup in a quoted statement; one is an opinion
piece (an ``/opinion/`` URL and a first-person argument).
"""

from __future__ import annotations

import html as htmllib
import json
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from newsbrief import Engine, make_engine
from newsbrief.web import create_app
from tests.web.conftest import make_client

pytestmark = pytest.mark.anyio
PAYLOAD = "<script>window.__xss=9</script>"


def _page(url: str, site: str, when: str, title: str, paragraphs: list[str]) -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="canonical" href="{url}">
<meta property="og:site_name" content="{site}">
<meta property="article:published_time" content="{when}">
</head><body><article><h1>{title}</h1>
{body}
</article></body></html>
"""


_PACT_1 = [
    "Russia and Venezuela signed a strategic partnership pact in Moscow on Monday, "
    "expanding cooperation on energy, trade and security between the two governments.",
    '"This agreement opens a new chapter for our two nations," Vladimir Putin said at a '
    "signing ceremony in the Kremlin, standing beside the Venezuelan foreign minister.",
    "President Putin told reporters that the pact did not oblige Russia to send troops "
    "to Venezuela, and that Caracas had not asked for military help.",
    "The Kremlin said the document would be sent to parliament for ratification within "
    "weeks. Officials in Caracas described the pact as a guarantee of economic support.",
]
_PACT_2 = [
    "Venezuela's foreign ministry welcomed the strategic partnership pact signed with Russia "
    "this week, calling it a step toward closer trade and energy cooperation.",
    '"We are friends, but friendship has limits," Putin said on Tuesday, when asked whether '
    "Moscow would defend Venezuela if it were attacked.",
    "The Kremlin said the agreement covered oil investment, grain deliveries and training, "
    "and that no military clause had been discussed during the talks.",
    "Analysts in Caracas said the pact would help the government refinance its debts, "
    "though the terms of the loans were not published.",
]
_GRAIN = [
    "Russia will raise its wheat export quota for the spring season, the agriculture "
    "ministry announced on Thursday, after a record harvest filled silos across the south.",
    f'"We will never sign {htmllib.escape(PAYLOAD)} anything under pressure," President '
    "Putin said at a meeting with grain exporters in Rostov, rejecting calls for a price cap.",
    "Exporters said the higher quota would lower freight costs at Black Sea ports, where "
    "ships have waited for cargoes since the autumn storms closed two terminals.",
    "The ministry said shipments to North Africa and the Middle East would rise by a fifth "
    "compared with last year, and that port fees would stay unchanged until June.",
]
_OPINION = [
    "I have read the new pact between Russia and Venezuela twice, and I am convinced it "
    "promises far less than either government claims. Why would anyone in Caracas believe "
    "that Moscow will come to its defence? What exactly did Venezuela get in return?",
    "The conclusion is clear: this is a trade deal dressed up as an alliance. I think we "
    "should read the text, not the ceremony, and we must stop treating every signature in "
    "Moscow as a security guarantee. My own view is that the Kremlin has promised nothing.",
    "I have watched such pacts come and go for twenty years. In my experience they are "
    "signed with great fanfare and forgotten within a year. Is there any reason to think "
    "this one will be different? I doubt it, and I suspect the ministers doubt it too.",
    "We should ask harder questions of our own leaders as well. I believe the honest answer "
    "is that no one in Caracas expects soldiers; what they expect is credit, and credit is "
    "what they will get. The verdict is plain: the pact is a loan with a flag on it.",
    "If I am wrong, the first test will come soon enough. Until then, I would urge readers "
    "to treat the word partnership with the scepticism it deserves, and I would urge our "
    "editors to stop printing the word alliance when the text says nothing of the kind.",
]
ARTICLES = {
    "pact-1.html": (
        "https://northwire.example/world/2026/03/02/russia-venezuela-pact",
        "North Wire",
        "2026-03-02T10:00:00Z",
        "Russia and Venezuela sign strategic partnership pact",
        _PACT_1,
    ),
    "pact-2.html": (
        "https://dailyharbor.example/news/2026/03/03/venezuela-welcomes-russia-pact",
        "Daily Harbor",
        "2026-03-03T08:30:00Z",
        "Venezuela welcomes strategic partnership pact with Russia",
        _PACT_2,
    ),
    "grain.html": (
        "https://northwire.example/business/2026/04/10/russia-raises-wheat-export-quota",
        "North Wire",
        "2026-04-10T09:00:00Z",
        "Russia raises wheat export quota after record harvest",
        _GRAIN,
    ),
    "opinion.html": (
        "https://dailyharbor.example/opinion/2026/03/04/the-pact-promises-little",
        "Daily Harbor",
        "2026-03-04T07:00:00Z",
        "The Russia-Venezuela pact promises little",
        _OPINION,
    ),
}


def write_articles(folder: Path) -> None:
    """Write the test articles as HTML files into ``folder``."""
    for name, (url, site, when, title, paragraphs) in ARTICLES.items():
        (folder / name).write_text(_page(url, site, when, title, paragraphs), encoding="utf-8")


@pytest.fixture(scope="module")
def entity_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store holding the four test articles (two stories), built once for the module."""
    folder = tmp_path_factory.mktemp("entity-articles")
    write_articles(folder)
    db = f"sqlite:///{folder / 'entities.db'}"
    with make_engine(db, ner="gazetteer") as engine:
        report = engine.ingest([str(folder)])
    assert report.counts["added"] == len(ARTICLES), report.counts
    return db


@pytest.fixture
def store(entity_db: str) -> Iterator[Engine]:
    with make_engine(entity_db, ner="gazetteer") as engine:
        yield engine


@pytest.fixture
async def web(store: Engine) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(create_app(store, api_token=None)) as c:
        yield c


def _putin(store: Engine) -> Any:
    return store.entity("Vladimir Putin")


def _story_of(store: Engine, title_word: str) -> Any:
    return next(s for s in store.stories(limit=10).items if title_word in (s.title or ""))


def _article_id(store: Engine, name: str) -> str:
    url = ARTICLES[name][0]
    return next(a.id for a in store.articles(limit=10).items if a.url == url)


# -- JSON API -----------------------------------------------------------------------------------
async def test_api_entity_is_the_entity_view(web: httpx.AsyncClient, store: Engine) -> None:
    view = _putin(store)
    r = await web.get(f"/api/v1/entities/{view.id}")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    body = r.json()
    assert body == json.loads(json.dumps(view.to_dict()))
    assert set(body) >= {"id", "kind", "name", "aliases", "stories", "statements", "relations"}
    assert body["kind"] == "person"
    assert {"Vladimir Putin", "President Putin", "Putin"} <= set(body["aliases"])
    assert len(body["stories"]) == 2  # the pact and the wheat quota
    dates = [s["date"] for s in body["statements"]]
    assert dates == sorted(dates) and len(dates) >= 3
    said = " ".join(s["text"] for s in body["statements"])
    assert "friendship has limits" in said and "new chapter" in said


async def test_api_entity_merged_id_gives_the_entity_it_joined(
    web: httpx.AsyncClient, store: Engine
) -> None:
    view = _putin(store)
    assert view.merged, "the surname-only id should have been merged into the full name"
    body = (await web.get(f"/api/v1/entities/{view.merged[0]}")).json()
    assert body["id"] == view.id and body["name"] == "Vladimir Putin"


async def test_api_unknown_entity_is_a_404_error_body(web: httpx.AsyncClient) -> None:
    r = await web.get("/api/v1/entities/person:nobody-at-all")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"
    assert set(r.json()) == {"error"} and r.json()["error"]["message"]


async def test_api_entity_candidates(web: httpx.AsyncClient, store: Engine) -> None:
    body = (await web.get("/api/v1/entities", params={"q": "President Putin"})).json()
    assert body["next"] is None
    assert [e["id"] for e in body["items"]] == [_putin(store).id]
    first = body["items"][0]
    assert set(first) == {"id", "kind", "name", "aliases", "articles", "merged"}
    assert first["articles"] >= 3
    kremlin = (await web.get("/api/v1/entities", params={"q": "the Kremlin"})).json()
    assert kremlin["items"][0]["id"] == "country:russia"
    none = (await web.get("/api/v1/entities", params={"q": "Zanzibarovich"})).json()
    assert none == {"items": [], "next": None}
    assert (await web.get("/api/v1/entities")).status_code == 422
    assert (await web.get("/api/v1/entities", params={"q": "  "})).status_code == 422


# -- HTML ---------------------------------------------------------------------------------------
async def test_entity_page_shows_name_aliases_stories_statements(
    web: httpx.AsyncClient, store: Engine
) -> None:
    view = _putin(store)
    r = await web.get(f"/entities/{view.id}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    html = r.text
    assert "<h1>Vladimir Putin</h1>" in html and ">person</p>" in html
    for alias in ("President Putin", "Putin"):
        assert f'<span class="alias">{alias}</span>' in html
    stories = re.findall(r'<a href="/stories/([^"]+)">', html)
    assert stories == [s.id for s in view.stories]  # oldest first
    for st in view.statements:
        assert htmllib.escape(st.text, quote=False) in html
        assert f'href="/articles/{st.article_id}"' in html
        assert f'<time datetime="{st.date}">{st.date[:10]}</time>' in html
    assert '<span class="cue">told</span>' in html
    assert 'href="https://northwire.example/world/2026/03/02/russia-venezuela-pact"' in html
    assert f'href="/api/v1/entities/{view.id.replace(":", "%3A")}"' in html


async def test_entity_page_shows_relations_with_evidence(
    web: httpx.AsyncClient, store: Engine
) -> None:
    russia = store.entity("country:russia")
    assert russia.relations and "Kremlin" in russia.aliases
    html = (await web.get("/entities/country:russia")).text
    assert ">Relations and commitments</h2>" in html
    for rel in russia.relations:
        assert htmllib.escape(rel.evidence, quote=False) in html
        assert f'href="/articles/{rel.article_id}"' in html
    assert '<span class="label denied">denied</span> <a class="entity"' in html
    assert 'href="/entities/country:venezuela"' in html


async def test_entity_page_unknown_is_a_404_page(web: httpx.AsyncClient) -> None:
    r = await web.get("/entities/person:nobody-at-all")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "Not found" in r.text


async def test_hostile_statement_is_escaped_everywhere(
    web: httpx.AsyncClient, store: Engine
) -> None:
    grain = _story_of(store, "wheat")
    pages = [
        f"/entities/{_putin(store).id}",
        f"/stories/{grain.id}",
        f"/articles/{_article_id(store, 'grain.html')}",
    ]
    for path in pages:
        html = (await web.get(path)).text
        assert PAYLOAD not in html, path
        assert "&lt;script&gt;window.__xss=9&lt;/script&gt;" in html, path
        assert html.count("<script") == 1, path  # only the reader's own external script


def test_entity_template_escapes_a_hostile_alias() -> None:
    from newsbrief.records import EntityView
    from newsbrief.web.templating import templates

    view = EntityView(
        id='person:x"><b>',
        kind="<i>kind</i>",
        name="<img src=x onerror=alert(1)>",
        aliases=(PAYLOAD, "Plain Alias"),
    )
    html = templates.get_template("entity.html").render(entity=view, q="", writes_enabled=False)
    assert "<img src=x" not in html and PAYLOAD not in html and "<i>kind" not in html
    assert htmllib.escape(PAYLOAD) in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert '"><b>' not in html


async def test_story_page_who_said_what_commitments_and_opinion(
    web: httpx.AsyncClient, store: Engine
) -> None:
    pact = _story_of(store, "Venezuela")
    assert pact.opinion_sources == ("Daily Harbor",) and pact.commitments
    html = (await web.get(f"/stories/{pact.id}")).text
    assert ">Who said what</h2>" in html and ">Commitments</h2>" in html
    assert '<span class="label">Opinion</span> from Daily Harbor</p>' in html
    speakers = re.findall(r'<h3><a class="entity" href="/entities/([^"]+)">([^<]+)</a></h3>', html)
    assert ("person:vladimir-putin", "Vladimir Putin") in speakers
    assert len({sid for sid, _ in speakers}) == len(speakers)  # one heading per speaker
    for st in pact.who_said_what:
        assert htmllib.escape(st.text, quote=False) in html
    for rel in pact.commitments:
        assert htmllib.escape(rel.evidence, quote=False) in html
        if rel.date:
            assert f'<span class="date">{htmllib.escape(rel.date)}</span>' in html
    assert 'href="/entities/country:russia"' in html
    opinion_id = _article_id(store, "opinion.html")
    row = re.search(rf'href="/articles/{opinion_id}">.*?</li>', html, re.S)
    assert row and '<span class="label">Opinion</span>' in row.group()


async def test_opinion_badge_on_article_and_front_page(
    web: httpx.AsyncClient, store: Engine
) -> None:
    opinion_id = _article_id(store, "opinion.html")
    assert store.article(opinion_id).brief.genre == "opinion"
    html = (await web.get(f"/articles/{opinion_id}")).text
    assert '<p class="kicker"><span class="label">Opinion</span>' in html
    news = (await web.get(f"/articles/{_article_id(store, 'pact-2.html')}")).text
    assert '<p class="kicker"><span class="label">News</span>' in news
    front = (await web.get("/")).text
    assert f'Latest: <span class="label">Opinion</span> <a href="/articles/{opinion_id}">' in front


async def test_article_page_links_speakers_and_parties(
    web: httpx.AsyncClient, store: Engine
) -> None:
    html = (await web.get(f"/articles/{_article_id(store, 'pact-1.html')}")).text
    assert '<h3><a class="entity" href="/entities/person:vladimir-putin">' in html
    assert ">Commitments and relations</h2>" in html
    assert 'href="/entities/country:venezuela"' in html


def test_web_groups_a_speaker_whatever_the_apostrophe() -> None:
    from newsbrief.records import Statement
    from newsbrief.web.templating import by_speaker

    a = Statement("Portmere Dockers’ Union", "said", "the vote was close", False, "")
    b = Statement("Portmere Dockers' Union", "said", "shifts resume on Tuesday", False, "")
    c = Statement("Graham Aske", "said", "talks stay open", False, "", "person:graham-aske")
    groups = by_speaker([a, b, c])
    assert [(name, sid, len(said)) for name, sid, said in groups] == [
        ("Portmere Dockers’ Union", None, 2),
        ("Graham Aske", "person:graham-aske", 1),
    ]
