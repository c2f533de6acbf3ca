"""The JSON API in process (httpx.ASGITransport): shapes, pagination, errors, guards."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from newsbrief import Engine, make_engine
from newsbrief.web import create_app
from newsbrief.web.security import CSP, TokenBuckets
from tests.web.conftest import TOKEN, make_client

pytestmark = pytest.mark.anyio


def assert_error(r: httpx.Response, status: int, code: str) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]


async def walk(client: httpx.AsyncClient, path: str, limit: int) -> list[dict[str, Any]]:
    """Every item of a list endpoint, following ``next`` cursors."""
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(100):
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        r = await client.get(path, params=params)
        assert r.status_code == 200, r.text
        page = r.json()
        assert set(page) == {"items", "next"}
        assert len(page["items"]) <= limit
        items += page["items"]
        cursor = page["next"]
        if cursor is None:
            return items
    raise AssertionError("pagination did not end")


async def test_health(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["writes_enabled"] is False and body["version"]


async def test_stories_are_newest_activity_first_and_paginate(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    everything = (await client.get("/api/v1/stories", params={"limit": 100})).json()
    assert everything["next"] is None
    stories = everything["items"]
    assert len(stories) >= 5
    updated = [s["last_updated"] for s in stories]
    assert updated == sorted(updated, reverse=True)
    paged = await walk(client, "/api/v1/stories", limit=2)
    assert [s["id"] for s in paged] == [s["id"] for s in stories]
    first = stories[0]
    for key in ("id", "title", "summary", "quotes", "articles", "outlets", "timeline"):
        assert key in first
    assert first == engine.story(first["id"]).to_dict()


async def test_story_by_id_and_unknown_ids(client: httpx.AsyncClient, engine: Engine) -> None:
    story = engine.stories(limit=1).items[0]
    r = await client.get(f"/api/v1/stories/{story.id}")
    assert r.status_code == 200 and r.json()["title"] == story.title
    assert_error(await client.get("/api/v1/stories/st-000000000000"), 404, "not_found")
    assert_error(await client.get("/api/v1/articles/0000000000000000"), 404, "not_found")


async def test_articles_list_and_brief(client: httpx.AsyncClient) -> None:
    articles = await walk(client, "/api/v1/articles", limit=7)
    ids = [a["id"] for a in articles]
    assert len(ids) == len(set(ids)) >= 20
    r = await client.get(f"/api/v1/articles/{ids[0]}")
    brief = r.json()
    assert brief == articles[0]
    assert brief["read_time_minutes"] >= 1
    assert 1 <= len(brief["quotes"]) <= 3
    assert brief["source"]["name"] and brief["story_id"]
    assert "text" not in brief  # the brief, not the stored body


async def test_search_snippets_carry_markers(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/search", params={"q": "grain rail", "limit": 2})
    page = r.json()
    assert r.status_code == 200 and page["items"]
    assert all("⟦" in hit["snippet"] for hit in page["items"])
    if page["next"]:
        more = await client.get(
            "/api/v1/search", params={"q": "grain rail", "cursor": page["next"]}
        )
        assert {h["id"] for h in more.json()["items"]}.isdisjoint(h["id"] for h in page["items"])


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/v1/search", 422, "invalid_request"),  # q is required
        ("/api/v1/search?q=%20%20", 422, "invalid_request"),  # only spaces
        ("/api/v1/stories?limit=0", 422, "invalid_request"),
        ("/api/v1/stories?limit=101", 422, "invalid_request"),
        ("/api/v1/stories?cursor=not-a-cursor", 400, "bad_request"),
        ("/api/v1/articles?cursor=bm9wZQ", 400, "bad_request"),
        ("/api/v1/nothing-here", 404, "not_found"),
    ],
)
async def test_bad_input_gets_the_error_body(
    client: httpx.AsyncClient, path: str, status: int, code: str
) -> None:
    assert_error(await client.get(path), status, code)


async def test_wrong_method_gets_the_error_body(client: httpx.AsyncClient) -> None:
    assert_error(await client.delete("/api/v1/stories"), 405, "method_not_allowed")


async def test_ingest_is_refused_without_a_configured_token(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/api/v1/ingest",
        json={"url": "https://example.com/a"},
        headers={"Authorization": "Bearer anything"},
    )
    assert_error(r, 403, "writes_disabled")


@pytest.fixture
async def token_client(copy_db: str) -> Any:
    with make_engine(copy_db, ner="gazetteer") as engine:
        async with make_client(create_app(engine, api_token=TOKEN)) as c:
            yield c


@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {TOKEN}", "Bearer"])
async def test_ingest_needs_the_right_token(token_client: httpx.AsyncClient, header: Any) -> None:
    headers = {"Authorization": header} if header else {}
    r = await token_client.post("/api/v1/ingest", json={"url": "https://a.test/"}, headers=headers)
    assert_error(r, 401, "unauthorized")
    assert r.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("url", ["/etc/passwd", "file:///etc/passwd", "-", "ftp://a.test/x"])
async def test_ingest_takes_only_http_urls(token_client: httpx.AsyncClient, url: str) -> None:
    r = await token_client.post(
        "/api/v1/ingest", json={"url": url}, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert_error(r, 400, "bad_request")


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/a", "http://10.1.2.3/a", "http://[::1]/a"])
async def test_ingest_refuses_private_addresses(token_client: httpx.AsyncClient, url: str) -> None:
    r = await token_client.post(
        "/api/v1/ingest", json={"url": url}, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert_error(r, 400, "blocked_address")


async def test_ingest_body_is_validated_with_the_error_body(
    token_client: httpx.AsyncClient,
) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert_error(
        await token_client.post("/api/v1/ingest", json={"link": "x"}, headers=auth),
        422,
        "invalid_request",
    )
    assert_error(
        await token_client.post("/api/v1/ingest", content=b"{not json", headers=auth),
        422,
        "invalid_request",
    )


async def test_security_headers_on_every_kind_of_answer(client: httpx.AsyncClient) -> None:
    for path in ("/", "/api/v1/stories", "/api/v1/stories/nope", "/nope", "/static/style.css"):
        r = await client.get(path)
        assert r.headers["content-security-policy"] == CSP, path
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
    assert "script-src 'self'" in CSP and "frame-ancestors 'none'" in CSP
    assert "unsafe-inline" not in CSP


async def test_large_bodies_are_refused(engine: Engine) -> None:
    app = create_app(engine, api_token=TOKEN, max_body_bytes=1024)
    async with make_client(app) as c:
        big = b'{"url": "' + b"a" * 2000 + b'"}'
        assert_error(await c.post("/api/v1/ingest", content=big), 413, "too_large")

        async def chunks() -> Any:  # no Content-Length: the cap counts streamed bytes
            for _ in range(4):
                yield b"x" * 512

        assert_error(await c.post("/api/v1/ingest", content=chunks()), 413, "too_large")


async def test_posts_are_rate_limited_per_client(engine: Engine) -> None:
    app = create_app(engine, api_token=None, post_burst=2, post_per_minute=1)
    async with make_client(app, "192.0.2.1") as one, make_client(app, "192.0.2.2") as two:
        statuses = [(await one.post("/api/v1/ingest", json={"url": "x"})).status_code]
        statuses += [(await one.post("/api/v1/ingest", json={"url": "x"})).status_code]
        third = await one.post("/api/v1/ingest", json={"url": "x"})
        other = await two.post("/api/v1/ingest", json={"url": "x"})
        reads = await one.get("/api/v1/health")
    assert statuses == [403, 403]
    assert_error(third, 429, "rate_limited")
    assert int(third.headers["retry-after"]) >= 1
    assert other.status_code == 403 and reads.status_code == 200


def test_token_buckets_refill_over_time() -> None:
    now = [0.0]
    buckets = TokenBuckets(rate=0.5, burst=2, clock=lambda: now[0])
    assert buckets.take("a") == 0 and buckets.take("a") == 0
    assert buckets.take("a") == pytest.approx(2.0)
    now[0] = 2.0
    assert buckets.take("a") == 0
    assert buckets.take("b") == 0


async def test_openapi_schema_documents_the_api(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/api/v1/openapi.json")).json()
    paths = schema["paths"]
    for path in (
        "/api/v1/stories",
        "/api/v1/stories/{story_id}",
        "/api/v1/articles",
        "/api/v1/articles/{article_id}",
        "/api/v1/search",
        "/api/v1/health",
        "/api/v1/ingest",
    ):
        assert path in paths
    invalid = paths["/api/v1/search"]["get"]["responses"]["422"]
    assert invalid["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")
    assert "/" not in paths  # the HTML reader is not part of the API


async def test_concurrent_requests_share_one_engine(client: httpx.AsyncClient) -> None:
    story = (await client.get("/api/v1/stories?limit=1")).json()["items"][0]["id"]
    paths = ["/", f"/stories/{story}", "/search?q=strike", "/api/v1/articles?limit=5"] * 10
    answers = await asyncio.gather(*(client.get(p) for p in paths))
    assert [a.status_code for a in answers] == [200] * len(paths)


async def test_an_in_memory_store_is_served_safely() -> None:
    with make_engine("sqlite://", ner="gazetteer") as engine:
        async with make_client(create_app(engine, api_token=None)) as c:
            answers = await asyncio.gather(*(c.get("/api/v1/stories") for _ in range(20)))
    assert all(a.status_code == 200 and a.json() == {"items": [], "next": None} for a in answers)
