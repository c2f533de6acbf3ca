"""build_story: one brief for a group of stored articles (a story)."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from importlib import resources

import pytest

from newsbrief.pipeline.story import build_story
from newsbrief.pipeline.text import normalize, split_sentences
from newsbrief.records import Brief, Entities, Outlet, Relation, Statement, Story
from newsbrief.storage_records import StoredArticle, fingerprint

DAY1 = datetime(2031, 3, 4, 8, 0, tzinfo=UTC)

WIRE_TEXT = """\
The main floodgate on the Kell River failed early on Monday, forcing the evacuation of about \
4,000 people from the Marrowby valley.

Mara Ellison, who chairs the Marrowby Water Board, said the gate had passed a full safety \
inspection in January and that the cause of the failure was not yet known.

Emergency shelters were opened in two schools and the town hall on higher ground.

"We moved everyone out before the water reached the lower streets," said a fire service \
spokesman at the scene."""

LEDGER_DAY1_TEXT = """\
Thousands of Marrowby residents spent Monday night in emergency shelters after a floodgate \
on the Kell River gave way before dawn.

Tobias Wren, the regional emergency coordinator, told reporters that no injuries had been \
reported and that the evacuation had gone smoothly.

Water levels in the lower town rose by almost two metres within three hours of the breach, \
according to the river authority.

Local shops on the quayside were flooded to the height of their counters."""

LEDGER_DAY2_TEXT = """\
Engineers started work on Tuesday to seal the broken floodgate on the Kell River, using \
steel plates brought in by barge from the coast.

The Marrowby Water Board said the repair would take at least ten days and cost around \
2 million euros.

Tobias Wren said residents of the lower town should not expect to return before the weekend.

A temporary embankment of sandbags now protects the railway station."""

OPINION_TEXT = """\
For twenty years, every report on the Marrowby floodgate warned that its hinges were worn \
and its budget was too small.

The failure on Monday was not bad luck but the result of choices made by people who will \
never have to sleep in a school gym.

If the valley wants a different outcome next time, it has to pay for maintenance before the \
water rises rather than after."""

TIMES_DAY3_TEXT = """\
Residents of the lower town began returning to their homes on Wednesday as the waters of \
the Kell River receded faster than engineers had expected.

Tobias Wren said the army would help clear mud from the quayside streets over the next week.

Insurance assessors arrived in Marrowby on Wednesday afternoon to inspect the damaged shops.

