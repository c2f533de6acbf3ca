"""SafeFetcher against a real loopback server, plus address checks with an injected resolver."""

from __future__ import annotations

import time

import httpx
import pytest

from newsbrief.adapters.http import SafeFetcher, default_user_agent
from newsbrief.errors import (
    BlockedAddress,
    EmptyDocument,
    FetchError,
    InputError,
    TooLarge,
    UnsupportedContent,
)


def local(**options: object) -> SafeFetcher:
    return SafeFetcher(allow_private=True, **options)  # type: ignore[arg-type]


def test_fetches_html_page(http_server: str) -> None:
    doc = local().fetch(f"{http_server}/article")
    assert doc.kind == "html"
    assert doc.url == f"{http_server}/article"
    assert doc.location == f"{http_server}/article"
    assert doc.encoding == "utf-8"
    assert "Kestrel Point" in doc.text
    assert doc.fetched_at is not None and doc.fetched_at.utcoffset() is not None


def test_loopback_refused_by_default(http_server: str) -> None:
    with pytest.raises(BlockedAddress, match="loopback"):
        SafeFetcher().fetch(f"{http_server}/article")


def test_localhost_name_refused_by_default(http_server: str) -> None:
    port = http_server.rsplit(":", 1)[1]
    with pytest.raises(BlockedAddress, match="localhost"):
        SafeFetcher().fetch(f"http://localhost:{port}/article")


def test_follows_redirect_chain(http_server: str) -> None:
    doc = local().fetch(f"{http_server}/chain/3")
    assert doc.url == f"{http_server}/article"
    assert doc.location == f"{http_server}/chain/3"
    assert "Kestrel Point" in doc.text


def test_redirect_limit(http_server: str) -> None:
    with pytest.raises(FetchError, match="too many redirects"):
        local(max_redirects=2).fetch(f"{http_server}/chain/3")
    with pytest.raises(FetchError, match="too many redirects"):
        local().fetch(f"{http_server}/loop")


@pytest.mark.parametrize(("path", "scheme"), [("/to-ftp", "ftp"), ("/to-file", "file")])
def test_redirect_to_other_scheme_blocked(http_server: str, path: str, scheme: str) -> None:
    with pytest.raises(BlockedAddress, match=f"refused {scheme}"):
        local().fetch(f"{http_server}{path}")


def test_slow_response_times_out(http_server: str) -> None:
    start = time.monotonic()
    with pytest.raises(FetchError, match=r"timed out after 0\.5s"):
        local(timeout=0.5).fetch(f"{http_server}/slow")
    assert time.monotonic() - start < 1.5


def test_total_time_is_bounded_even_when_bytes_keep_coming(http_server: str) -> None:
    start = time.monotonic()
    with pytest.raises(FetchError, match="timed out"):
        local(timeout=0.5).fetch(f"{http_server}/trickle")
    assert time.monotonic() - start < 1.5


def test_endless_body_is_capped(http_server: str) -> None:
    with pytest.raises(TooLarge, match="1,000,000-byte limit"):
        local(max_bytes=1_000_000).fetch(f"{http_server}/huge")


def test_http_error_status(http_server: str) -> None:
    with pytest.raises(FetchError, match="HTTP 404") as info:
        local().fetch(f"{http_server}/nowhere")
    assert str(info.value).startswith(f"{http_server}/nowhere: ")


@pytest.mark.parametrize(("path", "kind"), [("/image", "image/png"), ("/pdf", "application/pdf")])
def test_non_text_content_type_refused(http_server: str, path: str, kind: str) -> None:
    with pytest.raises(UnsupportedContent, match=kind):
        local().fetch(f"{http_server}{path}")


def test_octet_stream_is_sniffed(http_server: str) -> None:
    assert local().fetch(f"{http_server}/octet-html").kind == "html"
    assert local().fetch(f"{http_server}/untyped").kind == "html"
    with pytest.raises(UnsupportedContent, match="PNG image"):
        local().fetch(f"{http_server}/octet-png")


def test_charset_from_content_type_header(http_server: str) -> None:
    doc = local().fetch(f"{http_server}/cp1252")
    assert doc.encoding == "cp1252"
    assert "\u201cIt costs \u20ac4 now,\u201d said the caf\u00e9 owner \u2014" in doc.text


