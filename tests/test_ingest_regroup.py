"""Stories grouped by an earlier clusterer are regrouped by the next ingest.

A store written by another version or configuration of the story clusterer holds
assignments that the current one would not make. The next run replays the stored
articles anyway; it must then store the replay's grouping, so that new articles join the
stories the store shows, and leave no story row behind without members.
"""

from __future__ import annotations

from pathlib import Path

import newsbrief
from newsbrief.engine import Engine

SAMPLE = Path(newsbrief.__file__).resolve().parent / "sample"


def _grouping(engine: Engine) -> dict[str, str | None]:
    return {a.id: a.story_id for a in engine.storage.all_articles_in_order()}


def _story_rows(engine: Engine) -> dict[str, int]:
    return {row.id: row.article_count for row in engine.storage.iter_stories()}


def test_next_ingest_regroups_what_an_earlier_clusterer_stored(tmp_path: Path) -> None:
    pages = sorted(SAMPLE.glob("*.html"))
    db = f"sqlite:///{tmp_path / 'news.db'}"
    engine = newsbrief.make_engine(db, ner="gazetteer")
    try:
        engine.ingest([str(p) for p in pages[:-1]])
        expected = _grouping(engine)
        assert len(set(expected.values())) > 2
        # what an older clusterer might have left: everything in the first story
        first = next(iter(expected.values()))
        engine.storage.set_stories([(aid, first) for aid in expected])
    finally:
        engine.close()

    engine = newsbrief.make_engine(db, ner="gazetteer")
    try:
        engine.ingest([str(pages[-1])])
        after = _grouping(engine)
        assert {aid: after[aid] for aid in expected} == expected
        members: dict[str, int] = {}
        for sid in after.values():
            assert sid is not None
            members[sid] = members.get(sid, 0) + 1
        assert _story_rows(engine) == members
        assert all(len(engine.story(sid).articles) == n for sid, n in members.items())
    finally:
        engine.close()
