"""The JSON API under ``/api/v1``: each route is one engine call and a dict.

Lists are ``{"items": [...], "next": cursor-or-null}`` (pass ``?cursor=`` for the next page);
errors are ``{"error": {"code", "message"}}`` with the matching status.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Security
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

import newsbrief
from newsbrief import render
from newsbrief.web import schemas
from newsbrief.web.security import token_matches
from newsbrief.web.state import HTTPError, WebState

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": schemas.ErrorBody, "description": text}
    for code, text in (
        (400, "Bad input (an invalid cursor, an empty query...)"),
        (404, "No such story, article or entity"),
        (413, "Request body too large"),
        (422, "The request does not match the schema"),
        (429, "Too many requests"),
        (503, "The store is unavailable"),
    )
}
Limit = Annotated[int, Query(ge=1, le=100, description="Items per page.")]
Cursor = Annotated[
    str | None, Query(max_length=512, description="The `next` value of the previous page.")
]

router = APIRouter(prefix="/api/v1", responses=_ERRORS)


def _state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def article_json(stored: Any) -> dict[str, Any]:
    """An article as the API shows it: its brief plus its story and ingest time."""
    d: dict[str, Any] = stored.brief.to_dict()
    d.update(
        story_id=stored.story_id,
        duplicate_of=stored.duplicate_of,
        ingested_at=stored.ingested_at.isoformat(),
    )
    return d


@router.get("/health", response_model=schemas.Health, summary="Liveness and store check")
def health(request: Request) -> JSONResponse:
    st = _state(request)
    st.call(st.engine.stories, limit=1)
    body = {"status": "ok", "version": newsbrief.__version__, "writes_enabled": st.writes_enabled}
    return JSONResponse(body)


@router.get("/stories", response_model=schemas.StoryPage, summary="Stories, newest activity first")
def stories(request: Request, limit: Limit = 20, cursor: Cursor = None) -> JSONResponse:
    st = _state(request)
    page = st.call(st.engine.stories, limit=limit, cursor=cursor)
    return JSONResponse(render.page_dict(page, lambda s: s.to_dict()))


@router.get("/stories/{story_id}", response_model=schemas.StoryOut, summary="One story")
def story(request: Request, story_id: str) -> JSONResponse:
    st = _state(request)
    return JSONResponse(st.call(st.engine.story, story_id).to_dict())


@router.get("/articles", response_model=schemas.ArticlePage, summary="Articles, newest first")
def articles(request: Request, limit: Limit = 20, cursor: Cursor = None) -> JSONResponse:
    st = _state(request)
    page = st.call(st.engine.articles, limit=limit, cursor=cursor)
    return JSONResponse(render.page_dict(page, article_json))


@router.get("/articles/{article_id}", response_model=schemas.BriefOut, summary="An article's brief")
def article(request: Request, article_id: str) -> JSONResponse:
    st = _state(request)
    return JSONResponse(article_json(st.call(st.engine.article, article_id)))


@router.get("/search", response_model=schemas.SearchPage, summary="Full-text search")
def search(
    request: Request,
    q: Annotated[
        str, Query(min_length=1, max_length=500, pattern=r"\S", description="Words to find.")
    ],
    limit: Limit = 20,
    cursor: Cursor = None,
) -> JSONResponse:
    st = _state(request)
    page = st.call(st.engine.search, q, limit=limit, cursor=cursor)
    return JSONResponse(render.page_dict(page, render.hit_dict))


def entity_candidate(found: Any) -> dict[str, Any]:
    """A stored entity as ``/api/v1/entities?q=`` lists it."""
    return {
        "id": found.id,
        "kind": found.kind,
        "name": found.name,
        "aliases": list(found.aliases),
        "articles": found.articles,
        "merged": list(found.merged),
    }


@router.get(
    "/entities", response_model=schemas.EntityPage, summary="Entities matching a name or alias"
)
def entities(
    request: Request,
    q: Annotated[
        str, Query(min_length=1, max_length=200, pattern=r"\S", description="A name or alias.")
    ],
    limit: Limit = 20,
) -> JSONResponse:
    st = _state(request)
    found = st.call(st.engine.find_entities, q, limit=limit)
    return JSONResponse({"items": [entity_candidate(e) for e in found], "next": None})


@router.get(
    "/entities/{entity_id}",
    response_model=schemas.EntityOut,
    summary="One entity across stories (an id merged away gives the entity it joined)",
)
def entity(request: Request, entity_id: str) -> JSONResponse:
    st = _state(request)
    return JSONResponse(st.call(st.engine.entity, entity_id).to_dict())


_bearer = HTTPBearer(auto_error=False, description="The server's NEWSBRIEF_API_TOKEN.")


def _check_token(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> None:
    require_token(_state(request), request.headers.get("authorization"))


def require_token(st: WebState, authorization: str | None) -> None:
    """403 when writes are disabled, 401 when the bearer token is missing or wrong."""
    if not st.writes_enabled:
        raise HTTPError(403, "writes_disabled", "writes are disabled: NEWSBRIEF_API_TOKEN is unset")
    if not token_matches(st.api_token, authorization):
        raise HTTPError(
            401,
            "unauthorized",
            "a valid 'Authorization: Bearer <token>' header is required",
            headers={"WWW-Authenticate": "Bearer"},
        )


@router.post(
    "/ingest",
    response_model=schemas.IngestOut,
    summary="Fetch and store one URL (needs the API token)",
    responses={
        401: {"model": schemas.ErrorBody, "description": "Missing or wrong token"},
        403: {"model": schemas.ErrorBody, "description": "Writes are disabled (no token set)"},
        502: {"model": schemas.ErrorBody, "description": "The URL could not be fetched"},
    },
    dependencies=[Depends(_check_token)],
)
def ingest(request: Request, body: schemas.IngestRequest) -> JSONResponse:
    st = _state(request)
    outcome = st.ingest(body.url)
    payload = {"url": outcome.url, "items": list(outcome.items), "counts": outcome.counts}
    return JSONResponse(payload)
