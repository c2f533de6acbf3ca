"""Entities followed across articles and stories: ingest, ``Engine.entity``, ``newsbrief entity``.

The articles are written here (fictional outlets on ``.example``); the seeds, when present,
are acceptance tests for Sergei Lavrov's statements.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsbrief.engine import Engine, make_engine
from newsbrief.errors import InputError, NotFound
from newsbrief.render_story import story_html, story_markdown
from tests.conftest import run_cli, seed

PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title} – {outlet}</title>
<meta property="og:site_name" content="{outlet}">
<meta property="og:title" content="{title}">
<link rel="canonical" href="https://{domain}/{date}/{slug}/">
<meta property="article:published_time" content="{date}T09:00:00+00:00">
</head><body><article><h1>{title}</h1>{body}</article></body></html>
"""

ARTICLES = {
    # ingested first: Putin by surname only, in a story of its own
    "gas": (
        "The Northern Ledger", "northernledger.example", "2025-09-15",
        "Putin and Kazakhstan sign gas pipeline deal",
        "President Putin signed a gas pipeline agreement with Kazakhstan on Monday, promising "
        "cheaper heating for northern towns by next winter.",
        '"The pipeline will carry gas to every northern town by December," Putin said at the '
        "signing ceremony in Astana.",
        "Engineers expect the first section of the pipeline to open in the spring, and the cost "
        "is estimated at four billion dollars.",
    ),
    "troops-1": (
        "The Northern Ledger", "northernledger.example", "2025-06-02",
        "Kremlin rules out sending troops to Armenia",
        "Russian President Vladimir Putin said on Monday that Moscow would not send troops to "
        "Armenia, despite weeks of appeals from the government in Yerevan.",
        '"We have no intention of sending soldiers abroad this summer," Putin told reporters '
        "after a meeting of his security council.",
        "The Kremlin said the country was under no obligation to defend Armenia because the two "
        "sides had never signed a defence treaty.",
        "Armenia has asked Russia for military help twice this year, according to officials in "
        "Yerevan. Border villages have reported shelling for a month.",
    ),
    "troops-2": (
        "Harbor Ledger", "harborledger.example", "2025-06-03",
        "Armenia left waiting as Moscow refuses troops",
        "Armenian leaders said on Tuesday they were disappointed after President Putin refused "
        "to send troops to protect border villages that have come under shelling.",
        '"A promise of friendship is not a promise of protection," President Putin said in a '
        "televised address on Tuesday evening.",
        "Armenia is a member of the Collective Security Treaty Organization, the alliance that "
        "Russia leads.",
        "The Kremlin has said that Russia will not send troops to Armenia while talks continue.",
    ),
    "choir": (
        "Valley Post", "valleypost.example", "2025-07-01",
        "Siblings lead the Brackwater choir to a regional prize",
        "Marta Kell and Jonas Kell led the Brackwater community choir to first place at the "
        "regional festival on Saturday.",
        "The choir, founded forty years ago, sang three pieces written by local composers.",
    ),
}  # fmt: skip


