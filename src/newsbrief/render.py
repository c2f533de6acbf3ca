"""Output formats for briefs and articles: text (rich), JSON, Markdown and HTML.

Every function here maps a record to a string (or, for the terminal, a rich
renderable); nothing here does I/O. HTML output escapes all stored text.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from newsbrief.records import Article, Brief, Outlet


def card_css() -> str:
    """The stylesheet of a brief card (light and dark)."""
    from importlib.resources import files

    return files("newsbrief").joinpath("data/card.css").read_text(encoding="utf-8")


def read_time_label(brief: Brief) -> str:
    label = f"{brief.read_time_minutes} min read"
    return label + " (excerpt)" if brief.read_time_basis == "excerpt" else label


def outlet_label(source: Outlet) -> str:
    return source.name or source.domain or "the source"


def outlet_link(brief: Brief) -> str | None:
    return brief.url or brief.source.url


# -- JSON -------------------------------------------------------------------------
def quoted(text: str) -> str:
    """``text`` in quotation marks for display, unless it already opens on one (a passage
    that starts with someone's words: “We've paid double,” said ...)."""
    return text if text[:1] in "“\"‘'«„" else f"“{text}”"


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def brief_json(brief: Brief) -> str:
    return to_json(brief.to_dict())


def article_dict(article: Article, *, read_time: int, basis: str) -> dict[str, Any]:
    """``extract --format json``: the brief's metadata plus ``text`` and ``paragraphs``."""
    from dataclasses import asdict

    return {
        "id": article.id,
        "url": article.url,
        "title": article.title,
        "source": asdict(article.source),
        "published": article.published,
        "authors": list(article.authors),
        "language": article.language,
        "word_count": article.word_count,
        "read_time_minutes": read_time,
        "read_time_basis": basis,
        "image": article.image,
        "images": [asdict(i) for i in article.images],
        "paywalled": article.paywalled,
        "aggregator": asdict(article.card) if article.card else None,
        "extractor": article.extractor,
        "provenance": [asdict(s) for s in article.provenance],
        "text": article.text,
        "paragraphs": list(article.paragraphs),
    }


# -- Markdown ---------------------------------------------------------------------
def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_").replace("`", "\\`")


def brief_markdown(brief: Brief) -> str:
    lines = [f"# {_md(brief.title or 'Untitled')}", ""]
    lines += [" · ".join(_md(m) for m in _meta_parts(brief)), ""]
    for q in brief.quotes:
        lines += [f"> {_md(q)}", ""]
    if brief.summary:
        lines += [f"**Summary** ({brief.summary_method}): {_md(brief.summary)}", ""]
    ents = _entity_line(brief)
    if ents:
        lines += [_md(ents), ""]
    link = outlet_link(brief)
    read_at = f"Read at {outlet_label(brief.source)}"
    lines.append(f"[{_md(read_at)}]({link})" if link else _md(read_at))
    return "\n".join(lines) + "\n"


def article_markdown(article: Article) -> str:
    head = [f"# {_md(article.title or 'Untitled')}", ""]
    if article.source.name or article.source.domain:
        head += [f"*{_md(outlet_label(article.source))}*", ""]
    return "\n".join(head + [_md(p) + "\n" for p in article.paragraphs])


def _entity_line(brief: Brief) -> str:
    parts = []
    for label, names in (
        ("People", brief.entities.people),
        ("Organizations", brief.entities.organizations),
        ("Places", brief.entities.places),
    ):
        if names:
            parts.append(f"{label}: " + ", ".join(names[:8]))
    return " · ".join(parts)


# -- HTML -------------------------------------------------------------------------
def brief_card_html(brief: Brief) -> str:
    """The brief as an ``<article>`` card (all text escaped)."""
    e = escape
    meta = [e(outlet_label(brief.source))]
    if brief.published:
        meta.append(f'<time datetime="{e(brief.published)}">{e(brief.published[:10])}</time>')
    meta.append(e(read_time_label(brief)))
    quotes = "".join(f"<blockquote><p>{e(q)}</p></blockquote>" for q in brief.quotes)
    link = outlet_link(brief)
    read_at = e(f"Read at {outlet_label(brief.source)}")
    read_at_html = f'<a href="{e(link)}" rel="noopener">{read_at}</a>' if link else read_at
    ents = _entity_line(brief)
    return (
        f'<article class="brief" lang="{e(brief.language or "en")}">'
        f"<h1>{e(brief.title or 'Untitled')}</h1>"
        f'<p class="meta">{" · ".join(meta)}</p>{quotes}'
        f'<p class="summary"><strong>Summary:</strong> {e(brief.summary)}</p>'
        + (f'<p class="entities">{e(ents)}</p>' if ents else "")
        + f'<p class="read-at">{read_at_html}</p></article>'
    )


def brief_html(*briefs: Brief) -> str:
    """A self-contained HTML page holding each brief's card (titled after the first)."""
    title = briefs[0].title if len(briefs) == 1 else None
    cards = "".join(brief_card_html(b) for b in briefs)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title or 'Briefs')}</title><style>{card_css()}</style></head>"
        f"<body><main>{cards}</main></body></html>\n"
    )


