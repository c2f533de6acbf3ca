"""The view of one entity across articles and stories: a pure function of stored records.

::

    entity + the articles that mention it (oldest first, each with the ids its brief uses
    for the entity) + their stories
      -> stories     every story holding one of those articles, by first seen
      -> statements  the briefs' statements whose speaker_id is the entity, once each
      -> relations   the briefs' relations with the entity as subject or object, once each
      -> articles    every article, with the entity's roles in it

Wire copies (``duplicate_of``) are listed among the articles but add no statement or
relation: the original already did. Everything is ordered over time, oldest first.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from newsbrief.pipeline.mentions import ROLES
from newsbrief.pipeline.text import normalize
from newsbrief.records import (
    EntityArticleRef,
    EntityRelation,
    EntityStatement,
    EntityStory,
    EntityView,
    Relation,
)
from newsbrief.storage_records import EntityArticle, StoredArticle, StoredEntity, StoryRow

Mentioning = tuple[EntityArticle, StoredArticle]


def build_entity_view(
    entity: StoredEntity,
    mentioning: Sequence[Mentioning],
    stories: Mapping[str, StoryRow],
) -> EntityView:
    """The entity's stories, statements, relations and articles, oldest first."""
    ordered = sorted(mentioning, key=lambda p: (p[0].dated_at, p[0].seq))
    originals = [p for p in ordered if not p[0].duplicate_of]
    return EntityView(
        id=entity.id,
        kind=entity.kind,
        name=entity.name,
        aliases=entity.aliases,
        stories=_stories(ordered, stories),
        statements=_unique_statements(_statements(entity, originals)),
        relations=_unique_relations(_relations(entity, originals)),
        articles=tuple(_article(ref) for ref, _ in ordered),
        merged=entity.merged,
    )


def _ids(entity: StoredEntity, ref: EntityArticle) -> set[str]:
    """Every id that stands for the entity in one article's brief."""
    return {entity.id, *entity.merged, *ref.local_ids}


def _stories(
    ordered: Sequence[Mentioning], rows: Mapping[str, StoryRow]
) -> tuple[EntityStory, ...]:
    ids = dict.fromkeys(ref.story_id for ref, _ in ordered if ref.story_id)
    found = [
        EntityStory(r.id, r.title, r.first_seen, r.last_updated)
        for r in (rows.get(i) for i in ids)
        if r is not None
    ]
    return tuple(sorted(found, key=lambda s: (s.first_seen, s.id)))


def _statements(entity: StoredEntity, originals: Sequence[Mentioning]) -> Iterator[EntityStatement]:
    for ref, stored in originals:
        ids = _ids(entity, ref)
        for s in stored.brief.statements:
            if s.speaker_id in ids:
                yield EntityStatement(
                    speaker=s.speaker,
                    cue=s.cue,
                    text=s.text,
                    direct=s.direct,
                    sentence=s.sentence,
                    article_id=ref.article_id,
                    source=ref.source,
                    url=ref.url,
                    date=ref.dated_at.isoformat(),
                )


def _relations(entity: StoredEntity, originals: Sequence[Mentioning]) -> Iterator[EntityRelation]:
    for ref, stored in originals:
        ids = _ids(entity, ref)
        for r in stored.brief.relations:
            if r.subject_id in ids or r.object_id in ids:
                yield _relation(entity, r, ref, ids)


def _relation(
    entity: StoredEntity, r: Relation, ref: EntityArticle, ids: set[str]
) -> EntityRelation:
    """The relation with the entity's side named and identified as the store knows it."""
    ours_subject, ours_object = r.subject_id in ids, r.object_id in ids
    return EntityRelation(
        type=r.type,
        subject=entity.name if ours_subject else r.subject,
        object=entity.name if ours_object else r.object,
        polarity=r.polarity,
        evidence=r.evidence,
        date=ref.dated_at.isoformat(),
        article_id=ref.article_id,
        source=ref.source,
        url=ref.url,
        when=r.date,
        subject_id=entity.id if ours_subject else r.subject_id,
        object_id=entity.id if ours_object else r.object_id,
        detail=r.detail,
    )


def _unique_statements(items: Iterator[EntityStatement]) -> tuple[EntityStatement, ...]:
    """Each statement once: the first article that reported it."""
    seen: dict[str, EntityStatement] = {}
    for s in items:
        seen.setdefault(normalize(s.text), s)
    return tuple(seen.values())


def _unique_relations(items: Iterator[EntityRelation]) -> tuple[EntityRelation, ...]:
    seen: dict[tuple[str, ...], EntityRelation] = {}
    for r in items:
        key = (r.type, r.subject_id or r.subject, r.object_id or r.object, r.polarity)
        seen.setdefault((*key, normalize(r.evidence)), r)
    return tuple(seen.values())


def _article(ref: EntityArticle) -> EntityArticleRef:
    return EntityArticleRef(
        id=ref.article_id,
        title=ref.title,
        source=ref.source,
        url=ref.url,
        date=ref.dated_at.isoformat(),
        story_id=ref.story_id,
        roles=tuple(r for r in ROLES if ref.roles.get(r)),
    )