def _write(directory: Path, slug: str, fields: tuple[str, ...]) -> Path:
    outlet, domain, date, title, *paragraphs = fields
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    path = directory / f"{slug}.html"
    page = PAGE.format(title=title, outlet=outlet, domain=domain, date=date, slug=slug, body=body)
    path.write_text(page, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store holding the articles above, ingested one by one, the surname-only one first."""
    directory = tmp_path_factory.mktemp("entities")
    url = f"sqlite:///{directory / 'store.db'}"
    with make_engine(url, ner="gazetteer") as engine:
        for slug, fields in ARTICLES.items():
            report = engine.ingest([str(_write(directory, slug, fields))])
            assert report.counts["added"] == 1, report.errors
    return url


@pytest.fixture
def engine(db: str) -> Iterator[Engine]:
    with make_engine(db, ner="gazetteer") as e:
        yield e


def test_putin_is_one_entity_across_two_stories(db: str) -> None:
    r = run_cli("entity", "Putin", "--db", db, "--format", "json")
    assert r.returncode == 0, r.stderr
    view = json.loads(r.stdout)
    assert view["id"] == "person:vladimir-putin" and view["name"] == "Vladimir Putin"
    assert {"Vladimir Putin", "President Putin", "Putin"} <= set(view["aliases"])
    assert view["merged"] == ["person:putin"]  # the surname seen first joined the full name
    assert len(view["stories"]) == 2
    assert [s["first_seen"] for s in view["stories"]] == sorted(
        s["first_seen"] for s in view["stories"]
    )
    dates = [s["date"] for s in view["statements"]]
    assert (
        dates == sorted(dates) and dates[0][:10] == "2025-06-02" and dates[-1][:10] == "2025-09-15"
    )
    assert any("no intention of sending soldiers" in s["text"] for s in view["statements"])
    by_article = {a["id"]: a for a in view["articles"]}
    assert {s["article_id"] for s in view["statements"]} == set(by_article)
    assert all(s["url"] and s["source"] for s in view["statements"])
    [gas] = [r for r in view["relations"] if r["object"] == "Kazakhstan"]
    assert gas["type"] == "agreement" and gas["subject"] == "Vladimir Putin"
    assert gas["when"] == "on Monday" and gas["date"].startswith("2025-09-15")


def test_the_kremlin_and_moscow_link_to_russia(engine: Engine) -> None:
    view = engine.entity("the Kremlin")
    assert view.id == "country:russia"
    assert {"Kremlin", "Moscow", "Russia"} <= set(view.aliases)
    assert {s.speaker for s in view.statements} == {"Kremlin"}
    types = [(r.type, r.subject, r.object, r.polarity) for r in view.relations]
    assert ("obligation", "Russia", "Armenia", "denied") in types
    assert ("request", "Armenia", "Russia", "affirmed") in types
    assert [r.date for r in view.relations] == sorted(r.date for r in view.relations)
    assert len({r.article_id for r in view.relations}) == 2  # followed over both days
    assert engine.entity("country:russia") == view
    assert engine.entity("Moscow").id == "place:moscow"  # its own name wins over an alias


def test_text_format_and_ids(db: str) -> None:
    r = run_cli("entity", "president putin", "--db", db)
    assert r.returncode == 0, r.stderr
    assert "Vladimir Putin" in r.stdout and "person:vladimir-putin" in r.stdout
    assert "Statements" in r.stdout and "The Northern Ledger" in r.stdout


def test_unknown_and_ambiguous_names_exit_2(db: str, engine: Engine) -> None:
    r = run_cli("entity", "Nobody Atall", "--db", db)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith("error: ") and r.stderr.count("\n") == 1
    r = run_cli("entity", "kell", "--db", db)
    assert r.returncode == 2 and r.stderr.count("\n") == 1
    assert "person:marta-kell" in r.stderr and "person:jonas-kell" in r.stderr
    with pytest.raises(NotFound):
        engine.entity("person:nobody")
    with pytest.raises(InputError):
        engine.entity("   ")
    assert {e.id for e in engine.find_entities("kell")} == {
        "person:marta-kell",
        "person:jonas-kell",
    }


def test_story_briefs_say_who_said_what_with_outlet_and_link(engine: Engine) -> None:
    [troops] = [s for s in engine.stories().items if "Armenia" in (s.title or "")]
    speakers = {st.speaker for st in troops.who_said_what}
    assert "Vladimir Putin" in speakers and "Putin" not in speakers  # one speaker, both outlets
    putin = [st for st in troops.who_said_what if st.speaker_id == "person:vladimir-putin"]
    assert {st.source for st in putin} == {"The Northern Ledger", "Harbor Ledger"}
    assert all(st.url and st.url.startswith("https://") and st.article_id for st in putin)
    assert all(c.source and c.url and c.date and c.evidence for c in troops.commitments)
    md = story_markdown(troops)
    assert "## Who said what" in md and "## Commitments" in md
    section = md.split("## Who said what")[1].split("## Commitments")[0]
    putin_group = section.split("- **Vladimir Putin**")[1].split("\n- **")[0]
    assert "A promise of friendship" in putin_group and "Harbor Ledger" in putin_group
    assert "no intention of sending soldiers" in putin_group
    html = story_html(troops)
    assert 'class="who-said-what"' in html and 'class="commitments"' in html
    d = troops.to_dict()
    assert {"source", "url", "article_id", "date"} <= set(d["who_said_what"][0])


def test_seed_statements_of_lavrov_are_one_entity(tmp_path: Path) -> None:
    first, second = seed("000"), seed("004")
    with make_engine(f"sqlite:///{tmp_path / 'seeds.db'}", ner="gazetteer") as engine:
        engine.ingest([str(first), str(second)])
        view = engine.entity("Lavrov")
    assert view.id == "person:sergei-lavrov" and view.name == "Sergei Lavrov"
    texts = " | ".join(s.text for s in view.statements)
    assert "requested military help" in texts and "oblig" in texts
    assert {s.speaker for s in view.statements} == {"Sergei Lavrov"}
