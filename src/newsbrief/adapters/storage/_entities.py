"""Entities followed across articles: one row per real-world entity, its aliases, its mentions.

::

    upsert of an article (same transaction, see ArticlesMixin._upsert)
      -> pipeline.mentions.article_entities(brief, text)   article-level entities + mentions
      -> each entity to its store-wide id:
           a known id, following merges ("person:putin" -> "person:vladimir-putin")
           a short person name -> the one stored full name it abbreviates, when unambiguous
           else a new row; a new full name takes over the stored short names it alone owns
             (their mentions move to it and the old row records ``merged_into``)
      -> aliases accumulate (entities.aliases, in order, and entity_aliases, folded, for lookup)
      -> entity_mentions rows replace the article's previous ones; entities no article
         mentions any more are dropped

Story ids are not copied here: queries join ``articles`` for them, so story reassignments
(``set_story``, ``recluster``) can never leave them stale. On PostgreSQL, article writes take
one transaction-scoped advisory lock for the entity tables before any other lock, so merges
and alias updates never race (SQLite has one writer at a time anyway).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from newsbrief.adapters.storage._base import StorageBase
from newsbrief.adapters.storage._tables import articles, entities, entity_aliases, entity_mentions
from newsbrief.pipeline.entities import clean_name
from newsbrief.pipeline.mentions import article_entities
from newsbrief.pipeline.resolve import ResolvedEntity, fold, resolve, resolve_entities, slug
from newsbrief.records import Brief
from newsbrief.storage_records import EntityArticle, StoredEntity, brief_from_dict

A = articles
E = entities
K = entity_aliases
M = entity_mentions
ENTITY_LOCK = "newsbrief:entities"
"""The advisory lock key every article write takes first (PostgreSQL)."""
_MAX_HOPS = 16
_BATCH = 500
_PARTIAL_LIMIT = 200


class EntitiesMixin(StorageBase):
    """Lookups of entities and of the articles that mention them."""

    def get_entity(self, entity_id: str, /) -> StoredEntity | None:
        """The entity with this id (an id merged into another gives that one), else None."""
        with self._read() as conn:
            target = _follow(conn, entity_id)
            return _stored(conn, target) if target else None

    def find_entities(self, name: str, /, *, limit: int = 20) -> list[StoredEntity]:
        """Entities named ``name``: its canonical name or an alias, case- and accent-insensitive.

        Exact matches (an id, a name or an alias) come first; when there is none, the entity
        the name resolves to ("President Putin" -> Putin), else names that contain it as whole
        words ("lavrov" -> Sergei Lavrov). Most mentioned first.
        """
        cleaned = clean_name(name)
        key = fold(cleaned)
        if not key:
            return []
        with self._read() as conn:
            ids = _exact(conn, name.strip(), key) or _resolved(conn, cleaned) or _partial(conn, key)
            targets = dict.fromkeys(t for t in (_follow(conn, i) for i in ids) if t)
            found = [_stored(conn, t) for t in targets]
        found.sort(key=lambda e: (-e.articles, e.name, e.id))
        return found[:limit]

    def entity_articles(self, entity_id: str, /) -> list[EntityArticle]:
        """The articles that mention an entity, oldest first, with their dates and story ids."""
        cols = (A.c.story_id, A.c.title, A.c.source_name, A.c.source_domain, A.c.url)
        more = (A.c.published, A.c.dated_at, A.c.seq, A.c.duplicate_of)
        query = (
            sa.select(M.c.article_id, M.c.local_id, M.c.role, M.c.count.label("n"), *cols, *more)
            .join(A, A.c.id == M.c.article_id)
            .order_by(A.c.dated_at, A.c.seq, M.c.role, M.c.local_id)
        )
        with self._read() as conn:
            target = _follow(conn, entity_id)
            if target is None:
                return []
            rows = conn.execute(query.where(M.c.entity_id == target)).all()
        return _group_articles(rows)


def index_article(conn: sa.Connection, article_id: str, brief: Brief, text: str) -> None:
    """(Re)index the entities of one stored article, inside the caller's transaction."""
    before = set(conn.execute(sa.select(M.c.entity_id).where(M.c.article_id == article_id)))
    conn.execute(M.delete().where(M.c.article_id == article_id))
    found = article_entities(brief, text)
    to_store = {e.id: _store_entity(conn, e) for e in found.entities}
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for m in found.mentions:
        key = (m.local_id, m.role)
        if key in rows:
            rows[key]["count"] += m.count
        else:
            rows[key] = {
                "article_id": article_id,
                "local_id": m.local_id,
                "role": m.role,
                "entity_id": to_store[m.entity_id],
                "count": m.count,
            }
    if rows:
        conn.execute(M.insert(), list(rows.values()))
    _drop_orphans(conn, {r[0] for r in before} - set(to_store.values()))


