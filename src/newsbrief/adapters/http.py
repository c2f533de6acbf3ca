"""Fetch one http(s) URL safely: no private addresses, bounded size, time and redirects.

Every hop of a redirect chain goes through :func:`_check_url`, which checks the scheme and
then the host (:func:`_check_host`: every address the name resolves to must be public).
The connection itself resolves the name again, so a DNS-rebinding attacker can still win
the race; a stricter fetcher that pins the checked address plugs in at ``_check_host``.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version

import httpx

from newsbrief.adapters.sniff import decode, detect_kind
from newsbrief.errors import (
    BlockedAddress,
    EmptyDocument,
    FetchError,
    NewsbriefError,
    TooLarge,
    UnsupportedContent,
)
from newsbrief.records import ContentKind, Fetched

__all__ = ["PROJECT_URL", "SafeFetcher", "default_user_agent", "resolve_host"]

PROJECT_URL = "https://github.com/newsbrief/newsbrief"
Resolver = Callable[[str, int], list[str]]
"""Maps (host, port) to the IP addresses a connection may use."""

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_TEXT_TYPES = frozenset({"text/plain", "text/markdown", "text/x-markdown"})
_SNIFFED_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})
_ACCEPT = "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,*/*;q=0.1"


def default_user_agent() -> str:
    """``NEWSBRIEF_USER_AGENT`` if set, else ``newsbrief/<version> (+<project URL>)``."""
    override = os.environ.get("NEWSBRIEF_USER_AGENT", "").strip()
    if override:
        return override
    try:
        release = version("newsbrief")
    except PackageNotFoundError:
        release = "0"
    return f"newsbrief/{release} (+{PROJECT_URL})"


def resolve_host(host: str, port: int) -> list[str]:
    """All IP addresses ``host`` resolves to (the system resolver)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve host {host}: {exc}") from None
    return [str(info[4][0]) for info in infos]


class SafeFetcher:
    """Implements :class:`newsbrief.ports.Fetcher` with httpx.

    ``timeout`` bounds connecting, each read, and the whole fetch including redirects.
    ``transport`` replaces the network (tests); ``resolver`` replaces DNS.
    """

    def __init__(
        self,
        *,
        allow_private: bool = False,
        timeout: float = 10.0,
        max_bytes: int = 10_000_000,
        max_redirects: int = 5,
        user_agent: str | None = None,
        transport: httpx.BaseTransport | None = None,
        resolver: Resolver | None = None,
    ) -> None:
        self.allow_private = allow_private
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.user_agent = user_agent or default_user_agent()
        self._transport = transport
        self._resolve = resolver or resolve_host

    def fetch(self, url: str, /) -> Fetched:
        """GET ``url`` and return the decoded document; raises a FetchError or InputError."""
        deadline = time.monotonic() + self.timeout
        try:
            with self._client() as client:
                return self._fetch(client, url, deadline)
        except httpx.TimeoutException:
            raise FetchError(f"timed out after {self.timeout:g}s", location=url) from None
        except httpx.HTTPError as exc:
            raise FetchError(_describe(exc), location=url) from None
        except NewsbriefError as exc:
            exc.location = exc.location or url
            raise

    def _client(self) -> httpx.Client:
        return httpx.Client(
            transport=self._transport,
            follow_redirects=False,
            trust_env=False,  # no proxies or .netrc from the environment: we check the target
            headers={"User-Agent": self.user_agent, "Accept": _ACCEPT},
        )

    def _fetch(self, client: httpx.Client, url: str, deadline: float) -> Fetched:
        current = _parse_url(url)
        for _hop in range(self.max_redirects + 1):
            _check_url(current, self._resolve, allow_private=self.allow_private, location=url)
            request = client.build_request("GET", current, timeout=self._remaining(deadline))
            response = client.send(request, stream=True)
            try:
                target = _redirect_target(response)
                if target is None:
                    return self._read(response, url, deadline)
            finally:
                response.close()
            current = target
        raise FetchError(f"too many redirects (more than {self.max_redirects})", location=url)

    def _remaining(self, deadline: float) -> httpx.Timeout:
        left = deadline - time.monotonic()
        if left <= 0:
            raise httpx.ReadTimeout("total time limit reached")
        return httpx.Timeout(min(self.timeout, left))

    def _read(self, response: httpx.Response, location: str, deadline: float) -> Fetched:
        if not response.is_success:
            reason = f" {response.reason_phrase}" if response.reason_phrase else ""
            raise FetchError(f"HTTP {response.status_code}{reason}", location=location)
        media, charset = _content_type(response)
        _check_type(media, location)
        data = self._read_body(response, location, deadline)
        text, encoding = decode(data, declared=charset)
        return Fetched(
            location=location,
            text=text,
            kind=_kind(data, text, media, location),
            url=str(response.url),
            encoding=encoding,
            fetched_at=datetime.now(UTC),
        )

    def _read_body(self, response: httpx.Response, location: str, deadline: float) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise _too_large(self.max_bytes, location)
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > self.max_bytes:
                raise _too_large(self.max_bytes, location)
            if time.monotonic() > deadline:
                raise httpx.ReadTimeout("total time limit reached")
        if not bytes(body).strip():
            raise EmptyDocument("empty response body", location=location)
        return bytes(body)


