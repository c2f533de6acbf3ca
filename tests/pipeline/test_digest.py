"""Digest: parse_duration and rank_stories (period filtering, outlets, recency)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from newsbrief.errors import InputError
from newsbrief.pipeline.digest import parse_duration, rank_stories, score_story
from newsbrief.records import Entities, Story, StoryArticle

NOW = datetime(2031, 3, 10, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


def art(
    ident: str, domain: str, age: timedelta | None, *, copy: bool = False,
    published: str | None = None,
) -> StoryArticle:  # fmt: skip
    return StoryArticle(
        id=ident,
        title=f"Title {ident}",
        source=domain.split(".")[0].title(),
        published=published,
        url=f"https://{domain}/{ident}",
        duplicate_of="x" if copy else None,
        domain=domain,
        dated_at=None if age is None else NOW - age,
    )


def story(ident: str, articles: Sequence[StoryArticle]) -> Story:
    dates = [a.dated_at or NOW for a in articles]
    return Story(
        id=ident,
        title=f"Story {ident}",
        summary="",
        quotes=(),
        articles=tuple(articles),
        outlets=(),
        first_seen=min(dates),
        last_updated=max(dates),
        timeline=(),
        entities=Entities(),
    )


# -- parse_duration ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90m", timedelta(minutes=90)),
        ("24h", timedelta(hours=24)),
        ("7d", timedelta(days=7)),
        ("2w", timedelta(weeks=2)),
        ("1h30m", timedelta(minutes=90)),
        (" 12H ", timedelta(hours=12)),
        ("1.5d", timedelta(hours=36)),
        ("45s", timedelta(seconds=45)),
    ],
)
def test_parse_duration_accepts_number_and_unit(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text", ["", "24", "h", "-1h", "0h", "0m0s", "1y", "abc", "24 hours", "1e3d", "99999999999w"]
)
def test_parse_duration_refuses_bad_input_with_one_line(text: str) -> None:
    with pytest.raises(InputError) as info:
        parse_duration(text)
    message = str(info.value)
    assert message and "\n" not in message
    assert "duration" in message


# -- rank_stories --------------------------------------------------------------------------------


def test_more_outlets_rank_first() -> None:
    wide = story("wide", [art("w1", "a.example", 5 * HOUR), art("w2", "b.example", 4 * HOUR),
                          art("w3", "c.example", 3 * HOUR)])  # fmt: skip
    narrow = story("narrow", [art("n1", "a.example", HOUR), art("n2", "a.example", 0 * HOUR)])
    ranked = rank_stories([narrow, wide], now=NOW, since=DAY)
    assert [s.id for s in ranked] == ["wide", "narrow"]


def test_with_equal_outlets_the_more_recent_ranks_first() -> None:
    old = story("old", [art("o1", "a.example", 20 * HOUR), art("o2", "b.example", 18 * HOUR)])
    new = story("new", [art("x1", "a.example", 3 * HOUR), art("x2", "b.example", 2 * HOUR)])
    assert [s.id for s in rank_stories([old, new], now=NOW, since=DAY)] == ["new", "old"]


def test_recency_can_outweigh_one_outlet_but_not_many() -> None:
    stale = story("stale", [art(f"s{i}", f"o{i}.example", 23 * HOUR) for i in range(5)])
    fresh = story("fresh", [art("f1", "a.example", 0 * HOUR), art("f2", "b.example", HOUR)])
    ranked = rank_stories([fresh, stale], now=NOW, since=DAY)
    assert [s.id for s in ranked] == ["stale", "fresh"]  # 5 outlets x ~0.5 beats 2 x ~1
    three = story("three", [art(f"t{i}", f"o{i}.example", 23 * HOUR) for i in range(3)])
    assert rank_stories([three, fresh], now=NOW, since=DAY)[0].id == "fresh"


def test_stories_without_articles_in_the_period_are_left_out() -> None:
    old = story("old", [art("o1", "a.example", 3 * DAY)])
    edge = story("edge", [art("e1", "a.example", DAY)])  # exactly at the start: kept
    future = story("future", [art("f1", "a.example", -HOUR)])  # after now: not in the period
    ranked = rank_stories([old, edge, future], now=NOW, since=DAY)
    assert [s.id for s in ranked] == ["edge"]
    assert [s.id for s in rank_stories([old, edge], now=NOW, since=7 * DAY)] == ["edge", "old"]


def test_only_articles_in_the_period_count_as_coverage() -> None:
    # "broad" had four outlets last week but one today; "today" has two outlets today.
    broad = story("broad", [art(f"b{i}", f"o{i}.example", 6 * DAY) for i in range(4)]
                  + [art("b9", "o1.example", HOUR)])  # fmt: skip
    today = story("today", [art("t1", "x.example", 2 * HOUR), art("t2", "y.example", 2 * HOUR)])
    assert [s.id for s in rank_stories([broad, today], now=NOW, since=DAY)] == ["today", "broad"]
    score = score_story(broad, now=NOW, since=DAY)
    assert score is not None and score.coverage == 1 and score.articles == 1


def test_wire_copies_count_half_an_outlet() -> None:
    copied = story(
        "copied",
        [art("c1", "wire.example", 2 * HOUR)]
        + [art(f"c{i}", f"r{i}.example", 2 * HOUR, copy=True) for i in range(2, 5)],
    )
    own = story("own", [art(f"o{i}", f"x{i}.example", 2 * HOUR) for i in range(3)])
    scored = score_story(copied, now=NOW, since=DAY)
    assert scored is not None and scored.coverage == 1 + 3 * 0.5
    assert [s.id for s in rank_stories([copied, own], now=NOW, since=DAY)] == ["own", "copied"]


def test_article_without_date_falls_back_to_its_publication_string() -> None:
    undated = art("u1", "a.example", None, published=(NOW - 2 * HOUR).isoformat())
    assert rank_stories([story("s", [undated])], now=NOW, since=DAY)
    stale = art("u2", "a.example", None, published=(NOW - 9 * DAY).isoformat())
    s = story("t", [stale])
    s = replace(s, last_updated=NOW - 9 * DAY)
    assert rank_stories([s], now=NOW, since=DAY) == []


def test_ranking_is_deterministic_and_ties_break_by_id() -> None:
    twins = [story(i, [art(i + "1", "a.example", HOUR)]) for i in ("b", "c", "a")]
    for seed in range(3):
        shuffled = list(twins)
        random.Random(seed).shuffle(shuffled)
        assert [s.id for s in rank_stories(shuffled, now=NOW, since=DAY)] == ["a", "b", "c"]


def test_naive_now_is_utc_and_limit_applies() -> None:
    stories = [story(i, [art(i + "1", f"{i}.example", HOUR)]) for i in "abc"]
    naive = NOW.replace(tzinfo=None)
    assert [s.id for s in rank_stories(stories, now=naive, since=DAY, limit=2)] == ["a", "b"]


def test_non_positive_period_is_refused() -> None:
    with pytest.raises(InputError):
        rank_stories([], now=NOW, since=timedelta(0))
