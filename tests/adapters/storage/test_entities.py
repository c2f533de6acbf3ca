"""Entities followed across articles, in the store (SQLite and PostgreSQL; see conftest.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from newsbrief.adapters.storage import SqlStorage, _entities, _schema, open_storage
from newsbrief.adapters.storage._tables import articles as articles_table
from newsbrief.errors import StorageError
from newsbrief.pipeline.mentions import article_entities
from newsbrief.records import Entities, Relation, Statement
from newsbrief.storage_records import NewArticle
from tests.adapters.storage.test_storage import _driver_url, article


def news(
    n: int,
    paragraphs: tuple[str, ...],
    *,
    people: tuple[str, ...] = (),
    places: tuple[str, ...] = (),
    orgs: tuple[str, ...] = (),
    statements: tuple[Statement, ...] = (),
    relations: tuple[Relation, ...] = (),
) -> NewArticle:
    """An article of our own with the entities, statements and relations its brief holds."""
    rec = article(n, paragraphs=paragraphs)
    entities = Entities(people=people, organizations=orgs, places=places)
    brief = replace(rec.brief, entities=entities, statements=statements, relations=relations)
    return replace(rec, brief=brief)


FULL = news(
    1,
    ("Prime Minister Anton Vessel said on Monday that the Ostmark port deal was signed.",),
    people=("Anton Vessel",),
    statements=(
        Statement(
            "Anton Vessel",
            "said",
            "the Ostmark port deal was signed",
            False,
            "Prime Minister Anton Vessel said on Monday that the Ostmark port deal was signed.",
            "person:anton-vessel",
        ),
    ),
)
SHORT = news(
    2,
    ("President Vessel spoke to the harbour workers.", '"We keep our word," Vessel said.'),
    people=("Vessel",),
    statements=(
        Statement(
            "Vessel",
            "said",
            "We keep our word",
            True,
            '"We keep our word," Vessel said.',
            "person:vessel",
        ),
    ),
)


def test_a_surname_joins_the_stored_full_name(store: SqlStorage) -> None:
    store.upsert_articles([FULL, SHORT])
    [found] = store.find_entities("Vessel")
    assert found.id == "person:anton-vessel"
    assert found.name == "Anton Vessel" and found.articles == 2
    assert {"Anton Vessel", "President Vessel", "Vessel"} <= set(found.aliases)
    refs = store.entity_articles(found.id)
    assert [r.article_id for r in refs] == [FULL.id, SHORT.id]  # oldest first
    assert refs[1].local_ids == ("person:vessel",) and refs[1].roles == {"mention": 2, "speaker": 1}
    assert store.get_entity("person:vessel") is None  # never stored apart


def test_a_full_name_takes_over_an_earlier_surname(store: SqlStorage) -> None:
    store.upsert_article(SHORT)
    assert store.get_entity("person:vessel") is not None
    store.upsert_article(FULL)
    merged = store.get_entity("person:vessel")
    assert merged is not None and merged.id == "person:anton-vessel"
    assert merged.merged == ("person:vessel",)
    assert {r.article_id for r in store.entity_articles("person:vessel")} == {FULL.id, SHORT.id}
    assert [e.id for e in store.find_entities("president vessel")] == ["person:anton-vessel"]


def test_a_surname_shared_by_two_full_names_stays_apart(store: SqlStorage) -> None:
    other = news(3, ("Lena Vessel, a trade envoy, arrived later.",), people=("Lena Vessel",))
    store.upsert_articles([FULL, other, SHORT])
    short = store.get_entity("person:vessel")
    assert short is not None and short.id == "person:vessel"
    assert short.articles == 1
    names = {e.id for e in store.find_entities("anton vessel")}
    assert names == {"person:anton-vessel"}


def test_the_kremlin_and_moscow_as_actor_are_russia(store: SqlStorage) -> None:
    sentence = "Moscow signed a grain agreement with Cuba in March."
    rec = news(
        4,
        ("The Kremlin said the talks were over.", sentence, "Snow fell in Moscow."),
        orgs=("Kremlin",),
        places=("Moscow", "Cuba"),
        statements=(
            Statement(
                "Kremlin",
                "said",
                "the talks were over",
                False,
                "The Kremlin said the talks were over.",
                "country:russia",
            ),
        ),
        relations=(
            Relation(
                "agreement",
                "Russia",
                "Cuba",
                "affirmed",
                sentence,
                "in March",
                "country:russia",
                "country:cuba",
                "signed",
            ),
        ),
    )
    store.upsert_article(rec)
    [russia] = store.find_entities("the Kremlin")
    assert russia.id == "country:russia" and russia.kind == "country"
    assert {"Kremlin", "Moscow", "Russia"} <= set(russia.aliases)
    refs = store.entity_articles("country:russia")
    assert refs[0].roles == {"mention": 1, "speaker": 1, "subject": 1}
    # "Moscow" as a place stays a place, and is its canonical name
    assert {e.id for e in store.find_entities("moscow")} == {"country:russia", "place:moscow"}


def test_find_is_case_and_accent_insensitive_and_matches_whole_words(store: SqlStorage) -> None:
    rec = news(5, ("Nicolás Maduro spoke in the capital.",), people=("Nicolás Maduro",))
    store.upsert_article(rec)
    for query in ("nicolas maduro", "NICOLÁS MADURO", "maduro", "person:nicolas-maduro"):
        assert [e.id for e in store.find_entities(query)] == ["person:nicolas-maduro"], query
    assert store.find_entities("madur") == []
    assert store.find_entities("  ") == []
    assert store.find_entities("100%_") == []
    assert store.get_entity("person:nobody") is None
    assert store.entity_articles("person:nobody") == []


def test_story_ids_follow_story_changes(store: SqlStorage) -> None:
    store.upsert_articles([FULL, SHORT])
    store.set_stories([(FULL.id, "story-a"), (SHORT.id, "story-b")])
    refs = store.entity_articles("person:anton-vessel")
    assert [r.story_id for r in refs] == ["story-a", "story-b"]
    store.clear_stories()
    assert [r.story_id for r in store.entity_articles("person:anton-vessel")] == [None, None]


def test_an_update_reindexes_and_drops_entities_no_longer_mentioned(store: SqlStorage) -> None:
    rec = news(6, ("Mira Dolan chaired the meeting.",), people=("Mira Dolan",))
    store.upsert_article(rec)
    assert store.get_entity("person:mira-dolan") is not None
    fixed = news(6, ("Mira Dolen chaired the meeting.",), people=("Mira Dolen",))
    assert store.upsert_article(fixed) == "updated"
    assert store.get_entity("person:mira-dolan") is None
    refs = store.entity_articles("person:mira-dolen")
    assert [r.article_id for r in refs] == [rec.id]


def test_entities_are_written_in_the_article_transaction(
    store: SqlStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"n": 0}

    def failing(brief: object, text: str) -> object:
        calls["n"] += 1
        if calls["n"] == 2:
            raise sa.exc.OperationalError("index", {}, Exception("disk on fire"))
        return article_entities(brief, text)  # type: ignore[arg-type]

    monkeypatch.setattr(_entities, "article_entities", failing)
    with pytest.raises(StorageError):
        store.upsert_articles([FULL, SHORT])
    assert store.count_articles() == 0
    assert store.find_entities("Vessel") == []


def test_the_migration_indexes_articles_stored_before_it(db_url: str) -> None:
    engine = sa.create_engine(_driver_url(db_url))
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    with engine.begin() as conn:
        _schema.migrate(conn, target=3)
        values = _articles_values(FULL, t0)
        conn.execute(articles_table.insert(), {**values, "id": FULL.id, "ingested_at": t0})
    engine.dispose()
    with open_storage(db_url) as store:
        [found] = store.find_entities("Anton Vessel")
        assert [r.article_id for r in store.entity_articles(found.id)] == [FULL.id]


def _articles_values(rec: NewArticle, now: datetime) -> dict[str, object]:
    from newsbrief.adapters.storage import _articles

    return {**_articles._values(rec, now, ingested_at=now), "version": 1}
