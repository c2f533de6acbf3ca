"""A polite, safe fetcher for crawling: robots.txt, rate limits, retries, conditional GETs.

One :meth:`PoliteFetcher.fetch` call::

    check the scheme (http/https only)
    hold one of the host's slots (``per_host``, 1 or 2)
    for each hop of the redirect chain (at most ``max_redirects``):
        robots.txt of the hop's origin allows the URL?   else -> status "robots"
        for each attempt (1 + ``retries``):
            wait for the host's next start (min interval, Crawl-delay, Retry-After)
            hold a global slot (``global_limit``), connect, send, read the body (capped)
            429 / 5xx -> back off (Retry-After, else ``backoff * 2**attempt``) and retry
    304 -> "not_modified"; 2xx -> "ok"; anything else -> "error"

Safety sits at the connection: :class:`PinnedBackend` resolves each host once, refuses the
connection unless every address passes the address policy, and connects to the checked
address itself (TLS still verifies the host name). Redirects, DNS rebinding and names that
resolve to private addresses are all caught there, because no connection can be opened to a
refused address. The peer address of every response is checked again as a second line.

Exceptions from httpx never escape: every failure becomes a result with ``status="error"``
and a :class:`~newsbrief.errors.NewsbriefError`.
"""

from __future__ import annotations

import email.utils
import functools
import logging
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

import certifi
import httpcore
import httpx

from newsbrief.adapters.http import (
    _HTML_TYPES,
    _SNIFFED_TYPES,
    _TEXT_TYPES,
    Resolver,
    _address_problem,
    _content_type,
    _describe,
    _kind,
    _parse_url,
    _redirect_target,
    default_user_agent,
    resolve_host,
)
from newsbrief.adapters.robots import ROBOTS_MAX_BYTES, RobotsCache, RobotsRules
from newsbrief.adapters.sniff import decode
from newsbrief.adapters.sources import sniff_kind
from newsbrief.errors import (
    BlockedAddress,
    EmptyDocument,
    FetchError,
    NewsbriefError,
    TooLarge,
    UnsupportedContent,
)
from newsbrief.records import Fetched

__all__ = [
    "DATA_TYPES",
    "DOCUMENT_TYPES",
    "AddressPolicy",
    "FetchResult",
    "FetchStatus",
    "PinnedBackend",
    "PoliteFetcher",
    "Timeouts",
    "retry_after_seconds",
]

logger = logging.getLogger(__name__)

FetchStatus = Literal["ok", "not_modified", "robots", "error"]
AddressPolicy = Callable[[str, str], bool]
"""``(host name, IP address) -> allowed?``, asked before every connection."""

DOCUMENT_TYPES = _HTML_TYPES | _TEXT_TYPES
"""Media types decoded into a :class:`~newsbrief.records.Fetched` document."""
DATA_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
        "text/x-opml",
        "text/x-opml+xml",
        "application/x-opml",
        "application/gzip",
        "application/x-gzip",
        "application/warc",
    }
)
"""Media types kept as raw bytes (feeds, OPML, sitemaps, gzip, WARC) for the source expanders."""

_ACCEPT = (
    "text/html,application/xhtml+xml;q=0.9,application/rss+xml;q=0.8,application/atom+xml;q=0.8,"
    "application/xml;q=0.7,text/plain;q=0.6,*/*;q=0.1"
)
_TRANSIENT = (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError)


@dataclass(frozen=True)
class Timeouts:
    """Time limits in seconds. ``total`` bounds one attempt, from connecting to the last
    body byte; waits for politeness and between retries are not counted."""

    connect: float = 5.0
    read: float = 10.0
    total: float = 30.0


@dataclass(frozen=True)
class FetchResult:
    """What one :meth:`PoliteFetcher.fetch` came to. Never raised: failures are a status."""

    url: str
    """The URL asked for."""
    final_url: str | None
    """The URL after redirects (the hop that answered, or the one robots.txt refused)."""
    status: FetchStatus
    fetched: Fetched | None = None
    """The decoded document, for HTML and text responses with status "ok"."""
    etag: str | None = None
    last_modified: str | None = None
    error: NewsbriefError | None = None
    """Why the fetch failed (status "error"), or what robots.txt said (status "robots")."""
    http_status: int | None = None
    content_type: str | None = None
    """The response's media type, lower case, without parameters."""
    body: bytes | None = None
    """The raw body (after Content-Encoding) for status "ok": feeds, sitemaps, gzip, WARC."""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass(frozen=True)
class _Reply:
    response: httpx.Response
    body: bytes


class _Host:
    """Per-origin state: concurrency slots and the next moment a request may start."""

    def __init__(self, per_host: int, interval: float) -> None:
        self.slots = threading.BoundedSemaphore(per_host)
        self.lock = threading.Lock()
        self.next_start = float("-inf")
        self.interval = interval


