"""Story summaries from an LLM: ingest two reports of one event into a temporary SQLite
store with NEWSBRIEF_LLM_URL pointing at a fake OpenAI-compatible server on 127.0.0.1.

The story summary is abstractive only when every number and name in it is found in the
story's articles; otherwise it is the extractive one, with the reason recorded. Quotes are
passages from the articles whatever the summary is.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from newsbrief.engine import make_engine
from newsbrief.pipeline.llm_summary import PROMPT_VERSION
from newsbrief.records import Story
from newsbrief.render_story import story_card_html, story_markdown
from tests.llm_server import INVENTED, FakeLLM, serve_fake_llm

FIRST = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Flood closes the Vellmar bridge | Oakridge Courier</title>
<meta property="og:site_name" content="Oakridge Courier">
<meta property="article:published_time" content="2024-03-04T08:00:00Z">
</head><body><article><h1>Flood closes the Vellmar bridge</h1>
<p>The Vellmar bridge was closed on Monday morning after the river rose above its banks,
the county road agency said, and traffic was sent over the old mill road instead.</p>
<p>Engineers from the county road agency inspected the piers during the day and found
cracks in two of them, according to a statement from the agency.</p>
<p>"We will not reopen the bridge until every pier has been checked," said Hanna Edvik,
who runs the agency. "Safety comes before convenience."</p>
<p>Shop owners in Vellmar said the detour added most of an hour to deliveries.</p>
</article></body></html>
"""

