"""Output formats for stories and digests: text (rich), JSON, Markdown, HTML and RSS.

Pure string building like :mod:`newsbrief.render`: nothing here does I/O or reads the clock.
All stored text is escaped (HTML and XML), links are only emitted for http(s) URLs, and the
terminal output uses rich ``Text`` objects, so markup-like text in a title prints as it is.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from typing import Any

from newsbrief.pipeline.text import normalize
from newsbrief.records import (
    Entities,
    OutletCount,
    Statement,
    Story,
    StoryRelation,
    StoryStatement,
)
from newsbrief.render import card_css, quoted, to_json

_STORY_CSS = (
    ".story ol.timeline,.story ul.articles{padding-left:1.2rem}"
    ".story .outlets{font-size:.9rem;color:var(--muted)}"
    ".story .copy{color:var(--muted);font-size:.85rem}"
    ".digest article.brief{margin-bottom:1.5rem}"
    ".digest>h1{max-width:42rem;margin:0 auto 1rem}"
)
_XML_INVALID = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# -- shared labels ------------------------------------------------------------------------------
def outlets_label(outlets: Sequence[OutletCount]) -> str:
    """``"Reuters (3, 1 copy) · The Atlantic (1)"``."""
    return " · ".join(_outlet_label(o) for o in outlets)


def _outlet_label(o: OutletCount) -> str:
    name = o.name or o.domain or "unknown outlet"
    extra = f", {o.copies} {'copy' if o.copies == 1 else 'copies'}" if o.copies else ""
    return f"{name} ({o.count}{extra})"


def _dates_label(story: Story) -> str:
    first, last = story.first_seen.date().isoformat(), story.last_updated.date().isoformat()
    return first if first == last else f"{first} – {last}"


def _entity_line(entities: Entities, limit: int = 8) -> str:
    parts = []
    for label, names in (
        ("People", entities.people),
        ("Organizations", entities.organizations),
        ("Places", entities.places),
    ):
        if names:
            parts.append(f"{label}: " + ", ".join(names[:limit]))
    return " · ".join(parts)


def summary_label(story: Story) -> str | None:
    """``"Summary (llm:<model>)"`` for an LLM summary, else None (extractive: no label)."""
    return None if story.summary_method == "extractive" else f"Summary ({story.summary_method})"


def _safe_url(url: str | None) -> str | None:
    """The URL if it is http(s) or a site path (``/stories/x``), else None (no ``javascript:``)."""
    return url if url and re.match(r"https?://|/(?!/)", url, re.IGNORECASE) else None


def speakers(story: Story) -> list[tuple[str, list[StoryStatement]]]:
    """Who said what: the story's statements grouped by speaker (:func:`speaker_key`),
    speakers in order of their first statement."""
    groups: dict[str, tuple[str, list[StoryStatement]]] = {}
    for st in story.who_said_what:
        groups.setdefault(speaker_key(st), (st.speaker, []))[1].append(st)
    return list(groups.values())


def speaker_key(st: Statement) -> str:
    """What makes two statements one speaker's: the entity id, else the name with case and
    punctuation aside ("Dockers’ Union" is "Dockers' Union")."""
    return st.speaker_id or normalize(st.speaker) or st.speaker.casefold()


def commitment_label(r: StoryRelation) -> str:
    """``"obligation denied: Russia → Venezuela"`` (with a detail such as "signed")."""
    detail = f" ({r.detail})" if r.detail and r.detail != "member" else ""
    return f"{r.type}{detail} {r.polarity}: {r.subject} → {r.object}"


def _said(st: StoryStatement) -> str:
    """``said: “...”`` for a quotation; ``said that ...`` for reported speech, unless the
    verbatim text opens on a capital (a whole clause: "The question is ..., says X")."""
    if st.direct:
        return f"{st.cue}: {quoted(st.text)}"
    if st.cue.startswith("according") or st.text[:1].isupper():
        return f"{st.cue}: {st.text}"
    return f"{st.cue} that {st.text}"


# -- JSON ---------------------------------------------------------------------------------------
def story_json(story: Story) -> str:
    """The SPEC's Story JSON, indented."""
    return to_json(story.to_dict())


