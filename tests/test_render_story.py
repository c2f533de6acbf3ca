"""Story and digest renderers: JSON, Markdown, HTML, RSS and the terminal; escaping."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime
from html.parser import HTMLParser

from rich.console import Console

from newsbrief.pipeline.story import build_story
from newsbrief.records import Story, StoryQuote, StoryStatement
from newsbrief.render_story import (
    digest_html,
    digest_json,
    digest_markdown,
    digest_rss,
    digest_text,
    outlets_label,
    story_html,
    story_json,
    story_markdown,
    story_text,
)
from tests.pipeline.test_story import FirstSentences, corpus

EVIL = '<script>alert("x")</script> & co'


def sample() -> Story:
    return build_story("s1", corpus(), summarize=FirstSentences())


def evil() -> Story:
    """A story whose stored text tries to inject markup everywhere."""
    s = sample()
    quote = StoryQuote(EVIL, "Bad <b>Outlet</b>", "javascript:alert(1)", "a1")
    timeline = tuple(replace(t, title=EVIL) for t in s.timeline)
    articles = tuple(replace(a, title=EVIL) for a in s.articles)
    return replace(s, title=EVIL, summary=EVIL, quotes=(quote,), timeline=timeline,
                   articles=articles)  # fmt: skip


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.hrefs += [v or "" for k, v in attrs if k == "href"]


def _parse_html(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    return parser


def _text(renderable: object) -> str:
    console = Console(record=True, width=120)
    console.print(renderable)
    return console.export_text()


def test_story_json_is_the_spec_story() -> None:
    d = json.loads(story_json(sample()))
    assert d["id"] == "s1"
    assert [t["source"] for t in d["timeline"]] == [
        "Wire Service",
        "Daily Ledger",
        "Northern Times",
    ]
    assert d["outlets"][0] == {"name": "Daily Ledger", "domain": "ledger.example", "count": 2,
                               "copies": 0}  # fmt: skip


def test_digest_json_lists_stories() -> None:
    d = json.loads(digest_json([sample()], "last 24 hours"))
    assert d["period"] == "last 24 hours" and d["stories"][0]["id"] == "s1"


def test_outlets_label_marks_copies() -> None:
    label = outlets_label(sample().outlets)
    assert "Daily Ledger (2)" in label and "Coast Gazette (1, 1 copy)" in label


def test_story_html_escapes_everything_and_links_only_http() -> None:
    page = story_html(evil())
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "<b>Outlet" not in page
    parsed = _parse_html(page)
    assert "script" not in parsed.tags and "b" not in parsed.tags
    assert parsed.hrefs and all(h.startswith("https://") for h in parsed.hrefs)
    assert "javascript:" not in page.replace("&lt;", "")


def test_story_html_shows_the_story() -> None:
    page = story_html(sample())
    assert page.startswith("<!doctype html>") and "<style>" in page
    for part in ("Timeline", "Coast Gazette (1, 1 copy)", "(copy)", "<blockquote>"):
        assert part in page
    assert page.count("<blockquote>") == len(sample().quotes)


def test_digest_html_has_one_card_per_story_and_optional_links() -> None:
    other = replace(sample(), id="s2", title="Second story")
    page = digest_html([sample(), other], "last 7 days", story_link=lambda s: f"/stories/{s.id}")
    assert page.count('<article class="brief story"') == 2
    assert "Top stories: last 7 days" in page
    assert 'href="/stories/s2"' in page
    page = digest_html([other], "x", story_link=lambda s: f"//evil.example/{s.id}")
    assert "evil.example" not in page  # neither http(s) nor a site path: no link
    assert "No stories in this period." in digest_html([], "last hour")


def test_markdown_escapes_markup() -> None:
    md = story_markdown(evil())
    assert "<script>" not in md and "\\<script\\>" in md
    assert "javascript:" not in md
    assert md.startswith("# ")


def test_story_markdown_lists_quotes_with_outlets_and_timeline() -> None:
    md = story_markdown(sample())
    assert "## Timeline" in md and "## Articles" in md
    assert "— [Wire Service](<https://wire.example/news/a1>)" in md
    assert "*(copy)*" in md


def test_digest_markdown_sections() -> None:
    md = digest_markdown([sample()], "last 24 hours")
    assert md.startswith("# Top stories: last 24 hours")
    assert "\n## " in md and "### Timeline" in md
    assert "No stories" in digest_markdown([], "last 24 hours")


def test_rss_parses_back_with_escaped_text() -> None:
    stories = [evil(), replace(sample(), id="s2", title="Second")]
    raw = digest_rss(stories, title="Top <stories>", link="https://news.example/")
    assert "<script>" not in raw
    root = ET.fromstring(raw)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None
    assert channel.findtext("title") == "Top <stories>"
    items = channel.findall("item")
    assert [i.findtext("title") for i in items] == [EVIL, "Second"]
    assert items[0].findtext("link") == "https://news.example/stories/s1"
    assert items[1].findtext("guid") == "s2"
    description = items[0].findtext("description") or ""
    assert "&lt;script&gt;" in description and "<script>" not in description
    assert items[0].findtext("pubDate", "").endswith("+0000")
    categories = [c.text for c in items[1].findall("category")]
    assert "Coast Gazette" in categories


def test_rss_drops_characters_xml_cannot_hold() -> None:
    s = replace(sample(), title="Bell\x07 and\x00 nul")
    root = ET.fromstring(digest_rss([s], title="t", link="https://n.example"))
    assert root.findtext("channel/item/title") == "Bell and nul"


def test_rss_of_no_stories_is_a_valid_empty_channel() -> None:
    root = ET.fromstring(digest_rss([], title="t", link="https://n.example"))
    assert root.find("channel/item") is None


def test_story_text_shows_title_outlets_quotes_timeline_articles() -> None:
    story = sample()
    out = _text(story_text(story))
    assert story.title and story.title in out
    assert "Coast Gazette (1, 1 copy)" in out
    assert "Timeline" in out and "Articles" in out and "(copy)" in out
    assert f"— {story.quotes[0].source}" in out


def test_text_output_prints_markup_literally() -> None:
    out = _text(story_text(replace(sample(), title="[bold]not markup[/bold]")))
    assert "[bold]not markup[/bold]" in out


def test_digest_text_lists_each_story() -> None:
    out = _text(digest_text([sample(), replace(sample(), title="Another one")], "last 24 hours"))
    assert "Top stories: last 24 hours" in out and "Another one" in out
    assert "No stories" in _text(digest_text([], "last hour"))


def test_dates_label_spans_days() -> None:
    s = replace(sample(), first_seen=datetime(2031, 1, 1, tzinfo=UTC),
                last_updated=datetime(2031, 1, 1, 23, tzinfo=UTC))  # fmt: skip
    assert "2031-01-01 –" not in _text(story_text(s))
    assert "2031-03-04 – 2031-03-06" in _text(story_text(sample()))


def test_reported_speech_reads_as_said_that_unless_a_whole_clause() -> None:
    story = build_story("st-1", corpus(), summarize=FirstSentences())
    clause = StoryStatement("Maeve Harlan", "says", "The question is who decides", False, "")
    reported = StoryStatement("Graham Aske", "said", "the door was open", False, "")
    text = story_markdown(replace(story, who_said_what=(clause, reported)))
    assert "says: The question is who decides" in text
    assert "said that the door was open" in text


def test_a_passage_that_opens_on_quotation_marks_is_not_quoted_twice() -> None:
    from newsbrief.render import quoted

    assert quoted("The quay reopens.") == "“The quay reopens.”"
    passage = "“We paid double,” said Keisha Brandt, who runs a greengrocer."
    assert quoted(passage) == passage
    story = build_story("st-1", corpus(), summarize=FirstSentences())
    quote = StoryQuote(passage, "Lakeside Courier", "https://lakeside.example/a")
    buffer = Console(width=200, record=True, force_terminal=False)
    buffer.print(story_text(replace(story, quotes=(quote,))))
    assert "““" not in buffer.export_text()


def test_one_speaker_whatever_the_apostrophe() -> None:
    from newsbrief.render_story import speakers

    story = build_story("st-1", corpus(), summarize=FirstSentences())
    a = StoryStatement("Portmere Dockers’ Union", "said", "the vote was close", False, "")
    b = StoryStatement("Portmere Dockers' Union", "said", "shifts resume on Tuesday", False, "")
    groups = speakers(replace(story, who_said_what=(a, b)))
    assert [(name, len(said)) for name, said in groups] == [("Portmere Dockers’ Union", 2)]
