"""The Jinja2 environment of the reader: autoescaping on, plus a few safe filters.

Every stored text reaches a template as plain text and is escaped there. The only places that
build markup in Python are :func:`highlight` (which escapes the snippet first, then turns the
search markers into ``<mark>``) and nothing else; links to the outside go through
:func:`http_url`, so a stored ``javascript:`` URL is never a link.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from importlib.resources import files
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup, escape
from starlette.templating import Jinja2Templates

from newsbrief import render
from newsbrief.records import Brief, Entities, Statement
from newsbrief.render_story import speaker_key
from newsbrief.storage_records import HIGHLIGHT_END, HIGHLIGHT_START

_MARKED = re.compile(re.escape(HIGHLIGHT_START) + r"([^⟦⟧]*)" + re.escape(HIGHLIGHT_END))
TEMPLATES = str(files("newsbrief.web").joinpath("templates"))
STATIC = str(files("newsbrief.web").joinpath("static"))


def highlight(snippet: str) -> Markup:
    """Escape a search snippet, then wrap each ⟦matched⟧ word in ``<mark>``."""
    escaped = str(escape(snippet))
    marked = _MARKED.sub(r"<mark>\1</mark>", escaped)
    return Markup(marked.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_END, ""))


def http_url(url: str | None) -> str | None:
    """The URL when it is an absolute http(s) URL, else None (never ``javascript:``)."""
    if url and re.match(r"https?://[^\s/]", url, re.IGNORECASE):
        return url
    return None


def day(value: str | datetime | None) -> str:
    """The date part (YYYY-MM-DD) of an ISO 8601 string or a datetime."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    return value[:10]


def iso(value: str | datetime | None) -> str:
    """A value for ``<time datetime>``."""
    if isinstance(value, datetime):
        return value.isoformat()
    return value or ""


def entity_groups(entities: Entities, limit: int = 10) -> list[tuple[str, tuple[str, ...]]]:
    """Non-empty (label, names) pairs: People, Organizations, Places."""
    groups = (
        ("People", entities.people),
        ("Organizations", entities.organizations),
        ("Places", entities.places),
    )
    return [(label, names[:limit]) for label, names in groups if names]


def genre_label(genre: str) -> str:
    return {"news": "News", "opinion": "Opinion", "other": "Other"}.get(genre, genre.title())


def entity_href(entity_id: str) -> str:
    """The reader's path of an entity page (``/entities/person:vladimir-putin``)."""
    return "/entities/" + quote(entity_id, safe=":")


def relation_kind(relation: Any) -> str:
    """``"agreement (signed)"``: a relation's type with its detail, when it says more."""
    detail = getattr(relation, "detail", None)
    return f"{relation.type} ({detail})" if detail and detail != "member" else relation.type


def by_speaker(statements: Sequence[Statement]) -> list[tuple[str, str | None, list[Any]]]:
    """Statements grouped by speaker (:func:`newsbrief.render_story.speaker_key`), in order
    of first statement: (speaker as first named, entity id or None, statements)."""
    groups: dict[str, tuple[str, str | None, list[Any]]] = {}
    for st in statements:
        groups.setdefault(speaker_key(st), (st.speaker, st.speaker_id, []))[2].append(st)
    return list(groups.values())


def read_time(brief: Brief) -> str:
    return render.read_time_label(brief)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    filters: dict[str, Any] = {
        "highlight": highlight,
        "http_url": http_url,
        "day": day,
        "iso": iso,
        "genre_label": genre_label,
        "read_time": read_time,
        "outlet_label": render.outlet_label,
        "entity_href": entity_href,
        "relation_kind": relation_kind,
    }
    env.filters.update(filters)
    env.globals["entity_groups"] = entity_groups
    env.globals["by_speaker"] = by_speaker
    return env


templates = Jinja2Templates(env=_environment())
