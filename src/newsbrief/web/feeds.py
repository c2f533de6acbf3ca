"""RSS for a search: one item per matching article, linking to its brief in the reader.

(The stories feed is :func:`newsbrief.render_story.digest_rss`.) ElementTree escapes every
text; characters XML 1.0 cannot hold are dropped, and the snippet's highlight markers too.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from email.utils import format_datetime

from newsbrief.engine import parse_datetime
from newsbrief.storage_records import HIGHLIGHT_END, HIGHLIGHT_START, SearchHit

_XML_INVALID = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def search_rss(query: str, hits: Sequence[SearchHit], *, base: str) -> str:
    """An RSS 2.0 feed of search hits, best match first."""
    from urllib.parse import quote_plus

    rss = ET.Element("rss", version="2.0")
    channel = ET.SubElement(rss, "channel")
    _sub(channel, "title", f"Newsbrief search: {query}")
    _sub(channel, "link", f"{base}/search?q={quote_plus(query)}")
    _sub(channel, "description", f"Stored articles matching {query}")
    for hit in hits:
        item = ET.SubElement(channel, "item")
        _sub(item, "title", hit.title or "Untitled")
        _sub(item, "link", f"{base}/articles/{hit.id}")
        ET.SubElement(item, "guid", isPermaLink="false").text = _clean(hit.id)
        when = _date(hit.published)
        if when:
            _sub(item, "pubDate", when)
        plain = hit.snippet.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_END, "")
        _sub(item, "description", plain)
        if hit.source:
            _sub(item, "category", hit.source)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(rss, encoding="unicode") + "\n"


def _date(published: str | None) -> str | None:
    try:
        parsed = parse_datetime(published)
    except ValueError:
        return None
    return format_datetime(parsed) if parsed else None


def _clean(text: str) -> str:
    return _XML_INVALID.sub("", text)


def _sub(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, tag).text = _clean(text)
