"""A real HTTP server on 127.0.0.1 serving the fixture site in ``site/`` plus dynamic routes
(redirects, slow and huge bodies, 429/503, conditional GETs), run in a thread.

Files are served with ``{{BASE}}`` replaced by ``http://<Host header>``, so the same site works
under 127.0.0.1 and under test host names mapped to it by an injected resolver. A path ending
in ``.gz`` whose file does not exist serves the gzipped file without the suffix.
"""

from __future__ import annotations

import gzip
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

SITE_DIR = Path(__file__).resolve().parent / "site"
LAST_MODIFIED = "Wed, 05 Jun 2024 09:00:00 GMT"
ETAG = '"rev-7"'
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".opml": "text/x-opml",
    ".gz": "application/x-gzip",
}
_FEED_TYPES = {"rss.xml": "application/rss+xml", "atom.xml": "application/atom+xml"}


@dataclass
class SiteState:
    """What the server saw, for assertions (thread-safe through ``lock``)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    hits: Counter[str] = field(default_factory=Counter)
    """Requests per ``host path`` (query string dropped), e.g. ``"site.test:8000 /robots.txt"``."""
    keys: Counter[str] = field(default_factory=Counter)
    """Requests per ``path?key=...`` for the stateful routes."""
    user_agents: list[str] = field(default_factory=list)
    in_flight: Counter[str] = field(default_factory=Counter)
    """Requests to ``/concurrent`` now being served, per host and under "*"."""
    max_in_flight: Counter[str] = field(default_factory=Counter)

    def count(self, path: str) -> int:
        """Requests for ``path`` over all hosts."""
        with self.lock:
            return sum(n for key, n in self.hits.items() if key.split(" ", 1)[1] == path)


@dataclass(frozen=True)
class SiteServer:
    base_url: str
    """``http://127.0.0.1:<port>``."""
    port: int
    state: SiteState


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once: no 40 ms ACK stalls
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    @property
    def host(self) -> str:
        return self.headers.get("Host") or f"127.0.0.1:{self.server.server_address[1]}"

    def do_GET(self) -> None:
        state = self.server.state
        path = urlsplit(self.path).path
        with state.lock:
            state.hits[f"{self.host} {path}"] += 1
            state.user_agents.append(self.headers.get("User-Agent") or "")
        route = ROUTES.get(path)
        if route is not None:
            route(self)
        else:
            self.serve_file(path)

    def key(self) -> int:
        """How many times this path with this ``?key=`` was requested (1 on the first)."""
        parts = urlsplit(self.path)
        key = f"{parts.path}?{parse_qs(parts.query).get('key', [''])[0]}"
        with self.server.state.lock:
            self.server.state.keys[key] += 1
            return self.server.state.keys[key]

    def send(self, status: int, ctype: str, body: bytes, **headers: str) -> None:
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str, status: int = 302) -> None:
        self.send(status, "", b"", Location=location)

    def serve_file(self, path: str) -> None:
        body = self.site_file(path)
        if body is None:
            self.send(404, "text/html", b"<html><body><p>Not found</p></body></html>")
            return
        name = path.rsplit("/", 1)[-1]
        suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
        ctype = _FEED_TYPES.get(name) or _TYPES.get(suffix, "application/xml")
        if path == "/robots.txt":
            ctype = "text/plain"
        self.send(200, ctype, body)

    def site_file(self, path: str) -> bytes | None:
        file = (SITE_DIR / path.lstrip("/")).resolve()
        if SITE_DIR not in file.parents:
            return None
        if not file.is_file() and file.suffix == ".gz" and file.with_suffix("").is_file():
            raw = self.site_file(path[: -len(".gz")])
            return gzip.compress(raw, mtime=0) if raw is not None else None
        if not file.is_file():
            return None
        return file.read_bytes().replace(b"{{BASE}}", f"http://{self.host}".encode())


def _robots(h: _Handler) -> None:
    if h.host.startswith("down.test"):
        h.send(503, "text/plain", b"maintenance")
    elif h.host.startswith("norobots.test"):
        h.send(404, "text/plain", b"no robots here")
    else:
        h.serve_file("/robots.txt")


def _slow(h: _Handler) -> None:
    time.sleep(1.5)
    h.send(200, "text/html", b"<html><body><p>Finally here.</p></body></html>")