The cause of the floodgate failure remains under investigation by the regional authority."""


def member(
    ident: str,
    *,
    outlet: str,
    domain: str,
    title: str | None,
    text: str,
    when: datetime,
    quotes: Sequence[str] = (),
    duplicate_of: str | None = None,
    genre: str = "news",
    entities: Entities | None = None,
    seq: int = 0,
    published: bool = True,
    statements: Sequence[Statement] = (),
    relations: Sequence[Relation] = (),
) -> StoredArticle:
    """A stored article with a brief written by hand."""
    url = f"https://{domain}/news/{ident}"
    brief = Brief(
        id=ident,
        url=url,
        title=title,
        source=Outlet(outlet, domain, url),
        published=when.isoformat() if published else None,
        authors=(),
        language="en",
        word_count=len(text.split()),
        read_time_minutes=1,
        read_time_basis="full",
        quotes=tuple(quotes),
        summary=" ".join(split_sentences(text)[:2]),
        summary_method="extractive",
        entities=entities or Entities(),
        genre=genre,  # type: ignore[arg-type]
        statements=tuple(statements),
        relations=tuple(relations),
    )
    return StoredArticle(
        id=ident,
        seq=seq,
        url=url,
        title=title,
        source_name=outlet,
        source_domain=domain,
        published=brief.published,
        published_at=when if published else None,
        dated_at=when,
        fetched_at=when,
        ingested_at=when,
        updated_at=when,
        language="en",
        word_count=brief.word_count,
        text=text,
        paragraphs=tuple(text.split("\n\n")),
        brief=brief,
        fingerprint=fingerprint(text),
        minhash=None,
        fetch_status=200,
        etag=None,
        last_modified=None,
        duplicate_of=duplicate_of,
        story_id="s1",
        version=1,
    )


def _quotes_of(text: str, *indices: int) -> tuple[str, ...]:
    sents = split_sentences(text)
    return tuple(sents[i] for i in indices)


def corpus() -> list[StoredArticle]:
    """A wire report, its copy, two Ledger reports, an opinion piece and a later report."""
    wire = member(
        "a1", outlet="Wire Service", domain="wire.example",
        title="Floodgate failure forces evacuation of Marrowby valley",
        text=WIRE_TEXT, when=DAY1, quotes=_quotes_of(WIRE_TEXT, 0, 1), seq=1,
        entities=Entities(("Mara Ellison",), ("Marrowby Water Board",), ("Marrowby",)),
        statements=(Statement("Mara Ellison", "said", "the gate had passed", False, "s"),),
    )  # fmt: skip
    copy = replace(
        member(
            "a2", outlet="Coast Gazette", domain="coastgazette.example",
            title=wire.title, text=WIRE_TEXT, when=DAY1 + timedelta(hours=2),
            quotes=wire.brief.quotes, duplicate_of="a1", seq=2, entities=wire.brief.entities,
            statements=wire.brief.statements,
        )
    )  # fmt: skip
    ledger1 = member(
        "a3", outlet="Daily Ledger", domain="ledger.example",
        title="Marrowby valley evacuated after floodgate breaks",
        text=LEDGER_DAY1_TEXT, when=DAY1 + timedelta(hours=4),
        quotes=_quotes_of(LEDGER_DAY1_TEXT, 1, 2), seq=3,
        entities=Entities(("mara ellison", "Tobias Wren"), (), ("Marrowby", "Kell River")),
    )  # fmt: skip
    ledger2 = member(
        "a4", outlet="Daily Ledger", domain="ledger.example",
        title="Engineers begin repairs on Marrowby floodgate",
        text=LEDGER_DAY2_TEXT, when=DAY1 + timedelta(days=1, hours=1),
        quotes=_quotes_of(LEDGER_DAY2_TEXT, 0, 1), seq=4,
        entities=Entities(("Tobias Wren",), ("Marrowby Water Board",), ()),
        relations=(Relation("obligation", "Water Board", "residents", "affirmed", "e"),),
    )  # fmt: skip
    opinion = member(
        "a5", outlet="Evening Post", domain="post.example",
        title="The Marrowby flood was a warning we ignored", genre="opinion",
        text=OPINION_TEXT, when=DAY1 + timedelta(days=1, hours=10),
        quotes=_quotes_of(OPINION_TEXT, 1, 2), seq=5,
    )  # fmt: skip
    times = member(
        "a6", outlet="Northern Times", domain="northtimes.example",
        title="Marrowby residents return home as waters recede",
        text=TIMES_DAY3_TEXT, when=DAY1 + timedelta(days=2), seq=6,
        quotes=_quotes_of(TIMES_DAY3_TEXT, 0, 1),
        entities=Entities(("Tobias Wren",), (), ("Marrowby",)),
    )  # fmt: skip
    return [wire, copy, ledger1, ledger2, opinion, times]


class FirstSentences:
    """A fake multi-document summariser: the first sentence of each document, up to n."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, docs: Sequence[str], n: int) -> list[str]:
        self.calls.append(list(docs))
        return [split_sentences(d)[0] for d in docs][:n]


def story_of(members: Sequence[StoredArticle]) -> Story:
    return build_story("s1", members, summarize=FirstSentences())


# -- copies --------------------------------------------------------------------------------------


def test_wire_copy_is_listed_and_credited_but_never_quoted() -> None:
    story = story_of(corpus())
    assert [a.id for a in story.articles] == ["a1", "a2", "a3", "a4", "a5", "a6"]
    copy = next(a for a in story.articles if a.id == "a2")
    assert copy.duplicate_of == "a1"
    gazette = next(o for o in story.outlets if o.domain == "coastgazette.example")
    assert (gazette.count, gazette.copies) == (1, 1)
    assert "a2" not in {q.article_id for q in story.quotes}
    keys = [normalize(q.text) for q in story.quotes]
    assert len(keys) == len(set(keys))


def test_unmarked_copy_is_found_by_its_fingerprint() -> None:
    members = corpus()
    members[1] = replace(members[1], duplicate_of=None)
    story = story_of(members)
    assert next(a for a in story.articles if a.id == "a2").duplicate_of == "a1"
    assert "a2" not in {q.article_id for q in story.quotes}
    assert sum(e.articles for e in story.timeline) == 4  # a1, a3, a4, a6: the copy counts once


def test_two_copies_of_one_text_are_quoted_once_even_with_other_ids() -> None:
    """Two outlets run one wire text (not linked, not identical): each passage is quoted once."""
    base = corpus()[0]
    other = member(
        "b1", outlet="Hill Courier", domain="hillcourier.example", title="Valley evacuated",
        text=WIRE_TEXT + "\n\nThe Hill Courier will publish updates through the night.",
        when=DAY1 + timedelta(hours=1), quotes=base.brief.quotes, seq=9,
    )  # fmt: skip
    story = story_of([base, other])
    keys = [normalize(q.text) for q in story.quotes]
    assert len(keys) == len(set(keys))
    assert len(story.quotes) >= 2