def index_stored_articles(conn: sa.Connection) -> None:
    """Index every stored article, in ingest order (the migration that adds entities)."""
    after = 0
    while True:
        query = sa.select(A.c.seq, A.c.id, A.c.brief, A.c.text).where(A.c.seq > after)
        batch = conn.execute(query.order_by(A.c.seq).limit(_BATCH)).all()
        for row in batch:
            index_article(conn, row.id, brief_from_dict(row.brief), row.text)
        if len(batch) < _BATCH:
            return
        after = batch[-1].seq


# --- writing ---------------------------------------------------------------------------------


def _store_entity(conn: sa.Connection, ent: ResolvedEntity) -> str:
    """The store-wide id of an article-level entity, creating or merging rows as needed."""
    target = _follow(conn, ent.id)
    if target is None and ent.kind == "person":
        target = _owner(conn, ent.id, ent.name)
    if target is None:
        conn.execute(E.insert().values(id=ent.id, kind=ent.kind, name=ent.name, aliases=[]))
        _add_aliases(conn, ent.id, [ent.name])
        if ent.kind == "person":
            _absorb(conn, ent)
        target = ent.id
    _add_aliases(conn, target, ent.aliases)
    return target


def _owner(conn: sa.Connection, person_id: str, name: str) -> str | None:
    """The one stored full-name person that ``name`` abbreviates ("Putin"), if only one."""
    last = slug(name.split()[-1])
    query = sa.select(E.c.id, E.c.name).where(
        E.c.kind == "person", E.c.merged_into.is_(None), E.c.id.like(f"person:%-{last}")
    )
    rows = {r.id: r.name for r in conn.execute(query) if r.id != person_id}
    if not rows:
        return None
    mentions = [(name, "person"), *((n, "person") for n in rows.values())]
    for e in resolve_entities(mentions):
        if e.id in rows and fold(name) in {fold(a) for a in e.aliases}:
            return e.id
    return None


def _absorb(conn: sa.Connection, full: ResolvedEntity) -> None:
    """Merge into a new full-name person the stored short forms that it alone abbreviates."""
    words = full.name.split()
    if len(words) < 2:
        return
    shorts = {slug(" ".join(words[i:])) for i in range(1, len(words))}
    if len(words) > 2:
        shorts.add(slug(f"{words[0]} {words[-1]}"))
    query = sa.select(E.c.id, E.c.name).where(
        E.c.id.in_([f"person:{s}" for s in shorts]), E.c.merged_into.is_(None)
    )
    for row in conn.execute(query).all():
        if _owner(conn, row.id, row.name) == full.id:
            _merge(conn, row.id, full.id)


def _merge(conn: sa.Connection, source: str, target: str) -> None:
    """Move an entity's mentions and aliases to another; the old id points at the new one."""
    aliases = conn.execute(sa.select(E.c.aliases).where(E.c.id == source)).scalar_one()
    conn.execute(M.update().where(M.c.entity_id == source).values(entity_id=target))
    conn.execute(K.delete().where(K.c.entity_id == source))
    redirect = sa.or_(E.c.id == source, E.c.merged_into == source)
    conn.execute(E.update().where(redirect).values(merged_into=target, aliases=[]))
    _add_aliases(conn, target, list(aliases or ()))