SECOND = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Vellmar bridge to stay shut for repairs after flood | Riverside Post</title>
<meta property="og:site_name" content="Riverside Post">
<meta property="article:published_time" content="2024-03-05T09:30:00Z">
</head><body><article><h1>Vellmar bridge to stay shut for repairs after flood</h1>
<p>The Vellmar bridge will stay closed for 14 weeks while cracked piers are repaired, the
county road agency said on Tuesday, a day after the flood forced its closure.</p>
<p>Repairs to the two damaged piers will cost about 2,300,000 euros, the agency said, and
the old mill road will carry the detour until the bridge reopens.</p>
<p>"We know the detour is hard on Vellmar, and we will work through the nights," said Hanna
Edvik, who runs the county road agency.</p>
<p>About 9,000 vehicles crossed the bridge each day before the flood, agency counts show.</p>
</article></body></html>
"""
_SOURCES = " ".join(f"{FIRST}\n{SECOND}".split())
"""Both pages with their line breaks joined, as the extracted paragraphs have them."""


@pytest.fixture
def fake_llm() -> Iterator[FakeLLM]:
    with serve_fake_llm() as fake:
        yield fake


@pytest.fixture
def reports(tmp_path: Path) -> list[Path]:
    paths = [tmp_path / "first.html", tmp_path / "second.html"]
    for path, html in zip(paths, (FIRST, SECOND), strict=True):
        path.write_text(html, encoding="utf-8")
    return paths


def _ingest(tmp_path: Path, reports: list[Path], name: str) -> Story:
    """Ingest the two reports into a fresh store; the one story they form."""
    with make_engine(f"sqlite:///{tmp_path / name}", ner="gazetteer") as engine:
        report = engine.ingest([str(p) for p in reports])
        assert report.counts["added"] == 2, report
        (story_id,) = {engine.article(a.id).story_id for a in engine.export()}
        assert story_id is not None
        return engine.story(story_id)


@pytest.fixture
def plain(tmp_path: Path, reports: list[Path], monkeypatch: pytest.MonkeyPatch) -> Story:
    """The story with no LLM configured."""
    monkeypatch.delenv("NEWSBRIEF_LLM_URL", raising=False)
    return _ingest(tmp_path, reports, "plain.db")


def _with_llm(
    fake: FakeLLM, tmp_path: Path, reports: list[Path], monkeypatch: pytest.MonkeyPatch
) -> Story:
    monkeypatch.setenv("NEWSBRIEF_LLM_URL", fake.url)
    monkeypatch.setenv("NEWSBRIEF_LLM_MODEL", "fake-model")
    monkeypatch.setenv("NEWSBRIEF_LLM_TIMEOUT", "5")
    return _ingest(tmp_path, reports, "llm.db")


def _story_requests(fake: FakeLLM) -> list[str]:
    users = [
        m["content"]
        for r in fake.requests
        if r.body is not None
        for m in r.body["messages"]
        if m["role"] == "user"
    ]
    return [u for u in users if "Report 1 (oldest first)" in u]


def test_a_faithful_model_summarises_the_story_from_all_its_articles(
    fake_llm: FakeLLM, tmp_path: Path, reports: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    story = _with_llm(fake_llm, tmp_path, reports, monkeypatch)
    (prompt,) = _story_requests(fake_llm)
    assert prompt.index("closed on Monday morning") < prompt.index("stay closed for 14 weeks")
    assert "Report 2 (oldest first)" in prompt
    assert story.summary_method == "llm:fake-model"
    assert story.summary_model == "fake-model" and story.prompt_version == PROMPT_VERSION
    assert story.summary_fallback_reason is None
    # the lead of the oldest report, and figures only the later report gives: checked
    # against both articles, not just the first
    assert story.summary.startswith("In brief: the Vellmar bridge was closed on Monday morning")
    assert "14" in story.summary and "2,300,000" in story.summary
    assert story.summary not in _SOURCES


def test_the_llm_story_summary_is_labelled_and_quotes_stay_verbatim(
    fake_llm: FakeLLM,
    tmp_path: Path,
    reports: list[Path],
    monkeypatch: pytest.MonkeyPatch,
    plain: Story,
) -> None:
    story = _with_llm(fake_llm, tmp_path, reports, monkeypatch)
    assert story.quotes == plain.quotes
    assert story.quotes and all(q.text in _SOURCES for q in story.quotes)
    assert "**Summary (llm:fake-model)**: In brief:" in story_markdown(story)
    assert "<strong>Summary (llm:fake-model):</strong> In brief:" in story_card_html(story)
    assert Story.from_dict(story.to_dict()) == story


def test_a_hallucinating_model_falls_back_to_the_extractive_summary(
    fake_llm: FakeLLM,
    tmp_path: Path,
    reports: list[Path],
    monkeypatch: pytest.MonkeyPatch,
    plain: Story,
) -> None:
    fake_llm.mode = "hallucinate"
    story = _with_llm(fake_llm, tmp_path, reports, monkeypatch)
    assert len(_story_requests(fake_llm)) == 1
    assert story.summary_method == "extractive"
    assert story.summary == plain.summary
    assert INVENTED.strip() not in story.summary
    assert story.summary_fallback_reason == "unsupported: 3,400; Jonathan Reyes"
    assert story.summary_model == "fake-model" and story.prompt_version == PROMPT_VERSION
    assert "Summary (" not in story_markdown(story)


def test_a_failing_model_falls_back_with_the_error(
    fake_llm: FakeLLM,
    tmp_path: Path,
    reports: list[Path],
    monkeypatch: pytest.MonkeyPatch,
    plain: Story,
) -> None:
    fake_llm.mode = "error"
    story = _with_llm(fake_llm, tmp_path, reports, monkeypatch)
    assert story.summary_method == "extractive" and story.summary == plain.summary
    assert (story.summary_fallback_reason or "").startswith("llm error: LLM returned HTTP 500")


def test_no_llm_keeps_the_extractive_summary_and_no_provenance(plain: Story) -> None:
    assert plain.summary_method == "extractive"
    assert plain.summary_model is None and plain.prompt_version is None
    assert plain.summary_fallback_reason is None
    sentences = [s for s in plain.summary.split(". ") if s]
    assert sentences and all(s.rstrip(".") in _SOURCES for s in sentences)
    assert "Summary (" not in story_markdown(plain)


def test_stories_stored_before_the_fields_existed_still_load(plain: Story) -> None:
    old = plain.to_dict()
    for key in ("summary_method", "summary_model", "prompt_version", "summary_fallback_reason"):
        del old[key]
    assert Story.from_dict(old) == plain