def _parse_url(url: str) -> httpx.URL:
    try:
        return httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise FetchError(f"invalid URL: {exc}", location=url) from None


def _check_url(url: httpx.URL, resolve: Resolver, *, allow_private: bool, location: str) -> None:
    """Refuse schemes other than http(s), then hosts that resolve to non-public addresses."""
    if url.scheme not in ("http", "https"):
        scheme = url.scheme or "no scheme"
        raise BlockedAddress(f"refused {scheme}: only http and https URLs", location=location)
    if not url.host:
        raise FetchError("URL has no host", location=location)
    if not allow_private:
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            _check_host(url.host, port, resolve)
        except BlockedAddress as exc:
            raise BlockedAddress(exc.args[0], location=location) from None


def _check_host(host: str, port: int, resolve: Resolver) -> None:
    """Raise BlockedAddress unless every address of ``host`` is a public unicast address."""
    addresses = resolve(host, port)
    if not addresses:
        raise FetchError(f"cannot resolve host {host}")
    for address in addresses:
        problem = _address_problem(address)
        if problem is not None:
            shown = host if host == address else f"{host} ({address})"
            raise BlockedAddress(
                f"refused {shown}: a {problem} address (private addresses need --allow-private)"
            )


def _address_problem(address: str) -> str | None:
    """Why an address is not a public one ("loopback", "private", ...), or None."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "unparsable"
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            return _address_problem(str(embedded))
    checks = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("reserved", ip.is_reserved),
        ("private", ip.is_private),
    )
    for name, hit in checks:
        if hit:
            return name
    return None if ip.is_global else "non-public"


def _redirect_target(response: httpx.Response) -> httpx.URL | None:
    if response.status_code not in _REDIRECTS:
        return None
    location = response.headers.get("Location")
    if not location:
        raise FetchError(f"HTTP {response.status_code} redirect without a Location")
    try:
        return response.url.join(location)
    except httpx.InvalidURL as exc:
        raise FetchError(f"invalid redirect target: {exc}") from None


def _content_type(response: httpx.Response) -> tuple[str, str | None]:
    """(media type, charset) from the Content-Type header."""
    header = response.headers.get("Content-Type", "")
    media, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    return media.strip().lower(), charset


def _check_type(media: str, location: str) -> None:
    if media in _HTML_TYPES or media in _TEXT_TYPES or media in _SNIFFED_TYPES:
        return
    raise UnsupportedContent(f"unsupported content type {media}", location=location)


def _kind(data: bytes, text: str, media: str, location: str) -> ContentKind:
    try:
        return detect_kind(data, text, content_type=media or None)
    except UnsupportedContent as exc:
        raise UnsupportedContent(exc.args[0], location=location) from None


def _too_large(max_bytes: int, location: str) -> TooLarge:
    message = f"too large: the response exceeds the {max_bytes:,}-byte limit"
    return TooLarge(message, location=location)


def _describe(exc: httpx.HTTPError) -> str:
    kinds: dict[type[httpx.HTTPError], str] = {
        httpx.ConnectError: "cannot connect",
        httpx.RemoteProtocolError: "protocol error",
        httpx.UnsupportedProtocol: "unsupported URL",
        httpx.DecodingError: "cannot decode the response",
    }
    kind = kinds.get(type(exc), "network error")
    detail = str(exc).strip()
    return f"{kind}: {detail}" if detail else kind