def digest_json(stories: Sequence[Story], period_label: str) -> str:
    """``{"period": ..., "stories": [Story JSON, ...]}``."""
    return to_json({"period": period_label, "stories": [s.to_dict() for s in stories]})


# -- Markdown -----------------------------------------------------------------------------------
def _md(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>|#])", r"\\\1", " ".join(text.split()))


def _md_link(text: str, url: str | None) -> str:
    safe = _safe_url(url)
    return f"[{_md(text)}](<{safe.replace('<', '%3C').replace('>', '%3E')}>)" if safe else _md(text)


def story_markdown(story: Story, *, level: int = 1) -> str:
    """The story as Markdown: title, outlets, summary, quotes, timeline and articles."""
    h = "#" * level
    lines = [f"{h} {_md(story.title or 'Untitled story')}", ""]
    lines += [_md(f"{_dates_label(story)} · {outlets_label(story.outlets)}"), ""]
    if story.summary:
        label = summary_label(story)
        lines += [f"**{_md(label)}**: {_md(story.summary)}" if label else _md(story.summary), ""]
    for q in story.quotes:
        lines += [f"> {_md(q.text)}", ">", f"> — {_md_link(q.source or 'source', q.url)}", ""]
    if story.timeline:
        lines += [f"{h}# Timeline", ""]
        for t in story.timeline:
            label = f"{t.title or 'Untitled'} ({t.source or 'unknown outlet'})"
            lines.append(f"- {_md(t.date[:10])}: {_md_link(label, t.url)}")
        lines.append("")
    lines += _who_said_what_markdown(story, h) + _commitments_markdown(story, h)
    lines += [f"{h}# Articles", ""]
    for a in story.articles:
        copy = " *(copy)*" if a.duplicate_of else ""
        label = f"{a.title or 'Untitled'} ({a.source or 'unknown outlet'})"
        lines.append(f"- {_md_link(label, a.url)}{copy}")
    ents = _entity_line(story.entities)
    return "\n".join(lines + (["", _md(ents)] if ents else [])) + "\n"


def _who_said_what_markdown(story: Story, h: str) -> list[str]:
    if not story.who_said_what:
        return []
    lines = [f"{h}# Who said what", ""]
    for speaker, statements in speakers(story):
        lines.append(f"- **{_md(speaker)}**")
        for st in statements:
            lines.append(f"  - {_md(_said(st))} — {_md_link(st.source or 'source', st.url)}")
    return [*lines, ""]


def _commitments_markdown(story: Story, h: str) -> list[str]:
    if not story.commitments:
        return []
    lines = [f"{h}# Commitments", ""]
    for r in story.commitments:
        when = f" ({_md(r.date)})" if r.date else ""
        lines.append(f"- **{_md(commitment_label(r))}**{when}")
        lines.append(f"  > {_md(r.evidence)} — {_md_link(r.source or 'source', r.url)}")
    return [*lines, ""]


def digest_markdown(stories: Sequence[Story], period_label: str) -> str:
    """The digest as Markdown: one section per story."""
    head = f"# Top stories: {_md(period_label)}\n\n"
    if not stories:
        return head + "No stories in this period.\n"
    return head + "\n".join(story_markdown(s, level=2) for s in stories)


# -- HTML ---------------------------------------------------------------------------------------
def _a(text: str, url: str | None) -> str:
    safe = _safe_url(url)
    body = escape(text)
    return f'<a href="{escape(safe)}" rel="noopener">{body}</a>' if safe else body


def story_card_html(story: Story, *, heading: str = "h1", link: str | None = None) -> str:
    """The story as an ``<article>`` card (all text escaped); ``link`` makes the title a link."""
    e = escape
    title = story.title or "Untitled story"
    title_html = _a(title, link) if link else e(title)
    quotes = "".join(
        f"<blockquote><p>{e(q.text)}</p><footer>— {_a(q.source or 'source', q.url)}</footer>"
        "</blockquote>"
        for q in story.quotes
    )
    ents = _entity_line(story.entities)
    return (
        f'<article class="brief story" id="story-{e(story.id)}">'
        f"<{heading}>{title_html}</{heading}>"
        f'<p class="meta">{e(_dates_label(story))}</p>'
        f'<p class="outlets">{e(outlets_label(story.outlets))}</p>'
        + _summary_html(story)
        + quotes
        + _timeline_html(story)
        + _who_said_what_html(story)
        + _commitments_html(story)
        + _articles_html(story)
        + (f'<p class="entities">{e(ents)}</p>' if ents else "")
        + "</article>"
    )


def _summary_html(story: Story) -> str:
    if not story.summary:
        return ""
    label = summary_label(story)
    strong = f"<strong>{escape(label)}:</strong> " if label else ""
    return f'<p class="summary">{strong}{escape(story.summary)}</p>'


def _timeline_html(story: Story) -> str:
    if not story.timeline:
        return ""
    items = "".join(
        f'<li><time datetime="{escape(t.date)}">{escape(t.date[:10])}</time> '
        f'{_a(t.title or "Untitled", t.url)} <span class="meta">{escape(t.source or "")}</span>'
        "</li>"
        for t in story.timeline
    )
    return f'<h2>Timeline</h2><ol class="timeline">{items}</ol>'


def _who_said_what_html(story: Story) -> str:
    if not story.who_said_what:
        return ""
    groups = "".join(
        f"<li><strong>{escape(speaker)}</strong><ul>"
        + "".join(
            f"<li>{escape(_said(st))} "
            f'<span class="meta">— {_a(st.source or "source", st.url)}</span></li>'
            for st in statements
        )
        + "</ul></li>"
        for speaker, statements in speakers(story)
    )
    return f'<h2>Who said what</h2><ul class="who-said-what">{groups}</ul>'


def _commitments_html(story: Story) -> str:
    if not story.commitments:
        return ""
    items = "".join(
        f"<li><strong>{escape(commitment_label(r))}</strong>"
        + (f' <span class="meta">{escape(r.date)}</span>' if r.date else "")
        + f'<p class="evidence">{escape(quoted(r.evidence))}</p>'
        f'<span class="meta">— {_a(r.source or "source", r.url)}</span></li>'
        for r in story.commitments
    )
    return f'<h2>Commitments</h2><ul class="commitments">{items}</ul>'


def _articles_html(story: Story) -> str:
    items = "".join(
        f"<li>{_a(a.title or 'Untitled', a.url)} "
        f'<span class="meta">{escape(a.source or "unknown outlet")}</span>'
        + (' <span class="copy">(copy)</span>' if a.duplicate_of else "")
        + "</li>"
        for a in story.articles
    )
    return f'<h2>Articles</h2><ul class="articles">{items}</ul>'


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{card_css()}{_STORY_CSS}</style></head>"
        f"<body>{body}</body></html>\n"
    )


