"""A real HTTP server on 127.0.0.1, in a thread, serving the fixture pages and bad cases."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

HTML_DIR = Path(__file__).resolve().parents[1] / "data" / "html"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
CP1252_PAGE = (
    "<html><head><title>Caf\u00e9 prices</title></head><body><article>"
    "<p>\u201cIt costs \u20ac4 now,\u201d said the caf\u00e9 owner \u2014 twice last year\u2019s "
    "price.</p></article></body></html>"
).encode("cp1252")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""

    def do_GET(self) -> None:
        route = ROUTES.get(self.path.split("?")[0])
        if route is None:
            self._send(404, "text/html", b"<html><body><p>Not found</p></body></html>")
            return
        route(self)

    def _send(self, status: int, ctype: str, body: bytes, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


def _article(h: _Handler) -> None:
    body = (HTML_DIR / "harbour_gazette_ferry.html").read_bytes()
    h._send(200, "text/html; charset=utf-8", body)


def _chain(h: _Handler) -> None:
    step = int(h.path.rsplit("/", 1)[1])
    h.redirect("/article" if step <= 1 else f"/chain/{step - 1}")


def _slow(h: _Handler) -> None:
    time.sleep(2.0)
    h._send(200, "text/html", b"<html><body><p>late</p></body></html>")


def _trickle(h: _Handler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.end_headers()
    try:
        for _ in range(20):
            h.wfile.write(b"<p>drip</p>\n")
            h.wfile.flush()
            time.sleep(0.15)
    except OSError:
        pass


def _huge(h: _Handler) -> None:
    """An endless body without Content-Length, stopped when the client hangs up."""
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Connection", "close")
    h.end_headers()
    chunk = b"<p>" + b"filler words " * 5000 + b"</p>\n"
    try:
        for _ in range(400):  # at most ~26 MB
            h.wfile.write(chunk)
    except OSError:
        pass


def _gzip(h: _Handler) -> None:
    body = gzip.compress((HTML_DIR / "valley_ledger_mill.html").read_bytes())
    h._send(200, "text/html; charset=utf-8", body, Content_Encoding="gzip")


ROUTES: dict[str, Callable[[_Handler], None]] = {
    "/article": _article,
    "/chain/1": _chain,
    "/chain/2": _chain,
    "/chain/3": _chain,
    "/loop": lambda h: h.redirect("/loop"),
    "/to-ftp": lambda h: h.redirect("ftp://127.0.0.1/pub/article.html"),
    "/to-file": lambda h: h.redirect("file:///etc/passwd"),
    "/slow": _slow,
    "/trickle": _trickle,
    "/huge": _huge,
    "/image": lambda h: h._send(200, "image/png", PNG),
    "/pdf": lambda h: h._send(200, "application/pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"),
    "/cp1252": lambda h: h._send(200, "text/html; charset=windows-1252", CP1252_PAGE),
    "/plain": lambda h: h._send(
        200, "text/plain; charset=utf-8", "A plain caf\u00e9 report.\n\nSecond para.".encode()
    ),
    "/octet-html": lambda h: h._send(200, "application/octet-stream", CP1252_PAGE),
    "/octet-png": lambda h: h._send(200, "application/octet-stream", PNG),
    "/untyped": lambda h: h._send(200, "", b"<!DOCTYPE html><html><body><p>x</p></body></html>"),
    "/empty": lambda h: h._send(200, "text/html", b"  \n"),
    "/gzip": _gzip,
    "/user-agent": lambda h: h._send(
        200, "text/plain", (h.headers.get("User-Agent") or "").encode()
    ),
}


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients hanging up early is expected here."""


@pytest.fixture(scope="session")
def http_server() -> Iterator[str]:
    """Base URL of a loopback server, e.g. ``http://127.0.0.1:54321``."""
    server = _QuietServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def html_dir() -> Path:
    return HTML_DIR