class PinnedBackend(httpcore.NetworkBackend):
    """An httpcore network backend that connects only to addresses the policy allows.

    The host is resolved once; if any address is refused the connection is refused, else the
    socket is opened to the checked address (never to a second, possibly different, lookup).
    """

    def __init__(
        self,
        resolve: Resolver,
        allowed: AddressPolicy,
        inner: httpcore.NetworkBackend | None = None,
    ) -> None:
        self._resolve = resolve
        self._allowed = allowed
        self._inner = inner or httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self._resolve(host, port)
        if not addresses:
            raise FetchError(f"cannot resolve host {host}")
        for address in addresses:
            _check_address(host, address, self._allowed)
        failure: httpcore.ConnectError | None = None
        for address in dict.fromkeys(addresses):
            try:
                return self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                failure = exc
        assert failure is not None
        raise failure

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        raise BlockedAddress("refused: Unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class PoliteFetcher:
    """Fetches http(s) URLs politely and safely; thread-safe (share one across a pool).

    ``address_policy`` replaces the default rule (public addresses only, or any address with
    ``allow_private``); ``resolver`` replaces DNS; ``transport`` replaces the network (then the
    transport is responsible for address checks: only literal IP hosts are checked up front).
    ``clock`` and ``sleep`` pace requests (min interval, Crawl-delay, Retry-After).
    """

    def __init__(
        self,
        *,
        allow_private: bool = False,
        user_agent: str | None = None,
        per_host: int = 1,
        global_limit: int = 8,
        min_interval: float = 1.0,
        max_crawl_delay: float = 30.0,
        timeout: Timeouts | None = None,
        max_bytes: int = 10_000_000,
        max_redirects: int = 5,
        retries: int = 3,
        backoff: float = 0.5,
        max_retry_after: float = 60.0,
        respect_robots: bool = True,
        accept: frozenset[str] = DOCUMENT_TYPES | DATA_TYPES,
        address_policy: AddressPolicy | None = None,
        resolver: Resolver | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not 1 <= per_host <= 2:
            raise ValueError("per_host must be 1 or 2")
        if global_limit < 1:
            raise ValueError("global_limit must be at least 1")
        self.user_agent = user_agent or default_user_agent()
        self.per_host = per_host
        self.min_interval = max(0.0, min_interval)
        self.max_crawl_delay = max_crawl_delay
        self.timeout = timeout or Timeouts()
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.retries = max(0, retries)
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self.respect_robots = respect_robots
        self.accept = accept
        self._allowed = address_policy or _default_policy(allow_private)
        self._clock = clock
        self._sleep = sleep
        self._global = threading.BoundedSemaphore(global_limit)
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()
        self._robots = RobotsCache(self._load_robots, clock=clock)
        backend = PinnedBackend(resolver or resolve_host, self._allowed)
        self._client = httpx.Client(
            transport=transport or _pinned_transport(backend, global_limit),
            follow_redirects=False,
            trust_env=False,  # no proxies or .netrc: the connection is what we check
            headers={"User-Agent": self.user_agent, "Accept": _ACCEPT},
        )

    def __enter__(self) -> PoliteFetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the pooled connections."""
        self._client.close()

    def fetch(
        self, url: str, /, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET ``url``; with ``etag``/``last_modified`` the GET is conditional.

        Never raises for a failed fetch: see :class:`FetchResult` and its ``status``.
        """
        try:
            target = _parse_url(url)
            self._check_target(target, url)
        except NewsbriefError as exc:
            return _failed(url, url, exc)
        host = self._host(target)
        with host.slots:
            return self._fetch_guarded(url, target, _conditional(etag, last_modified))

    def _fetch_guarded(self, url: str, target: httpx.URL, headers: dict[str, str]) -> FetchResult:
        hops: list[httpx.URL] = [target]
        try:
            return self._follow(url, hops, headers)
        except httpx.TimeoutException:
            error: NewsbriefError = FetchError(f"timed out ({self._timeout_text()})")
        except httpx.HTTPError as exc:
            error = FetchError(_describe(exc))
        except NewsbriefError as exc:
            error = exc
        error.location = error.location or url
        return _failed(url, str(hops[-1]), error)

    def _follow(self, url: str, hops: list[httpx.URL], headers: dict[str, str]) -> FetchResult:
        """Follow redirects from ``hops[0]``, appending each hop (for error reports)."""
        for _hop in range(self.max_redirects + 1):
            current = hops[-1]
            self._check_target(current, url)
            refusal = self._robots_refusal(url, current)
            if refusal is not None:
                return refusal
            reply = self._exchange(current, headers, self.max_bytes, check=True)
            following = _redirect_target(reply.response)
            if following is None:
                return self._result(url, reply, headers)
            hops.append(following)
        raise FetchError(f"too many redirects (more than {self.max_redirects})", location=url)

    def _timeout_text(self) -> str:
        t = self.timeout
        return f"connect {t.connect:g}s, read {t.read:g}s, total {t.total:g}s"

    # --- robots.txt ---------------------------------------------------------------------

    def _robots_refusal(self, url: str, current: httpx.URL) -> FetchResult | None:
        if not self.respect_robots:
            return None
        rules = self._robots.rules(str(current))
        self._apply_crawl_delay(current, rules)
        if rules.unavailable is not None:
            return _failed(url, str(current), FetchError(rules.unavailable, location=url))
        if rules.allows(str(current), self.user_agent):
            return None
        error = FetchError("disallowed by robots.txt", location=str(current))
        return FetchResult(url=url, final_url=str(current), status="robots", error=error)

    def _load_robots(self, where: str) -> tuple[int, bytes]:
        try:
            return self._load_robots_chain(where)
        except httpx.HTTPError as exc:
            raise FetchError(_describe(exc), location=where) from None

    def _load_robots_chain(self, where: str) -> tuple[int, bytes]:
        current = _parse_url(where)
        for _hop in range(5 + 1):  # RFC 9309: follow at least five redirects
            self._check_target(current, where)
            reply = self._exchange(current, {}, ROBOTS_MAX_BYTES, check=False)
            following = _redirect_target(reply.response)
            if following is None:
                return reply.response.status_code, reply.body
            current = following
        return 404, b""  # a redirect loop: treated as no robots.txt (RFC 9309 2.3.1.2)

    def _apply_crawl_delay(self, current: httpx.URL, rules: RobotsRules) -> None:
        delay = rules.crawl_delay(self.user_agent)
        host = self._host(current)
        wanted = max(self.min_interval, min(delay or 0.0, self.max_crawl_delay))
        with host.lock:
            host.interval = wanted

    # --- requests, pacing and retries ---------------------------------------------------

    def _exchange(
        self, target: httpx.URL, headers: dict[str, str], max_bytes: int, *, check: bool
    ) -> _Reply:
        """One request with retries on 429, 5xx and transient network errors."""
        host = self._host(target)
        for attempt in range(self.retries + 1):
            self._pace(host)
            try:
                reply = self._attempt(target, headers, max_bytes, check=check)
            except _TRANSIENT as exc:
                if attempt == self.retries:
                    raise
                logger.info("retrying %s after %s", target, _describe(exc))
                self._defer(host, self.backoff * 2**attempt)
                continue
            status = reply.response.status_code
            if not _retryable(status) or attempt == self.retries:
                return reply
            delay = self._retry_delay(reply.response, attempt)
            logger.info("HTTP %s from %s: retrying in %.1fs", status, target, delay)
            self._defer(host, delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt(
        self, target: httpx.URL, headers: dict[str, str], max_bytes: int, *, check: bool
    ) -> _Reply:
        t = self.timeout
        timeout = httpx.Timeout(connect=t.connect, read=t.read, write=t.read, pool=t.total)
        deadline = time.monotonic() + t.total
        with self._global:
            request = self._client.build_request("GET", target, headers=headers, timeout=timeout)
            response = self._client.send(request, stream=True)
            try:
                self._check_peer(response)
                if not response.is_success or _redirect_target(response) is not None:
                    return _Reply(response, b"")
                if check:
                    self._check_type(response, str(target))
                return _Reply(response, _read_capped(response, max_bytes, deadline))
            finally:
                response.close()

    def _pace(self, host: _Host) -> None:
        """Wait until the host's next start; reserve the following one."""
        with host.lock:
            now = self._clock()
            start = max(now, host.next_start)
            host.next_start = start + host.interval
        if start > now:
            self._sleep(start - now)

    def _defer(self, host: _Host, delay: float) -> None:
        with host.lock:
            host.next_start = max(host.next_start, self._clock() + delay)

    def _retry_delay(self, response: httpx.Response, attempt: int) -> float:
        stated = retry_after_seconds(response.headers.get("Retry-After"), now=datetime.now(UTC))
        delay = stated if stated is not None else self.backoff * 2**attempt
        return min(max(delay, 0.0), self.max_retry_after)

    def _host(self, url: httpx.URL) -> _Host:
        key = f"{url.scheme}://{url.host}:{url.port or _default_port(url)}"
        with self._hosts_lock:
            host = self._hosts.get(key)
            if host is None:
                host = self._hosts[key] = _Host(self.per_host, self.min_interval)
            return host

    # --- checks and results -------------------------------------------------------------

    def _check_target(self, url: httpx.URL, location: str) -> None:
        if url.scheme not in ("http", "https"):
            scheme = url.scheme or "no scheme"
            raise BlockedAddress(f"refused {scheme}: only http and https URLs", location=location)
        if not url.host:
            raise FetchError("URL has no host", location=location)
        if _is_ip(url.host):
            _check_address(url.host, url.host, self._allowed)

    def _check_peer(self, response: httpx.Response) -> None:
        """Second line of defence: the address the response actually came from."""
        stream = response.extensions.get("network_stream")
        peer = stream.get_extra_info("server_addr") if stream is not None else None
        if isinstance(peer, tuple) and peer:
            _check_address(response.url.host, str(peer[0]), self._allowed)

    def _check_type(self, response: httpx.Response, location: str) -> None:
        media, _charset = _content_type(response)
        if media in self.accept or media in _SNIFFED_TYPES:
            return
        raise UnsupportedContent(f"unsupported content type {media}", location=location)

    def _result(self, url: str, reply: _Reply, sent: dict[str, str]) -> FetchResult:
        response = reply.response
        media, charset = _content_type(response)
        base = FetchResult(
            url=url,
            final_url=str(response.url),
            status="error",
            http_status=response.status_code,
            content_type=media or None,
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
        )
        if response.status_code == 304:  # a 304 may omit the validators: keep the ones sent
            return replace(
                base,
                status="not_modified",
                etag=base.etag or sent.get("If-None-Match"),
                last_modified=base.last_modified or sent.get("If-Modified-Since"),
            )
        if not response.is_success:
            reason = f" {response.reason_phrase}" if response.reason_phrase else ""
            error = FetchError(f"HTTP {response.status_code}{reason}", location=url)
            return replace(base, error=error)
        fetched = _document(url, str(response.url), reply.body, media, charset)
        return replace(base, status="ok", fetched=fetched, body=reply.body)


def retry_after_seconds(value: str | None, *, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), else None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def _default_policy(allow_private: bool) -> AddressPolicy:
    def allowed(host: str, address: str) -> bool:
        return allow_private or _address_problem(address) is None

    return allowed


def _check_address(host: str, address: str, allowed: AddressPolicy) -> None:
    if allowed(host, address):
        return
    problem = _address_problem(address) or "disallowed"
    shown = host if host == address else f"{host} ({address})"
    raise BlockedAddress(
        f"refused {shown}: a {problem} address (private addresses need --allow-private)"
    )


def _pinned_transport(backend: PinnedBackend, limit: int) -> httpx.HTTPTransport:
    """httpx's transport over a connection pool that connects through ``backend``.

    httpx does not take a network backend, so the pool it built is swapped for ours.
    """
    # A bare context keeps httpx from loading CA certificates for a pool that is replaced.
    transport = httpx.HTTPTransport(verify=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT), trust_env=False)
    transport._pool.close()
    transport._pool = httpcore.ConnectionPool(
        ssl_context=_verifying_context(),
        max_connections=limit,
        max_keepalive_connections=limit,
        keepalive_expiry=5.0,
        http1=True,
        http2=False,
        network_backend=backend,
    )
    return transport


@functools.cache
def _verifying_context() -> ssl.SSLContext:
    """One certificate-verifying TLS context (certifi's CAs), shared: loading CAs is slow."""
    return ssl.create_default_context(cafile=certifi.where())


def _read_capped(response: httpx.Response, max_bytes: int, deadline: float) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(max_bytes)
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise _too_large(max_bytes)
        if time.monotonic() > deadline:
            raise httpx.ReadTimeout("total time limit reached")
    return bytes(body)


def _document(
    url: str, final_url: str, data: bytes, media: str, charset: str | None
) -> Fetched | None:
    """The body as a decoded document, or None for data (feeds, sitemaps, gzip, WARC)."""
    if not data.strip():
        raise EmptyDocument("empty response body", location=url)
    if media not in DOCUMENT_TYPES and (media not in _SNIFFED_TYPES or sniff_kind(data)):
        return None
    text, encoding = decode(data, declared=charset)
    return Fetched(
        location=url,
        text=text,
        kind=_kind(data, text, media, url),
        url=final_url,
        encoding=encoding,
        fetched_at=datetime.now(UTC),
    )


def _conditional(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _failed(url: str, final_url: str, error: NewsbriefError) -> FetchResult:
    return FetchResult(url=url, final_url=final_url, status="error", error=error)


def _retryable(status: int) -> bool:
    return status == 429 or status >= 500


def _default_port(url: httpx.URL) -> int:
    return 443 if url.scheme == "https" else 80


def _is_ip(host: str) -> bool:
    return _address_problem(host) != "unparsable"


def _too_large(max_bytes: int) -> TooLarge:
    return TooLarge(f"too large: the response exceeds the {max_bytes:,}-byte limit")