def test_plain_text_and_gzip(http_server: str) -> None:
    plain = local().fetch(f"{http_server}/plain")
    assert plain.kind == "text"
    assert plain.text.startswith("A plain caf\u00e9 report.")
    zipped = local().fetch(f"{http_server}/gzip")
    assert zipped.kind == "html" and "Brennan Mill" in zipped.text


def test_empty_body(http_server: str) -> None:
    with pytest.raises(EmptyDocument):
        local().fetch(f"{http_server}/empty")


def test_user_agent(http_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSBRIEF_USER_AGENT", raising=False)
    sent = local().fetch(f"{http_server}/user-agent").text
    assert sent.startswith("newsbrief/") and "(+https://github.com/newsbrief/newsbrief)" in sent
    assert local(user_agent="custom-bot/2").fetch(f"{http_server}/user-agent").text == (
        "custom-bot/2"
    )
    monkeypatch.setenv("NEWSBRIEF_USER_AGENT", "from-env/1")
    assert default_user_agent() == "from-env/1"
    assert local().fetch(f"{http_server}/user-agent").text == "from-env/1"


def test_connection_refused_is_a_fetch_error() -> None:
    with pytest.raises(FetchError, match="cannot connect"):
        local(timeout=2).fetch("http://127.0.0.1:9/")


# --- without the loopback server: an injected transport and resolver ---------------------


def public_dns(host: str, port: int) -> list[str]:
    table = {
        "news.example": ["198.51.100.7", "93.184.216.34"],
        "public.example": ["93.184.216.34"],
        "internal.example": ["93.184.216.34", "10.1.2.3"],
        "metadata.example": ["169.254.169.254"],
        "mapped.example": ["::ffff:127.0.0.1"],
    }
    return table[host]


def page(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/hop":
        return httpx.Response(302, headers={"Location": "http://metadata.example/latest"})
    body = "<html><body><p>hello from " + request.url.host + "</p></body></html>"
    return httpx.Response(200, headers={"Content-Type": "text/html"}, text=body)


def fake(**options: object) -> SafeFetcher:
    return SafeFetcher(
        transport=httpx.MockTransport(page),
        resolver=public_dns,
        **options,  # type: ignore[arg-type]
    )


def test_public_host_allowed() -> None:
    doc = fake().fetch("https://public.example/story")
    assert "hello from public.example" in doc.text


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://news.example/", "private"),  # 198.51.100.0/24 is a documentation range
        ("http://internal.example/", "private"),  # one bad address is enough
        ("http://metadata.example/", "link-local"),
        ("http://mapped.example/", "loopback"),
        ("http://[::ffff:10.0.0.1]/", "private"),
        ("http://[::1]/", "loopback"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://224.0.0.1/", "multicast"),
        ("http://240.0.0.1/", "reserved"),
        ("http://100.64.0.1/", "non-public"),
    ],
)
def test_non_public_addresses_blocked(url: str, problem: str) -> None:
    fetcher = SafeFetcher(transport=httpx.MockTransport(page))
    if "example" in url:
        fetcher = fake()
    with pytest.raises(BlockedAddress, match=problem):
        fetcher.fetch(url)


def test_redirect_to_private_host_blocked_at_the_hop() -> None:
    with pytest.raises(BlockedAddress, match="link-local") as info:
        fake().fetch("https://public.example/hop")
    assert str(info.value).startswith("https://public.example/hop: ")


@pytest.mark.parametrize("url", ["ftp://public.example/x", "file:///etc/passwd", "javascript:1"])
def test_only_http_schemes(url: str) -> None:
    with pytest.raises(BlockedAddress, match="only http and https"):
        fake().fetch(url)


def test_declared_length_over_cap_refused_before_reading() -> None:
    def big(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers={"Content-Type": "text/html", "Content-Length": "50000000"}, content=b"x"
        )

    fetcher = SafeFetcher(transport=httpx.MockTransport(big), resolver=public_dns)
    with pytest.raises(TooLarge):
        fetcher.fetch("https://public.example/")


def test_errors_are_ours_and_one_line() -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("peer closed\nconnection", request=request)

    fetcher = SafeFetcher(transport=httpx.MockTransport(broken), resolver=public_dns)
    with pytest.raises(FetchError) as info:
        fetcher.fetch("https://public.example/")
    assert "\n" not in str(info.value) and "protocol error" in str(info.value)
    assert not isinstance(info.value, InputError)
