"""The app factory: routes, error answers, static files and the guards, around one engine."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

import newsbrief
from newsbrief import Engine, render
from newsbrief.web import api, views
from newsbrief.web.security import (
    BodyLimit,
    PostRateLimit,
    SecurityHeaders,
    TokenBuckets,
    error_payload,
)
from newsbrief.web.state import HTTPError, WebState
from newsbrief.web.templating import STATIC, templates

log = logging.getLogger(__name__)
_FROM_SETTINGS: Any = object()
_STATUS_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "too_large",
    415: "unsupported_media_type",
}


def create_app(
    engine: Engine,
    /,
    *,
    api_token: str | None = _FROM_SETTINGS,
    max_body_bytes: int = 64 * 1024,
    post_burst: int = 10,
    post_per_minute: float = 10.0,
) -> FastAPI:
    """The web reader and JSON API over ``engine``.

    ``api_token`` enables ``POST /api/v1/ingest`` and the ingest form (default: the engine's
    ``api_token`` setting, i.e. ``NEWSBRIEF_API_TOKEN``); without one, writes are refused.
    Unsafe methods are limited per client to ``post_burst`` at once, refilled at
    ``post_per_minute``; request bodies larger than ``max_body_bytes`` get 413.
    """
    token = engine.settings.api_token if api_token is _FROM_SETTINGS else api_token
    app = FastAPI(
        title="Newsbrief",
        version=newsbrief.__version__,
        description="Faithful news briefs and stories followed across outlets.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # Swagger UI needs inline scripts and a CDN, which the CSP forbids
        redoc_url=None,
    )
    app.state.web = WebState(engine, api_token=token)
    app.include_router(api.router)
    app.include_router(views.router)
    app.add_api_route("/static/card.css", _card_css, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _add_error_handlers(app)
    buckets = TokenBuckets(rate=post_per_minute / 60.0, burst=post_burst)
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    app.add_middleware(PostRateLimit, buckets=buckets)
    app.add_middleware(SecurityHeaders)  # outermost: every answer gets the headers
    return app


def _card_css() -> Response:
    """The brief card's stylesheet, shared with ``newsbrief brief --format html``."""
    return Response(render.card_css(), media_type="text/css; charset=utf-8")


def _add_error_handlers(app: FastAPI) -> None:
    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPError)
        return error_response(request, exc.status, exc.code, exc.message, exc.headers)

    async def on_starlette(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        code = _STATUS_CODES.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        return error_response(request, exc.status_code, code, message, exc.headers)

    async def on_invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return error_response(request, 422, "invalid_request", _validation_message(exc))

    async def on_crash(request: Request, exc: Exception) -> Response:
        log.error("unexpected error on %s", request.url.path, exc_info=exc)
        return error_response(request, 500, "internal_error", "internal server error")

    app.add_exception_handler(HTTPError, on_http_error)
    app.add_exception_handler(StarletteHTTPException, on_starlette)
    app.add_exception_handler(RequestValidationError, on_invalid)
    app.add_exception_handler(Exception, on_crash)


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The API's JSON error body under /api/, else the reader's error page."""
    if request.url.path.startswith("/api/"):
        return JSONResponse(
            error_payload(code, message), status_code=status, headers=dict(headers or {})
        )
    context = {"status": status, "message": message, "q": "", "writes_enabled": False}
    return templates.TemplateResponse(
        request, "error.html", context, status_code=status, headers=dict(headers or {})
    )


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "request"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"