def story_html(story: Story) -> str:
    """A self-contained HTML page holding the story's card."""
    return _page(story.title or "Story", f"<main>{story_card_html(story)}</main>")


def digest_html(
    stories: Sequence[Story], period_label: str, *, story_link: Callable[[Story], str] | None = None
) -> str:
    """A self-contained HTML page: one card per story, best first."""
    heading = f"Top stories: {period_label}"
    cards = "".join(
        story_card_html(s, heading="h2", link=story_link(s) if story_link else None)
        for s in stories
    )
    empty = "" if stories else "<p>No stories in this period.</p>"
    return _page(heading, f'<main class="digest"><h1>{escape(heading)}</h1>{cards}{empty}</main>')


# -- RSS ----------------------------------------------------------------------------------------
def _xml(text: str) -> str:
    return _XML_INVALID.sub("", text)


def _rfc822(d: datetime) -> str:
    return format_datetime(d if d.tzinfo else d.replace(tzinfo=UTC))


def _item_html(story: Story) -> str:
    quotes = "".join(
        f"<blockquote>{escape(q.text)} — {_a(q.source or 'source', q.url)}</blockquote>"
        for q in story.quotes
    )
    return f"<p>{escape(story.summary)}</p>{quotes}<p>{escape(outlets_label(story.outlets))}</p>"