def test_entities_count_articles_not_copies() -> None:
    story = story_of(corpus())
    # Tobias Wren is in 3 originals; Mara Ellison in 2 (her copy in a2 does not count).
    assert story.entities.people == ("Tobias Wren", "Mara Ellison")
    assert story.entities.organizations == ("Marrowby Water Board",)
    assert story.entities.places[0] == "Marrowby"


# -- quotes --------------------------------------------------------------------------------------


def test_quotes_are_verbatim_from_their_own_article_and_attributed() -> None:
    members = {m.id: m for m in corpus()}
    story = story_of(list(members.values()))
    assert 2 <= len(story.quotes) <= 3
    for q in story.quotes:
        source = members[q.article_id or ""]
        assert q.text in source.text
        assert q.source == source.source_name
        assert q.url == source.url


def test_quotes_spread_over_outlets_and_prefer_news() -> None:
    story = story_of(corpus())
    outlets = [q.source for q in story.quotes]
    assert len(outlets) == 3 == len(set(outlets))
    assert "Evening Post" not in outlets  # the opinion piece is not quoted while news suffices


def test_stale_brief_quotes_are_not_used() -> None:
    members = corpus()
    members[0] = replace(
        members[0], brief=replace(members[0].brief, quotes=("A sentence no longer in the text.",))
    )
    story = story_of(members)
    assert all(q.text in WIRE_TEXT or q.article_id != "a1" for q in story.quotes)
    assert "A sentence no longer in the text." not in {q.text for q in story.quotes}


def test_quotes_fall_back_to_the_text_when_briefs_have_none() -> None:
    lone = member(
        "c1", outlet="Daily Ledger", domain="ledger.example", title="Repairs begin",
        text=LEDGER_DAY2_TEXT, when=DAY1,
    )  # fmt: skip
    story = story_of([lone])
    assert len(story.quotes) >= 2
    assert all(q.text in LEDGER_DAY2_TEXT and q.article_id == "c1" for q in story.quotes)
    summary = set(split_sentences(story.summary))
    assert not summary & {q.text for q in story.quotes}


# -- title, summary, dates, timeline ---------------------------------------------------------------


def test_title_is_a_news_headline_like_the_others() -> None:
    story = story_of(corpus())
    titles = {m.title for m in corpus() if m.brief.genre == "news"}
    assert story.title in titles
    assert story.title != "The Marrowby flood was a warning we ignored"


def test_title_of_two_articles_is_the_earliest() -> None:
    members = corpus()
    story = story_of([members[3], members[2]])
    assert story.title == members[2].title


def test_summary_comes_from_originals_in_time_order() -> None:
    fake = FirstSentences()
    members = corpus()
    random.Random(4).shuffle(members)
    story = build_story("s1", members, summarize=fake)
    assert fake.calls[0] == [WIRE_TEXT, LEDGER_DAY1_TEXT, LEDGER_DAY2_TEXT, TIMES_DAY3_TEXT]
    firsts = [split_sentences(d)[0] for d in fake.calls[0]]
    assert story.summary == " ".join(firsts)  # 4 sentences, 92 words: within the budget


def test_summary_over_the_word_budget_keeps_three_sentences() -> None:
    def longest(docs: Sequence[str], n: int) -> list[str]:
        sents = [s for d in docs for s in split_sentences(d)]
        best = sorted(sents, key=lambda s: -len(s.split()))[:n]
        return [s for s in sents if s in best]

    story = build_story("s1", corpus(), summarize=longest)
    assert len(split_sentences(story.summary)) == 3


def test_summary_drops_sentences_not_in_any_article() -> None:
    def inventive(docs: Sequence[str], n: int) -> list[str]:
        return ["Something nobody wrote.", split_sentences(docs[0])[0]]

    story = build_story("s1", corpus()[:1], summarize=inventive)
    assert story.summary == split_sentences(WIRE_TEXT)[0]


def test_dates_and_opinion_sources() -> None:
    story = story_of(corpus())
    assert story.first_seen == DAY1
    assert story.last_updated == DAY1 + timedelta(days=2)
    assert story.opinion_sources == ("Evening Post",)
    assert [a.genre for a in story.articles].count("opinion") == 1


def test_timeline_one_entry_per_development_in_time_order() -> None:
    story = story_of(corpus())
    assert [t.article_id for t in story.timeline] == ["a1", "a4", "a6"]
    assert [t.articles for t in story.timeline] == [2, 1, 1]  # a3 joins a1: same day and event
    dates = [t.date for t in story.timeline]
    assert dates == sorted(dates)
    assert story.timeline[0].source == "Wire Service"
    assert story.timeline[0].url == "https://wire.example/news/a1"


def test_timeline_keeps_two_developments_of_one_day_apart() -> None:
    members = corpus()
    same_day = replace(members[5], dated_at=members[3].dated_at + timedelta(hours=5))
    story = story_of([members[0], members[3], same_day])
    assert [t.article_id for t in story.timeline] == ["a1", "a4", "a6"]


