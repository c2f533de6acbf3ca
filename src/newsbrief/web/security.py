"""Guards of the web app: security headers, a request body cap, a POST rate limit, the token.

The first three are plain ASGI middlewares, so they act before FastAPI reads a body:

* :class:`SecurityHeaders` adds a strict Content-Security-Policy (scripts only from this site,
  no inline scripts or event handlers, no framing) and the usual hardening headers;
* :class:`BodyLimit` answers 413 to a request whose body is larger than the cap, whether it
  announces its length or streams it;
* :class:`PostRateLimit` keeps one token bucket per client address for unsafe methods and
  answers 429 (with ``Retry-After``) when the bucket is empty.

Their error answers use the app's one error body (``{"error": {"code", "message"}}``) under
``/api/`` and a small escaped HTML page elsewhere.
"""

from __future__ import annotations

import hmac
import json
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from html import escape
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
"""The Content-Security-Policy of every response."""

SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("content-security-policy", CSP),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def error_payload(code: str, message: str) -> dict[str, dict[str, str]]:
    """The one JSON error body of the HTTP API."""
    return {"error": {"code": code, "message": message}}


async def send_error(
    scope: Scope, send: Send, status: int, code: str, message: str, headers: tuple = ()
) -> None:
    """Answer with the API's JSON error body under /api/, else a small HTML page."""
    if str(scope.get("path", "")).startswith("/api/"):
        body = json.dumps(error_payload(code, message)).encode("utf-8")
        ctype = b"application/json"
    else:
        page = f"<!doctype html><title>Error {status}</title><h1>Error {status}</h1>"
        body = (page + f"<p>{escape(message)}</p>\n").encode("utf-8")
        ctype = b"text/html; charset=utf-8"
    raw = [(b"content-type", ctype), (b"content-length", str(len(body)).encode())]
    raw += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in SECURITY_HEADERS]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self._raw if k not in names]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuses request bodies larger than ``max_bytes`` with 413."""

    def __init__(self, app: ASGIApp, *, max_bytes: int = 64 * 1024) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, send)
            return
        seen = 0
        started = refused = False

        async def counting_receive() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    if not started and not refused:
                        refused = True
                        await self._refuse(scope, send)
                    return {"type": "http.disconnect"}  # the app stops reading
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # we already answered 413
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, counting_receive, guarded_send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        message = f"request body larger than {self.max_bytes} bytes"
        await send_error(scope, send, 413, "too_large", message)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class TokenBuckets:
    """One token bucket per key: ``burst`` requests at once, refilled at ``rate`` per second.

    Thread-safe; keeps at most ``max_keys`` buckets (the least recently used are dropped).
    """

    def __init__(
        self,
        *,
        rate: float,
        burst: int,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate, self.burst, self.max_keys = rate, burst, max_keys
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Take one token for ``key``: 0.0 when allowed, else the seconds until one is free."""
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.pop(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
            self._buckets[key] = (tokens - 1 if wait == 0 else tokens, now)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        return wait


class PostRateLimit:
    """Limits unsafe methods (POST, PUT, PATCH, DELETE) per client address with 429."""

    def __init__(self, app: ASGIApp, *, buckets: TokenBuckets) -> None:
        self.app = app
        self.buckets = buckets

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method") in UNSAFE_METHODS:
            client = scope.get("client") or ("unknown", 0)
            wait = self.buckets.take(str(client[0]))
            if wait > 0:
                retry = str(max(1, math.ceil(wait)))
                message = f"too many requests; retry in {retry} s"
                await send_error(
                    scope, send, 429, "rate_limited", message, (("retry-after", retry),)
                )
                return
        await self.app(scope, receive, send)


def token_matches(configured: str | None, authorization: str | None) -> bool:
    """Whether an ``Authorization: Bearer <token>`` header carries the configured token."""
    if not configured or not authorization:
        return False
    scheme, _, given = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode("utf-8"), configured.encode("utf-8"))