def digest_rss(
    stories: Sequence[Story],
    *,
    title: str,
    link: str,
    description: str | None = None,
    story_link: Callable[[Story], str] | None = None,
) -> str:
    """An RSS 2.0 feed: one item per story, its summary (and quotes) as the description.

    Item links default to ``{link}/stories/{id}`` (the web reader's story page).
    """
    rss = ET.Element("rss", version="2.0")
    channel = ET.SubElement(rss, "channel")
    _sub(channel, "title", title)
    _sub(channel, "link", link)
    _sub(channel, "description", description or title)
    if stories:
        _sub(channel, "lastBuildDate", _rfc822(max(s.last_updated for s in stories)))
    for story in stories:
        url = story_link(story) if story_link else f"{link.rstrip('/')}/stories/{story.id}"
        item = ET.SubElement(channel, "item")
        _sub(item, "title", story.title or "Untitled story")
        _sub(item, "link", url)
        ET.SubElement(item, "guid", isPermaLink="false").text = _xml(story.id)
        _sub(item, "pubDate", _rfc822(story.last_updated))
        _sub(item, "description", _item_html(story))
        for o in story.outlets:
            _sub(item, "category", o.name or o.domain or "unknown outlet")
    body = ET.tostring(rss, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n"


def _sub(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, tag).text = _xml(text)


# -- terminal -----------------------------------------------------------------------------------
def story_text(story: Story) -> Any:
    """A rich renderable of the story: title, outlets, summary, quotes, timeline, articles."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    parts: list[Any] = [
        Text(_dates_label(story), style="dim"),
        Text(outlets_label(story.outlets), style="cyan"),
    ]
    if story.summary:
        label = summary_label(story)
        summary = Text.assemble((f"{label}: ", "bold"), story.summary) if label else None
        parts += [Text(""), summary or Text(story.summary)]
    for q in story.quotes:
        parts += [Text(""), Text(quoted(q.text), style="italic")]
        parts.append(Text(f"  — {q.source or 'source'}", style="dim"))
    if story.timeline:
        parts += [Text(""), Text("Timeline", style="bold")]
        parts += [
            Text(f"  {t.date[:10]}  {t.title or 'Untitled'} ({t.source or '?'})")
            for t in story.timeline
        ]
    parts += _who_said_what_text(story) + _commitments_text(story)
    parts += [Text(""), Text("Articles", style="bold")]
    for a in story.articles:
        line = Text(f"  {a.title or 'Untitled'} ({a.source or 'unknown outlet'})")
        if a.duplicate_of:
            line.append(" (copy)", style="dim")
        if a.url:
            line.append(f"  {a.url}", style="underline")
        parts.append(line)
    title = Text(story.title or "Untitled story", style="bold")
    return Panel(Group(*parts), title=title, subtitle=Text(story.id, style="dim"), expand=False)


def _who_said_what_text(story: Story) -> list[Any]:
    from rich.text import Text

    if not story.who_said_what:
        return []
    parts: list[Any] = [Text(""), Text("Who said what", style="bold")]
    for speaker, statements in speakers(story):
        parts.append(Text(f"  {speaker}", style="bold"))
        for st in statements:
            parts.append(Text(f"    {_said(st)}"))
            parts.append(_source_line(st.source, st.url))
    return parts


def _commitments_text(story: Story) -> list[Any]:
    from rich.text import Text

    if not story.commitments:
        return []
    parts: list[Any] = [Text(""), Text("Commitments", style="bold")]
    for r in story.commitments:
        head = Text(f"  {commitment_label(r)}", style="bold")
        if r.date:
            head.append(f" ({r.date})", style="dim")
        evidence = Text(f"    {quoted(r.evidence)}", style="italic")
        parts += [head, evidence, _source_line(r.source, r.url)]
    return parts


def _source_line(source: str | None, url: str | None) -> Any:
    from rich.text import Text

    line = Text(f"      — {source or 'source'}", style="dim")
    if url:
        line.append(f"  {url}", style="underline")
    return line


def digest_text(stories: Sequence[Story], period_label: str) -> Any:
    """A rich renderable of the digest: a heading, then one panel per story."""
    from rich.console import Group
    from rich.text import Text

    head = Text(f"Top stories: {period_label}", style="bold")
    if not stories:
        return Group(head, Text("No stories in this period.", style="dim"))
    return Group(head, *(story_text(s) for s in stories))
