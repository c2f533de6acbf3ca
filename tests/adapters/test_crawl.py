"""PoliteFetcher against a real loopback server: robots.txt, pacing, retries, limits, safety."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpx
import pytest

from newsbrief.adapters.crawl import FetchResult, PoliteFetcher, Timeouts, retry_after_seconds
from newsbrief.adapters.http import default_user_agent
from newsbrief.adapters.robots import agent_token, robots_url, rules_for_response
from newsbrief.errors import BlockedAddress, FetchError, TooLarge, UnsupportedContent
from tests.adapters.site_server import ETAG, LAST_MODIFIED, SiteServer, serve_site

FAST = Timeouts(connect=2.0, read=1.0, total=3.0)


class FakeClock:
    """A monotonic clock that moves only when ``sleep`` is called; records every sleep."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds


class Resolver:
    """Maps every name to the given answers in turn (the last one repeats); counts calls."""

    def __init__(self, *answers: list[str]) -> None:
        self.answers = list(answers) or [["127.0.0.1"]]
        self.calls: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append(host)
        index = min(len(self.calls), len(self.answers)) - 1
        return self.answers[index]


@pytest.fixture(scope="module")
def site() -> Iterator[SiteServer]:
    with serve_site() as server:
        yield server


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def fetcher(clock: FakeClock, **options: object) -> PoliteFetcher:
    settings: dict[str, object] = {"allow_private": True, "timeout": FAST}
    settings.update(options)
    return PoliteFetcher(clock=clock, sleep=clock.sleep, **settings)  # type: ignore[arg-type]


def named(site: SiteServer, host: str, path: str) -> str:
    return f"http://{host}:{site.port}{path}"


# --- plain fetching -------------------------------------------------------------------------


def test_fetches_a_page_as_a_document(site: SiteServer, clock: FakeClock) -> None:
    url = f"{site.base_url}/news/harbour-lights.html"
    result = fetcher(clock).fetch(url)
    assert result.status == "ok" and result.ok
    assert result.http_status == 200 and result.content_type == "text/html"
    assert result.fetched is not None and result.fetched.kind == "html"
    assert result.fetched.url == url and result.fetched.location == url
    assert "solar panels" in result.fetched.text
    assert result.body is not None and b"solar panels" in result.body


def test_declared_charset_is_used(site: SiteServer, clock: FakeClock) -> None:
    result = fetcher(clock).fetch(f"{site.base_url}/latin1")
    assert result.fetched is not None
    assert "Café crème" in result.fetched.text


def test_feeds_and_gzip_come_back_as_bytes_not_documents(
    site: SiteServer, clock: FakeClock
) -> None:
    client = fetcher(clock)
    feed = client.fetch(f"{site.base_url}/feeds/rss.xml")
    assert feed.ok and feed.fetched is None and feed.content_type == "application/rss+xml"
    assert feed.body is not None and b"<rss" in feed.body
    sniffed = client.fetch(f"{site.base_url}/download/archive")  # octet-stream, sniffed as gzip
    assert sniffed.ok and sniffed.fetched is None
    assert sniffed.body is not None and sniffed.body.startswith(b"\x1f\x8b")