def _add_aliases(conn: sa.Connection, entity_id: str, forms: Sequence[str]) -> None:
    current = list(conn.execute(sa.select(E.c.aliases).where(E.c.id == entity_id)).scalar_one())
    keys = {fold(a) for a in current}
    new: list[str] = []
    for form in forms:
        if form and fold(form) not in keys:
            keys.add(fold(form))
            new.append(form)
    if not new:
        return
    conn.execute(E.update().where(E.c.id == entity_id).values(aliases=current + new))
    stored = set(conn.execute(sa.select(K.c.key).where(K.c.entity_id == entity_id)).scalars())
    fresh = {fold(f) for f in new} - stored
    if fresh:
        conn.execute(K.insert(), [{"key": k, "entity_id": entity_id} for k in sorted(fresh)])


def _drop_orphans(conn: sa.Connection, ids: Iterable[str]) -> None:
    """Delete entities (and the ids merged into them) that no article mentions any more."""
    for entity_id in ids:
        used = sa.select(M.c.entity_id).where(M.c.entity_id == entity_id).limit(1)
        if conn.execute(used).first() is None:
            conn.execute(E.delete().where(E.c.merged_into == entity_id))
            conn.execute(K.delete().where(K.c.entity_id == entity_id))
            conn.execute(E.delete().where(E.c.id == entity_id))


# --- reading ---------------------------------------------------------------------------------


def _follow(conn: sa.Connection, entity_id: str) -> str | None:
    """The id an entity id stands for now (following merges), else None when unknown."""
    current = entity_id
    for _ in range(_MAX_HOPS):
        row = conn.execute(sa.select(E.c.merged_into).where(E.c.id == current)).first()
        if row is None:
            return None
        if row.merged_into is None:
            return current
        current = row.merged_into
    return current


def _stored(conn: sa.Connection, entity_id: str) -> StoredEntity:
    row = conn.execute(sa.select(E).where(E.c.id == entity_id)).one()
    count = sa.select(sa.func.count(sa.distinct(M.c.article_id))).where(M.c.entity_id == entity_id)
    merged = sa.select(E.c.id).where(E.c.merged_into == entity_id).order_by(E.c.id)
    return StoredEntity(
        id=row.id,
        kind=row.kind,
        name=row.name,
        aliases=tuple(row.aliases or ()),
        articles=int(conn.execute(count).scalar_one()),
        merged=tuple(conn.execute(merged).scalars()),
    )


def _exact(conn: sa.Connection, raw: str, key: str) -> list[str]:
    ids = list(conn.execute(sa.select(K.c.entity_id).where(K.c.key == key)).scalars())
    if ":" in raw and conn.execute(sa.select(E.c.id).where(E.c.id == raw)).first():
        ids.insert(0, raw)
    return ids


def _resolved(conn: sa.Connection, name: str) -> list[str]:
    found = resolve(name, "any", role="actor")
    if found is None or _follow(conn, found.id) is None:
        return []
    return [found.id]


def _partial(conn: sa.Connection, key: str) -> list[str]:
    """Entities with an alias holding ``key`` as whole words."""
    query = sa.select(K.c.key, K.c.entity_id).where(K.c.key.contains(key, autoescape=True))
    rows = conn.execute(query.limit(_PARTIAL_LIMIT)).all()
    return [r.entity_id for r in rows if f" {key} " in f" {r.key} "]


def _group_articles(rows: Sequence[Any]) -> list[EntityArticle]:
    """One :class:`EntityArticle` per article, from its mention rows (oldest first)."""
    first: dict[str, Any] = {}
    roles: dict[str, dict[str, int]] = {}
    local: dict[str, list[str]] = {}
    for r in rows:
        first.setdefault(r.article_id, r)
        counts = roles.setdefault(r.article_id, {})
        counts[r.role] = counts.get(r.role, 0) + r.n
        ids = local.setdefault(r.article_id, [])
        if r.local_id not in ids:
            ids.append(r.local_id)
    return [
        EntityArticle(
            article_id=aid,
            story_id=r.story_id,
            title=r.title,
            source=r.source_name or r.source_domain,
            url=r.url,
            published=r.published,
            dated_at=r.dated_at,
            seq=r.seq,
            duplicate_of=r.duplicate_of,
            roles=roles[aid],
            local_ids=tuple(local[aid]),
        )
        for aid, r in first.items()
    ]
