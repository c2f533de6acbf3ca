"""The HTML reader and the feeds: parse the request, call the engine, render a template.

Pages: ``/`` (stories), ``/stories/{id}``, ``/articles/{id}``, ``/entities/{id}``,
``/search?q=``, ``/ingest``
(a form; POST needs the API token). Feeds: ``/feed.xml`` (stories) and ``/search.xml?q=``.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from newsbrief import render_story
from newsbrief.records import Story
from newsbrief.web import feeds
from newsbrief.web.api import require_token
from newsbrief.web.state import HTTPError, WebState
from newsbrief.web.templating import templates

router = APIRouter(include_in_schema=False)
PAGE = 20
Cursor = Annotated[str | None, Query(max_length=512)]
RSS_TYPE = "application/rss+xml; charset=utf-8"


def _state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a template with the shared context (writes enabled, the query)."""
    st = _state(request)
    context.setdefault("q", "")
    context["writes_enabled"] = st.writes_enabled
    context["private_ok"] = st.engine.settings.allow_private
    return templates.TemplateResponse(request, name, context, status_code=status)


@router.get("/", response_class=HTMLResponse)
def index(request: Request, cursor: Cursor = None) -> HTMLResponse:
    st = _state(request)
    stories = st.call(st.engine.stories, limit=PAGE, cursor=cursor)
    cards = [(s, _latest_article(st, s)) for s in stories.items]
    return page(request, "index.html", cards=cards, next=stories.next, first=cursor is None)


def _latest_article(st: WebState, story: Story) -> Any:
    """The newest original (not a copy) article of a story, for its read time, else None."""
    originals = [a for a in story.articles if not a.duplicate_of] or list(story.articles)
    if not originals:
        return None
    try:
        return st.call(st.engine.article, originals[-1].id)
    except HTTPError:
        return None


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story(request: Request, story_id: str) -> HTMLResponse:
    st = _state(request)
    found = st.call(st.engine.story, story_id)
    stored = {a.id: a for a in st.call(st.engine.story_articles, story_id)}
    return page(
        request,
        "story.html",
        story=found,
        stored=stored,
        outlets_label=render_story.outlets_label(found.outlets),
    )


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article(request: Request, article_id: str) -> HTMLResponse:
    st = _state(request)
    stored = st.call(st.engine.article, article_id)
    return page(request, "article.html", stored=stored, brief=stored.brief)


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
def entity(request: Request, entity_id: str) -> HTMLResponse:
    st = _state(request)
    view = st.call(st.engine.entity, entity_id)
    return page(request, "entity.html", entity=view)


@router.get("/search", response_class=HTMLResponse)
def search(
    request: Request, q: Annotated[str, Query(max_length=500)] = "", cursor: Cursor = None
) -> HTMLResponse:
    st = _state(request)
    hits = None
    if q.strip():
        hits = st.call(st.engine.search, q, limit=PAGE, cursor=cursor)
    return page(request, "search.html", q=q, hits=hits)


@router.get("/ingest", response_class=HTMLResponse)
def ingest_form(request: Request) -> HTMLResponse:
    return page(request, "ingest.html", url="", outcome=None, error=None)


@router.post("/ingest", response_class=HTMLResponse)
async def ingest_submit(request: Request) -> HTMLResponse:
    form = parse_qs((await request.body()).decode("utf-8", "replace"), max_num_fields=10)
    url = (form.get("url") or [""])[0]
    token = (form.get("token") or [""])[0]
    st = _state(request)
    try:
        require_token(st, f"Bearer {token}")
        outcome = await _in_thread(st.ingest, url)
    except HTTPError as exc:
        return page(request, "ingest.html", exc.status, url=url, outcome=None, error=exc)
    return page(request, "ingest.html", url="", outcome=outcome, error=None)


async def _in_thread(fn: Any, *args: Any) -> Any:
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(fn, *args)


@router.get("/feed.xml")
def feed(request: Request) -> Response:
    st = _state(request)
    stories = st.call(st.engine.stories, limit=PAGE)
    base = str(request.base_url).rstrip("/")
    xml = render_story.digest_rss(
        list(stories.items),
        title="Newsbrief: latest stories",
        link=base + "/",
        description="Stories, newest activity first",
        story_link=lambda s: f"{base}/stories/{s.id}",
    )
    return Response(xml, media_type=RSS_TYPE)


@router.get("/search.xml")
def search_feed(
    request: Request, q: Annotated[str, Query(min_length=1, max_length=500)]
) -> Response:
    st = _state(request)
    hits = st.call(st.engine.search, q, limit=PAGE)
    base = str(request.base_url).rstrip("/")
    return Response(feeds.search_rss(q, list(hits.items), base=base), media_type=RSS_TYPE)