def test_user_agent_names_the_project(
    site: SiteServer, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetcher(clock).fetch(f"{site.base_url}/news/market-day.html")
    assert default_user_agent() in site.state.user_agents
    monkeypatch.setenv("NEWSBRIEF_USER_AGENT", "courier-archiver/2.1")
    fetcher(clock).fetch(f"{site.base_url}/news/market-day.html")
    assert site.state.user_agents[-1] == "courier-archiver/2.1"


def test_unsupported_content_type_is_refused(site: SiteServer, clock: FakeClock) -> None:
    result = fetcher(clock).fetch(f"{site.base_url}/report.pdf")
    assert result.status == "error"
    assert isinstance(result.error, UnsupportedContent)
    assert "application/pdf" in str(result.error)


def test_http_errors_are_results(site: SiteServer, clock: FakeClock) -> None:
    result = fetcher(clock).fetch(f"{site.base_url}/gone")
    assert result.status == "error" and result.http_status == 410
    assert isinstance(result.error, FetchError) and "410" in str(result.error)


# --- robots.txt -----------------------------------------------------------------------------


def test_robots_disallowed_path_is_a_robots_result(site: SiteServer, clock: FakeClock) -> None:
    client = fetcher(clock)
    refused = client.fetch(f"{site.base_url}/private/memo.html")
    assert refused.status == "robots" and refused.fetched is None
    assert site.state.count("/private/memo.html") == 0
    allowed = client.fetch(f"{site.base_url}/private/press-kit.html")  # Allow: wins (longer)
    assert allowed.ok


def test_robots_txt_is_fetched_once_per_host(site: SiteServer, clock: FakeClock) -> None:
    client = fetcher(clock, resolver=Resolver())
    for path in ("/news/market-day.html", "/news/council-vote.html", "/private/memo.html"):
        client.fetch(named(site, "once.test", path))
    with site.state.lock:
        assert site.state.hits[f"once.test:{site.port} /robots.txt"] == 1


def test_redirect_into_a_disallowed_path_is_refused(site: SiteServer, clock: FakeClock) -> None:
    result = fetcher(clock).fetch(f"{site.base_url}/redirect/robots")
    assert result.status == "robots"
    assert result.final_url == f"{site.base_url}/private/memo.html"


def test_agent_specific_group_applies(site: SiteServer, clock: FakeClock) -> None:
    result = fetcher(clock, user_agent="GrumpyBot/2.0 (+https://example.org)").fetch(
        f"{site.base_url}/news/market-day.html"
    )
    assert result.status == "robots"


def test_robots_can_be_ignored(site: SiteServer, clock: FakeClock) -> None:
    result = fetcher(clock, respect_robots=False).fetch(f"{site.base_url}/private/memo.html")
    assert result.ok


def test_unavailable_robots_blocks_and_missing_robots_allows(
    site: SiteServer, clock: FakeClock
) -> None:
    client = fetcher(clock, resolver=Resolver(), retries=0)
    down = client.fetch(named(site, "down.test", "/news/market-day.html"))
    assert down.status == "error" and "robots.txt unavailable" in str(down.error)
    assert client.fetch(named(site, "norobots.test", "/private/memo.html")).ok


def test_unreachable_robots_is_unavailable(clock: FakeClock) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = fetcher(clock, retries=0)
    result = client.fetch(f"http://127.0.0.1:{port}/news/market-day.html")
    assert result.status == "error"
    assert "robots.txt unavailable" in str(result.error) and "connect" in str(result.error)


def test_crawl_delay_sets_the_interval_between_requests(site: SiteServer, clock: FakeClock) -> None:
    client = fetcher(clock, resolver=Resolver(), min_interval=0.25)
    for path in ("/news/market-day.html", "/news/council-vote.html", "/news/harbour-lights.html"):
        assert client.fetch(named(site, "paced.test", path)).ok
    # robots.txt at t=0, then the first page after the minimum interval, then Crawl-delay: 2.
    assert clock.sleeps == [0.25, 2.0, 2.0]


def test_robots_rules_helpers() -> None:
    assert agent_token("newsbrief/0.1.0 (+https://x)") == "newsbrief"
    assert robots_url("https://user@news.example:8443/a/b?c") == (
        "https://news.example:8443/robots.txt"
    )
    assert rules_for_response(404, b"").allows("https://a/any", "newsbrief")
    assert not rules_for_response(500, b"").allows("https://a/any", "newsbrief")
    rules = rules_for_response(200, b"User-agent: newsbrief\nDisallow: /*.pdf$\nCrawl-delay: 4")
    assert not rules.allows("https://a/files/report.pdf", "newsbrief/1.0")
    assert rules.allows("https://a/files/report.pdf?page=2", "newsbrief/1.0")
    assert rules.crawl_delay("newsbrief/1.0") == 4.0


# --- retries ------------------------------------------------------------------------------


def test_429_waits_for_retry_after(site: SiteServer, clock: FakeClock) -> None:
    client = fetcher(clock, respect_robots=False, min_interval=0.0)
    result = client.fetch(f"{site.base_url}/limited?key=seconds")
    assert result.ok
    assert clock.sleeps == [3.0]


def test_retry_after_as_http_date(site: SiteServer, clock: FakeClock) -> None:
    client = fetcher(clock, respect_robots=False, min_interval=0.0)
    assert client.fetch(f"{site.base_url}/limited-date?key=date").ok
    assert len(clock.sleeps) == 1 and 3.5 <= clock.sleeps[0] <= 5.5


def test_retry_after_is_capped(site: SiteServer, clock: FakeClock) -> None:
    client = fetcher(clock, respect_robots=False, min_interval=0.0, max_retry_after=1.5)
    assert client.fetch(f"{site.base_url}/limited?key=capped").ok
    assert clock.sleeps == [1.5]


def test_503_then_200_is_retried(site: SiteServer, clock: FakeClock) -> None:
    client = fetcher(clock, respect_robots=False, min_interval=0.0, backoff=0.5)
    result = client.fetch(f"{site.base_url}/flaky?key=once")
    assert result.ok and result.fetched is not None
    assert "footbridge" in result.fetched.text
    assert clock.sleeps == [0.5]


def test_persistent_503_backs_off_exponentially(site: SiteServer, clock: FakeClock) -> None:
    client = fetcher(clock, respect_robots=False, min_interval=0.0, retries=3, backoff=0.5)
    result = client.fetch(f"{site.base_url}/always-503")
    assert result.status == "error" and result.http_status == 503
    assert clock.sleeps == [0.5, 1.0, 2.0]
    assert site.state.count("/always-503") == 4


def test_retry_after_parsing() -> None:
    now = datetime(2024, 6, 5, 9, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("120", now=now) == 120.0
    assert retry_after_seconds("Wed, 05 Jun 2024 09:00:30 GMT", now=now) == 30.0
    assert retry_after_seconds("Wed, 05 Jun 2024 08:00:00 GMT", now=now) == 0.0
    assert retry_after_seconds("soon", now=now) is None
    assert retry_after_seconds(None, now=now) is None


# --- conditional GET ------------------------------------------------------------------------


def test_conditional_get_returns_not_modified(site: SiteServer, clock: FakeClock) -> None:
    client = fetcher(clock)
    first = client.fetch(f"{site.base_url}/conditional")
    assert first.ok and first.etag == ETAG and first.last_modified == LAST_MODIFIED
    again = client.fetch(f"{site.base_url}/conditional", etag=first.etag)
    assert again.status == "not_modified" and again.http_status == 304
    assert again.fetched is None and again.error is None and again.etag == ETAG
    by_date = client.fetch(f"{site.base_url}/conditional", last_modified=LAST_MODIFIED)
    assert by_date.status == "not_modified"
    stale = client.fetch(f"{site.base_url}/conditional", etag='"rev-6"')
    assert stale.ok


# --- limits ---------------------------------------------------------------------------------


def test_slow_response_times_out(site: SiteServer, clock: FakeClock) -> None:
    client = fetcher(clock, respect_robots=False, timeout=Timeouts(2.0, 0.4, 3.0))
    result = client.fetch(f"{site.base_url}/slow")  # the server waits 1.5 s before answering
    assert result.status == "error" and "timed out" in str(result.error)


def test_trickling_body_hits_the_total_timeout(site: SiteServer, clock: FakeClock) -> None:
    client = fetcher(clock, respect_robots=False, timeout=Timeouts(2.0, 1.0, 0.6))
    result = client.fetch(f"{site.base_url}/trickle")
    assert result.status == "error" and "timed out" in str(result.error)


def test_huge_body_is_cut_at_the_cap(site: SiteServer, clock: FakeClock) -> None:
    client = fetcher(clock, respect_robots=False, max_bytes=200_000)
    streamed = client.fetch(f"{site.base_url}/huge")
    assert isinstance(streamed.error, TooLarge)
    declared = client.fetch(f"{site.base_url}/huge-declared")
    assert isinstance(declared.error, TooLarge)


def test_redirects_are_followed_and_limited(site: SiteServer, clock: FakeClock) -> None:
    client = fetcher(clock, max_redirects=3)
    moved = client.fetch(f"{site.base_url}/redirect/page")
    assert moved.ok and moved.final_url == f"{site.base_url}/news/harbour-lights.html"
    loop = client.fetch(f"{site.base_url}/redirect/loop")
    assert loop.status == "error" and "too many redirects" in str(loop.error)
    ftp = client.fetch(f"{site.base_url}/redirect/ftp")
    assert isinstance(ftp.error, BlockedAddress)


# --- address safety -------------------------------------------------------------------------


def test_loopback_refused_by_default(site: SiteServer, clock: FakeClock) -> None:
    result = PoliteFetcher(clock=clock, sleep=clock.sleep).fetch(f"{site.base_url}/news/x.html")
    assert isinstance(result.error, BlockedAddress) and "loopback" in str(result.error)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/a", "not a url"])
def test_only_http_and_https(url: str, clock: FakeClock) -> None:
    result = PoliteFetcher(clock=clock, sleep=clock.sleep).fetch(url)
    assert result.status == "error" and result.error is not None


def test_name_resolving_to_loopback_is_refused_before_connecting(
    site: SiteServer, clock: FakeClock
) -> None:
    resolver = Resolver()
    client = PoliteFetcher(clock=clock, sleep=clock.sleep, resolver=resolver)
    result = client.fetch(named(site, "looks-public.test", "/news/harbour-lights.html"))
    assert isinstance(result.error, BlockedAddress)
    assert "looks-public.test (127.0.0.1)" in str(result.error)
    with site.state.lock:
        assert not any(key.startswith("looks-public.test") for key in site.state.hits)


def only_site_test(host: str, address: str) -> bool:
    """Test policy: the loopback server stands for a public site only as ``site.test``."""
    return host == "site.test"


def test_redirect_to_a_private_name_is_refused(site: SiteServer, clock: FakeClock) -> None:
    client = fetcher(clock, resolver=Resolver(), address_policy=only_site_test)
    assert client.fetch(named(site, "site.test", "/news/market-day.html")).ok
    result = client.fetch(named(site, "site.test", "/redirect/internal"))
    assert isinstance(result.error, BlockedAddress)
    assert result.final_url == named(site, "internal.test", "/news/harbour-lights.html")
    with site.state.lock:
        assert not any(key.startswith("internal.test") for key in site.state.hits)


def test_redirect_to_a_private_address_is_refused(site: SiteServer, clock: FakeClock) -> None:
    client = fetcher(clock, resolver=Resolver(), address_policy=only_site_test)
    refused = client.fetch(named(site, "site.test", "/redirect/private"))
    assert isinstance(refused.error, BlockedAddress) and "127.0.0.1" in str(refused.error)
    allowed = fetcher(clock).fetch(f"{site.base_url}/redirect/private")  # allow_private=True
    assert allowed.ok


def test_dns_rebinding_connects_only_to_the_checked_address(
    site: SiteServer, clock: FakeClock
) -> None:
    def loopback_is_public(host: str, address: str) -> bool:
        return address == "127.0.0.1"

    resolver = Resolver(["127.0.0.1"], ["10.20.30.40"])  # the second answer would be private
    options = {"resolver": resolver, "address_policy": loopback_is_public, "respect_robots": False}
    first = fetcher(clock, **options).fetch(named(site, "rebind.test", "/news/market-day.html"))
    assert first.ok and resolver.calls == ["rebind.test"]  # checked and connected: one lookup
    second = fetcher(clock, **options).fetch(named(site, "rebind.test", "/news/market-day.html"))
    assert isinstance(second.error, BlockedAddress) and "10.20.30.40" in str(second.error)
    mixed = Resolver(["127.0.0.1", "10.20.30.40"])
    options["resolver"] = mixed
    third = fetcher(clock, **options).fetch(named(site, "rebind.test", "/news/market-day.html"))
    assert isinstance(third.error, BlockedAddress)


def test_peer_address_is_checked_even_with_another_transport(
    site: SiteServer, clock: FakeClock
) -> None:
    client = PoliteFetcher(
        clock=clock, sleep=clock.sleep, transport=httpx.HTTPTransport(), respect_robots=False
    )
    result = client.fetch(f"http://localhost:{site.port}/news/market-day.html")
    assert isinstance(result.error, BlockedAddress)


# --- concurrency ----------------------------------------------------------------------------


def fetch_all(client: PoliteFetcher, urls: list[str]) -> list[FetchResult]:
    with ThreadPoolExecutor(max_workers=len(urls)) as pool:
        return list(pool.map(client.fetch, urls))


@pytest.mark.parametrize("per_host", [1, 2])
def test_per_host_concurrency(site: SiteServer, clock: FakeClock, per_host: int) -> None:
    host = f"per-host-{per_host}.test"
    client = fetcher(clock, resolver=Resolver(), per_host=per_host, respect_robots=False)
    urls = [named(site, host, f"/concurrent?i={i}") for i in range(4)]
    assert all(r.ok for r in fetch_all(client, urls))
    with site.state.lock:
        assert site.state.max_in_flight[f"{host}:{site.port}"] == per_host


def test_global_limit_across_hosts(site: SiteServer, clock: FakeClock) -> None:
    client = fetcher(clock, resolver=Resolver(), per_host=2, global_limit=3, respect_robots=False)
    with site.state.lock:
        site.state.max_in_flight["*"] = 0
    urls = [named(site, f"g{i % 3}.test", f"/concurrent?i={i}") for i in range(6)]
    assert all(r.ok for r in fetch_all(client, urls))
    with site.state.lock:
        assert 2 <= site.state.max_in_flight["*"] <= 3


def test_invalid_limits_are_rejected() -> None:
    with pytest.raises(ValueError, match="per_host"):
        PoliteFetcher(per_host=3)
    with pytest.raises(ValueError, match="global_limit"):
        PoliteFetcher(global_limit=0)