def test_timeline_collapses_a_rerun_headline_on_a_later_day() -> None:
    members = corpus()
    rerun = member(
        "r1", outlet="Late Daily", domain="late.example", title=members[0].title,
        text=LEDGER_DAY1_TEXT.replace("Monday", "Sunday"), when=DAY1 + timedelta(days=1), seq=8,
    )  # fmt: skip
    story = story_of([members[0], rerun])
    assert [t.article_id for t in story.timeline] == ["a1"]
    assert story.timeline[0].articles == 2


def test_statements_and_commitments_count_once_and_get_dates() -> None:
    story = story_of(corpus())
    assert len(story.who_said_what) == 1  # the copy's statement is the same one
    assert story.commitments[0].date == "2031-03-05"


# -- whole record ----------------------------------------------------------------------------------


def test_input_order_does_not_matter() -> None:
    members = corpus()
    expected = story_of(members)
    for seed in range(3):
        shuffled = list(members)
        random.Random(seed).shuffle(shuffled)
        assert story_of(shuffled) == expected


def test_story_json_has_the_spec_shape_and_round_trips() -> None:
    story = story_of(corpus())
    d = json.loads(json.dumps(story.to_dict()))
    for key in ("id", "title", "summary", "quotes", "articles", "outlets", "first_seen",
                "last_updated", "timeline", "entities"):  # fmt: skip
        assert key in d
    assert set(d["quotes"][0]) >= {"text", "source", "url"}
    assert set(d["articles"][0]) >= {"id", "title", "source", "published", "url"}
    assert set(d["timeline"][0]) >= {"date", "title", "source", "url"}
    assert d["first_seen"] == DAY1.isoformat()
    assert Story.from_dict(d) == story


def test_article_without_publication_date_keeps_its_ingest_time() -> None:
    lone = member(
        "u1", outlet="Daily Ledger", domain="ledger.example", title="Repairs begin",
        text=LEDGER_DAY2_TEXT, when=DAY1, published=False,
    )  # fmt: skip
    story = story_of([lone])
    assert story.articles[0].published is None
    assert story.articles[0].dated_at == DAY1


def test_empty_story_is_refused() -> None:
    with pytest.raises(ValueError):
        build_story("s1", [])


def _model_present() -> bool:
    data = resources.files("newsbrief.data")
    return all(data.joinpath(n).is_file() for n in ("summarizer.json", "summarizer_multi.json"))


@pytest.mark.skipif(not _model_present(), reason="summariser weights not trained yet")
def test_real_summariser_gives_verbatim_sentences_from_several_outlets() -> None:
    members = corpus()
    story = build_story("s1", members)
    sentences = split_sentences(story.summary)
    assert 1 <= len(sentences) <= 4
    sources = {m.id for s in sentences for m in members if s in m.text}
    assert all(any(s in m.text for m in members) for s in sentences)
    assert len(sources - {"a2"}) >= 2


def test_opinion_is_quoted_only_when_news_leaves_room() -> None:
    members = corpus()
    short = member(
        "n1", outlet="Wire Service", domain="wire.example", title="Floodgate fails",
        text="The Marrowby floodgate failed on Monday morning.", when=DAY1,
    )  # fmt: skip
    story = story_of([short, members[4]])
    # The news article yields one passage; the opinion piece fills the second place.
    assert [q.article_id for q in story.quotes][:1] == ["n1"]
    assert "a5" in {q.article_id for q in story.quotes}
    assert story.title == "Floodgate fails"  # news headline, although the opinion is longer


def test_article_without_text_uses_its_brief_summary() -> None:
    members = corpus()
    card = replace(members[2], text="", paragraphs=(), fingerprint=fingerprint(""))
    fake = FirstSentences()
    build_story("s1", [members[0], card], summarize=fake)
    assert fake.calls[0][1] == card.brief.summary


def test_a_name_filed_under_two_kinds_is_listed_once() -> None:
    place = Entities((), (), ("Marrowby", "Kell River"))
    org = Entities(("Tobias Wren",), ("MARROWBY",), ())
    day = datetime(2025, 5, 1, tzinfo=UTC)
    arts = [
        member(
            f"k{i}",
            outlet=f"Outlet {i}",
            domain=f"outlet{i}.example",
            title=f"Marrowby report {i}",
            text=f"Marrowby council met on day {i} to discuss the river.",
            when=day + timedelta(days=i),
            entities=ents,
            seq=i,
        )
        for i, ents in enumerate([place, place, org])
    ]
    entities = story_of(arts).entities
    assert entities.places == ("Marrowby", "Kell River")
    assert entities.organizations == ()
    assert entities.people == ("Tobias Wren",)
