"""robots.txt rules (RFC 9309) and a thread-safe per-origin cache.

Parsing is done by Protego (Scrapy's parser: ``*`` and ``$`` wildcards, longest match wins,
``Crawl-delay``). What a fetch of ``/robots.txt`` means follows RFC 9309 section 2.3.1::

    2xx            -> the parsed rules
    4xx            -> no rules: everything allowed
    5xx / network  -> "unavailable": fetch nothing from that origin for a while
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

from newsbrief.errors import BlockedAddress, NewsbriefError

__all__ = [
    "ROBOTS_MAX_BYTES",
    "RobotsCache",
    "RobotsRules",
    "agent_token",
    "parse_robots",
    "robots_url",
    "rules_for_response",
]

logger = logging.getLogger(__name__)

ROBOTS_MAX_BYTES = 512 * 1024
"""RFC 9309 asks crawlers to parse at least 500 KiB; the rest is ignored."""

RobotsLoader = Callable[[str], tuple[int, bytes]]
"""Fetches a robots.txt URL: (HTTP status, body). Raises a NewsbriefError on failure."""


@dataclass(frozen=True)
class RobotsRules:
    """The rules of one origin, or "allow all" when ``parser`` is None."""

    parser: Protego | None = None
    unavailable: str | None = None
    """Why robots.txt could not be read (a 5xx or network error): nothing may be fetched."""

    def allows(self, url: str, user_agent: str) -> bool:
        """Whether ``user_agent`` may fetch ``url`` (False while robots.txt is unavailable)."""
        if self.unavailable is not None:
            return False
        if self.parser is None:
            return True
        return bool(self.parser.can_fetch(url, agent_token(user_agent)))

    def crawl_delay(self, user_agent: str) -> float | None:
        """The ``Crawl-delay`` that applies to ``user_agent``, in seconds, if any."""
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(agent_token(user_agent))
        return float(delay) if delay is not None and delay >= 0 else None


def agent_token(user_agent: str) -> str:
    """The product token robots.txt groups are matched on: ``newsbrief/0.1 (+url)`` -> newsbrief."""
    token = user_agent.strip().split("/", 1)[0].split(" ", 1)[0]
    return token.lower() or "*"


def robots_url(url: str) -> str:
    """The robots.txt URL of ``url``'s origin (scheme, host and port)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}/robots.txt"


def parse_robots(data: bytes) -> RobotsRules:
    """Parse a robots.txt body (UTF-8; undecodable bytes are replaced)."""
    text = data[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace")
    return RobotsRules(parser=Protego.parse(text))


def rules_for_response(status: int, data: bytes) -> RobotsRules:
    """What a robots.txt response means (see the module docstring)."""
    if 200 <= status < 300:
        return parse_robots(data)
    if 400 <= status < 500:
        return RobotsRules()
    return RobotsRules(unavailable=f"robots.txt unavailable (HTTP {status})")


class RobotsCache:
    """robots.txt rules per origin, fetched once and kept for ``ttl`` seconds.

    Thread-safe: concurrent callers for one origin wait for a single fetch. Rules that say
    "unavailable" are kept only ``error_ttl`` seconds, so a passing outage heals.
    """

    def __init__(
        self,
        load: RobotsLoader,
        *,
        clock: Callable[[], float],
        ttl: float = 24 * 3600.0,
        error_ttl: float = 300.0,
    ) -> None:
        self._load = load
        self._clock = clock
        self._ttl = ttl
        self._error_ttl = error_ttl
        self._lock = threading.Lock()
        self._origin_locks: dict[str, threading.Lock] = {}
        self._rules: dict[str, tuple[float, RobotsRules]] = {}

    def rules(self, url: str) -> RobotsRules:
        """The rules that apply to ``url``, fetching its origin's robots.txt when needed."""
        where = robots_url(url)
        with self._lock:
            origin_lock = self._origin_locks.setdefault(where, threading.Lock())
        with origin_lock:
            cached = self._rules.get(where)
            if cached is not None and cached[0] > self._clock():
                return cached[1]
            rules = self._fetch(where)
            ttl = self._ttl if rules.unavailable is None else self._error_ttl
            self._rules[where] = (self._clock() + ttl, rules)
            return rules

    def _fetch(self, where: str) -> RobotsRules:
        try:
            status, data = self._load(where)
        except BlockedAddress:
            raise  # the origin itself is refused: that is the error to report
        except NewsbriefError as exc:
            logger.info("robots.txt unavailable at %s: %s", where, exc)
            return RobotsRules(unavailable=f"robots.txt unavailable ({exc})")
        logger.debug("robots.txt %s: HTTP %s, %d bytes", where, status, len(data))
        return rules_for_response(status, data)