# -- terminal ---------------------------------------------------------------------
def brief_renderable(brief: Brief) -> Any:
    """A rich renderable of the brief for a terminal."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    parts: list[Any] = [Text(_meta_line(brief), style="dim")]
    for q in brief.quotes:
        parts += [Text(""), Text(quoted(q), style="italic")]
    parts += [Text(""), Text.assemble(("Summary: ", "bold"), brief.summary)]
    ents = _entity_line(brief)
    if ents:
        parts += [Text(""), Text(ents, style="cyan")]
    link = outlet_link(brief)
    read_at = Text(f"Read at {outlet_label(brief.source)}", style="bold")
    if link:
        read_at.append(f"  {link}", style="underline")
    parts += [Text(""), read_at]
    return Panel(Group(*parts), title=Text(brief.title or "Untitled", style="bold"), expand=False)


def _meta_parts(brief: Brief) -> list[str]:
    """Outlet, date, authors and read time: the brief's byline, in that order."""
    meta = [outlet_label(brief.source)]
    if brief.published:
        meta.append(brief.published[:10])
    if brief.authors:
        meta.append("by " + ", ".join(brief.authors))
    meta.append(read_time_label(brief))
    return meta


def _meta_line(brief: Brief) -> str:
    return " · ".join(_meta_parts(brief))


# -- the store: ingest reports, lists, search, export -------------------------------------
def ingest_report(report: Any) -> str:
    """One line per count of an ingest run."""
    c = report.counts
    took = ""
    if report.finished_at:
        took = f" in {(report.finished_at - report.started_at).total_seconds():.1f}s"
    return (
        f"ingested{took}: {c['added']} added, {c['updated']} updated, "
        f"{c['unchanged'] + c['not_modified']} unchanged, {c['duplicates']} near-duplicates, "
        f"{c['robots']} skipped by robots.txt, {c['failed']} failed"
    )


def page_dict(page: Any, item: Any) -> dict[str, Any]:
    """A list page as the API shows it: ``{"items": [...], "next": cursor-or-null}``."""
    return {"items": [item(i) for i in page.items], "next": page.next}


def hit_dict(hit: Any) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(hit)


def stored_dict(stored: Any) -> dict[str, Any]:
    """A stored article as JSON: its brief plus the body and storage bookkeeping."""
    d = stored.brief.to_dict()
    d.update(
        text=stored.text,
        paragraphs=list(stored.paragraphs),
        story_id=stored.story_id,
        duplicate_of=stored.duplicate_of,
        ingested_at=stored.ingested_at.isoformat(),
        version=stored.version,
    )
    return d


def search_renderable(query: str, hits: Any) -> Any:
    """Search results for a terminal, matches in bold."""
    from rich.console import Group
    from rich.text import Text

    from newsbrief.storage_records import HIGHLIGHT_END, HIGHLIGHT_START

    if not hits:
        return Text(f"No stored article matches {query!r}.", style="dim")
    parts: list[Any] = []
    for hit in hits:
        parts.append(Text(hit.title or "Untitled", style="bold"))
        meta = " · ".join(x for x in (hit.source, (hit.published or "")[:10], hit.id) if x)
        parts.append(Text(meta, style="dim"))
        snippet = Text()
        for i, piece in enumerate(
            hit.snippet.replace(HIGHLIGHT_END, HIGHLIGHT_START).split(HIGHLIGHT_START)
        ):
            snippet.append(piece, style="bold yellow" if i % 2 else "")
        parts += [snippet, Text("")]
    return Group(*parts)


def export_chunks(articles: Any, fmt: str) -> Any:
    """Stream stored articles as jsonl, markdown, rss or csv, one chunk at a time."""
    if fmt == "jsonl":
        for a in articles:
            yield json.dumps(stored_dict(a), ensure_ascii=False) + "\n"
    elif fmt == "markdown":
        for a in articles:
            yield brief_markdown(a.brief) + "\n---\n\n"
    elif fmt == "csv":
        yield from _csv_chunks(articles)
    else:
        yield from _rss_chunks(articles)


_CSV_FIELDS = (
    "id",
    "url",
    "title",
    "source",
    "published",
    "language",
    "word_count",
    "read_time_minutes",
    "genre",
    "story_id",
    "duplicate_of",
    "summary",
)


def _csv_chunks(articles: Any) -> Any:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(_CSV_FIELDS)
    for a in articles:
        b = a.brief
        writer.writerow(
            [
                b.id,
                b.url or "",
                b.title or "",
                outlet_label(b.source),
                b.published or "",
                b.language or "",
                b.word_count,
                b.read_time_minutes,
                b.genre,
                a.story_id or "",
                a.duplicate_of or "",
                b.summary,
            ]
        )
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()


def _rss_chunks(articles: Any) -> Any:
    from email.utils import format_datetime
    from xml.sax.saxutils import escape as xml_escape

    yield (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        "<title>Newsbrief export</title><link>http://localhost/</link>"
        "<description>Every stored article</description>\n"
    )
    for a in articles:
        b = a.brief
        link = f"<link>{xml_escape(b.url)}</link>" if b.url else ""
        yield (
            f"<item><title>{xml_escape(_xml_safe(b.title or 'Untitled'))}</title>{link}"
            f'<guid isPermaLink="false">{b.id}</guid>'
            f"<pubDate>{format_datetime(a.dated_at)}</pubDate>"
            f"<description>{xml_escape(_xml_safe(b.summary))}</description></item>\n"
        )
    yield "</channel></rss>\n"


def _xml_safe(text: str) -> str:
    """Drop characters that XML 1.0 cannot hold."""
    return "".join(c for c in text if c in "\t\n\r" or ord(c) >= 0x20)