def _trickle(h: _Handler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Connection", "close")
    h.end_headers()
    try:
        for _ in range(30):
            h.wfile.write(b"<p>another drop</p>\n")
            h.wfile.flush()
            time.sleep(0.1)
    except OSError:
        pass
    h.close_connection = True


def _huge(h: _Handler) -> None:
    """An endless body without Content-Length, stopped when the client hangs up."""
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Connection", "close")
    h.end_headers()
    chunk = b"<p>" + b"more filler words " * 1000 + b"</p>\n"
    try:
        for _ in range(2000):  # at most ~36 MB
            h.wfile.write(chunk)
    except OSError:
        pass
    h.close_connection = True


def _huge_declared(h: _Handler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", "50000000")
    h.send_header("Connection", "close")
    h.end_headers()
    with suppress(OSError):
        h.wfile.write(b"<p>the rest never comes</p>")
    h.close_connection = True


def _limited(h: _Handler) -> None:
    if h.key() == 1:
        h.send(429, "text/plain", b"slow down", Retry_After="3")
    else:
        h.serve_file("/news/market-day.html")


def _limited_date(h: _Handler) -> None:
    if h.key() == 1:
        when = formatdate(time.time() + 5, usegmt=True)
        h.send(503, "text/plain", b"back soon", Retry_After=when)
    else:
        h.serve_file("/news/market-day.html")


def _flaky(h: _Handler) -> None:
    if h.key() == 1:
        h.send(503, "text/plain", b"temporarily unavailable")
    else:
        h.serve_file("/news/council-vote.html")


def _conditional(h: _Handler) -> None:
    if h.headers.get("If-None-Match") == ETAG or h.headers.get("If-Modified-Since") == (
        LAST_MODIFIED
    ):
        h.send(304, "", b"", ETag=ETAG, Last_Modified=LAST_MODIFIED)
    else:
        body = h.site_file("/news/council-vote.html") or b""
        h.send(200, "text/html; charset=utf-8", body, ETag=ETAG, Last_Modified=LAST_MODIFIED)


def _concurrent(h: _Handler) -> None:
    state = h.server.state
    with state.lock:
        for key in (h.host, "*"):
            state.in_flight[key] += 1
            state.max_in_flight[key] = max(state.max_in_flight[key], state.in_flight[key])
    time.sleep(0.15)
    with state.lock:
        for key in (h.host, "*"):
            state.in_flight[key] -= 1
    h.send(200, "text/html", b"<html><body><p>One of many.</p></body></html>")


def _latin1(h: _Handler) -> None:
    body = "<html><body><p>Caf\u00e9 cr\u00e8me on the quay.</p></body></html>".encode("latin-1")
    h.send(200, "text/html; charset=iso-8859-1", body)


ROUTES: dict[str, Callable[[_Handler], None]] = {
    "/robots.txt": _robots,
    "/redirect/page": lambda h: h.redirect("/news/harbour-lights.html"),
    "/redirect/private": lambda h: h.redirect(
        f"http://127.0.0.1:{h.server.server_address[1]}/news/harbour-lights.html"
    ),
    "/redirect/internal": lambda h: h.redirect(
        f"http://internal.test:{h.server.server_address[1]}/news/harbour-lights.html"
    ),
    "/redirect/robots": lambda h: h.redirect("/private/memo.html", 301),
    "/redirect/loop": lambda h: h.redirect("/redirect/loop"),
    "/redirect/ftp": lambda h: h.redirect("ftp://127.0.0.1/pub/file.html"),
    "/slow": _slow,
    "/trickle": _trickle,
    "/huge": _huge,
    "/huge-declared": _huge_declared,
    "/limited": _limited,
    "/limited-date": _limited_date,
    "/flaky": _flaky,
    "/always-503": lambda h: h.send(503, "text/plain", b"down for good"),
    "/gone": lambda h: h.send(410, "text/html", b"<html><body><p>Gone</p></body></html>"),
    "/conditional": _conditional,
    "/concurrent": _concurrent,
    "/latin1": _latin1,
    "/report.pdf": lambda h: h.send(200, "application/pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
    "/download/archive": lambda h: h.send(
        200, "application/octet-stream", h.site_file("/sitemaps/archive.xml.gz") or b""
    ),
}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: SiteState

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients hanging up early is expected here."""


@contextmanager
def serve_site() -> Iterator[SiteServer]:
    """Run the fixture site on an ephemeral 127.0.0.1 port until the block ends."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.state = SiteState()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = int(server.server_address[1])
    try:
        yield SiteServer(base_url=f"http://127.0.0.1:{port}", port=port, state=server.state)
    finally:
        server.shutdown()
        server.server_close()
