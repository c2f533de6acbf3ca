"""Output formats for one entity followed across stories: text (rich) and JSON.

Pure string building like :mod:`newsbrief.render_story`: no I/O, no clock. The terminal output
is made of rich ``Text`` objects, so markup-like text in an article prints as it is.
"""

from __future__ import annotations

from typing import Any

from newsbrief.records import EntityRelation, EntityStatement, EntityView
from newsbrief.render import quoted, to_json


def entity_json(view: EntityView) -> str:
    """The entity as indented JSON (:meth:`EntityView.to_dict`)."""
    return to_json(view.to_dict())


def relation_label(r: EntityRelation) -> str:
    """``"obligation denied: Russia -> Venezuela"`` (with the detail, e.g. "signed")."""
    detail = f" ({r.detail})" if r.detail and r.detail != "member" else ""
    return f"{r.type}{detail} {r.polarity}: {r.subject} -> {r.object}"


def statement_label(s: EntityStatement) -> str:
    """``'Sergei Lavrov told: “...”'`` for direct speech, ``"... told that ..."`` otherwise."""
    return f"{s.speaker} {s.cue}: {quoted(s.text) if s.direct else s.text}"


def entity_text(view: EntityView) -> Any:
    """A rich renderable: aliases, then stories, statements and relations, oldest first."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    parts: list[Any] = [Text(f"{view.kind} · {len(view.articles)} articles", style="dim")]
    if view.aliases:
        parts.append(Text("Also named: " + ", ".join(view.aliases), style="cyan"))
    parts += _section("Stories", [_story_line(s) for s in view.stories])
    parts += _section("Statements", [_statement_lines(s) for s in view.statements])
    parts += _section("Relations", [_relation_lines(r) for r in view.relations])
    title = Text(view.name, style="bold")
    return Panel(Group(*parts), title=title, subtitle=Text(view.id, style="dim"), expand=False)


def _section(heading: str, items: list[Any]) -> list[Any]:
    from rich.text import Text

    if not items:
        return []
    return [Text(""), Text(f"{heading} ({len(items)})", style="bold"), *items]


def _story_line(s: Any) -> Any:
    from rich.text import Text

    first, last = s.first_seen.date().isoformat(), s.last_updated.date().isoformat()
    dates = first if first == last else f"{first} – {last}"
    line = Text(f"  {dates}  {s.title or 'Untitled story'}")
    line.append(f"  [{s.id}]", style="dim")
    return line


def _statement_lines(s: EntityStatement) -> Any:
    from rich.text import Text

    line = Text(f"  {s.date[:10]}  ")
    line.append(statement_label(s), style="italic" if s.direct else "")
    return Text("\n").join([line, _where(s.source, s.url)])


def _relation_lines(r: EntityRelation) -> Any:
    from rich.text import Text

    when = f" ({r.when})" if r.when else ""
    head = Text(f"  {r.date[:10]}  ")
    head.append(relation_label(r), style="bold")
    head.append(when, style="dim")
    evidence = Text(f"      {quoted(r.evidence)}", style="italic")
    return Text("\n").join([head, evidence, _where(r.source, r.url)])


def _where(source: str | None, url: str | None) -> Any:
    from rich.text import Text

    line = Text(f"      — {source or 'unknown outlet'}", style="dim")
    if url:
        line.append(f"  {url}", style="underline")
    return line
