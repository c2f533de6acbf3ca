"""Full-text search: FTS5 with bm25 on SQLite, tsvector with ts_rank_cd on PostgreSQL.

User queries follow web-search habits on both: words are ANDed, ``"a phrase"`` matches
words in a row, ``OR`` between two terms accepts either, ``-word`` excludes. On SQLite a
trailing ``*`` makes a prefix search. Punctuation never reaches the engines' own query
syntax, so no query can fail to parse. Titles weigh more than bodies.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from newsbrief.adapters.storage._base import StorageBase, check_limit, decode_cursor, encode_cursor
from newsbrief.adapters.storage._tables import articles
from newsbrief.errors import InputError
from newsbrief.storage_records import ELLIPSIS, HIGHLIGHT_END, HIGHLIGHT_START, Page, SearchHit

_ITEM = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")

_SQLITE_SEARCH = sa.text(
    """
    SELECT a.id, a.url, a.title, a.source_name AS source, a.published,
           snippet(articles_fts, 1, :hs, :he, :ellipsis, 24) AS snippet,
           -bm25(articles_fts, 4.0, 1.0) AS score
    FROM articles_fts JOIN articles AS a ON a.seq = articles_fts.rowid
    WHERE articles_fts MATCH :q
    ORDER BY bm25(articles_fts, 4.0, 1.0), a.seq
    LIMIT :lim OFFSET :off
    """
)
_HEADLINE = (
    f"StartSel={HIGHLIGHT_START}, StopSel={HIGHLIGHT_END}, MaxWords=30, MinWords=12, "
    f'ShortWord=2, MaxFragments=2, FragmentDelimiter=" {ELLIPSIS} "'
)


def fts5_query(query: str) -> str | None:
    """The user's query as an FTS5 expression of quoted terms; None when it has no word."""
    groups: list[list[str]] = []
    negatives: list[str] = []
    pending_or = False
    for m in _ITEM.finditer(query):
        negative, phrase, bare = m.group(1), m.group(2), m.group(3)
        if bare in ("OR", "AND"):
            pending_or = bare == "OR" and bool(groups)
            continue
        term = _term(phrase if bare is None else bare.lstrip("-"), bare)
        if term is None:
            continue
        if negative or (bare is not None and bare.startswith("-")):
            negatives.append(term)
        elif pending_or:
            groups[-1].append(term)
        else:
            groups.append([term])
        pending_or = False
    if not groups:
        return None
    positive = " AND ".join(g[0] if len(g) == 1 else "(" + " OR ".join(g) + ")" for g in groups)
    if not negatives:
        return positive
    if len(groups) > 1:
        positive = f"({positive})"
    return f"{positive} NOT ({' OR '.join(negatives)})"


def _term(text: str, bare: str | None) -> str | None:
    words = _WORD.findall(text)
    if not words:
        return None
    prefix = "*" if bare is not None and bare.endswith("*") else ""
    return '"' + " ".join(words) + '"' + prefix


class SearchMixin(StorageBase):
    """``search()`` over titles and bodies."""

    def search(self, query: str, *, limit: int = 20, cursor: str | None = None) -> Page[SearchHit]:
        """Articles matching ``query``, best first, with highlighted snippets.

        Snippets mark matches with ``HIGHLIGHT_START``/``HIGHLIGHT_END`` (``⟦``/``⟧``) and
        join fragments with ``…``. The cursor is opaque (an offset into the ranking).
        """
        check_limit(limit)
        offset = _offset(cursor)
        query = query.replace("\x00", " ")
        expression = fts5_query(query)
        if expression is None:
            return Page(())
        with self._read() as conn:
            if self.dialect == "sqlite":
                rows = _search_sqlite(conn, expression, limit + 1, offset)
            else:
                rows = _search_postgres(conn, query, limit + 1, offset)
        hits = tuple(_hit(r) for r in rows[:limit])
        return Page(hits, encode_cursor(offset + limit) if len(rows) > limit else None)


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    (offset,) = decode_cursor(cursor, 1)
    if not isinstance(offset, int) or offset < 0:
        raise InputError(f"invalid cursor: {cursor!r}")
    return offset


def _search_sqlite(conn: sa.Connection, expression: str, limit: int, offset: int) -> list[Any]:
    params = {
        "q": expression,
        "hs": HIGHLIGHT_START,
        "he": HIGHLIGHT_END,
        "ellipsis": ELLIPSIS,
        "lim": limit,
        "off": offset,
    }
    return list(conn.execute(_SQLITE_SEARCH, params).all())


def _search_postgres(conn: sa.Connection, query: str, limit: int, offset: int) -> list[Any]:
    a = articles
    config: sa.ColumnElement[Any] = sa.literal_column("'english'::regconfig")
    tsv: sa.ColumnElement[Any] = sa.literal_column("articles.tsv")
    tsquery = sa.func.websearch_to_tsquery(config, query)
    rank = sa.func.ts_rank_cd(tsv, tsquery, 1)
    ranked = (
        sa.select(a.c.seq, rank.label("score"))
        .where(tsv.op("@@")(tsquery))
        .order_by(rank.desc(), a.c.seq)
        .limit(limit)
        .offset(offset)
        .subquery("ranked")
    )
    snippet = sa.func.ts_headline(config, a.c.text, tsquery, _HEADLINE)
    outer = (
        sa.select(a.c.id, a.c.url, a.c.title, a.c.source_name.label("source"), a.c.published)
        .add_columns(snippet.label("snippet"), ranked.c.score)
        .join_from(a, ranked, a.c.seq == ranked.c.seq)
        .order_by(ranked.c.score.desc(), ranked.c.seq)
    )
    return list(conn.execute(outer).all())


def _hit(row: Any) -> SearchHit:
    m = row._mapping
    return SearchHit(
        id=m["id"],
        url=m["url"],
        title=m["title"],
        source=m["source"],
        published=m["published"],
        snippet=" ".join((m["snippet"] or "").split()),  # one line, paragraphs joined
        score=float(m["score"]),
    )
