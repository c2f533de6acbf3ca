"""The LLM backend end to end: settings -> Engine -> brief, and the real CLI in a subprocess,
both against a fake OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsbrief.engine import make_engine
from newsbrief.pipeline.llm_summary import PROMPT_VERSION
from newsbrief.records import Brief
from tests.conftest import run_cli
from tests.llm_server import INVENTED, FakeLLM, serve_fake_llm

ARTICLE_HTML = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Harbour reopens as dock strike ends | The Kellhaven Herald</title>
<meta property="og:site_name" content="The Kellhaven Herald">
</head><body><article><h1>Harbour reopens as dock strike ends</h1>
<p>The Portmere harbour reopened on Monday after a strike of 11 days, the port authority said,
and the first container ship was unloaded before noon.</p>
<p>About 1,200 dock workers returned after their union accepted a 6% raise and a promise of
new cranes, ending the longest walkout at the port in 20 years.</p>
<p>"We are back, and we are paid fairly," said Marta Lindqvist, who leads the union. "The
cranes matter as much as the money."</p>
<p>Shipping lines had diverted 40 vessels to Kellhaven during the strike, and exporters said
the delays had cost them orders from abroad.</p>
<p>The port authority said it expected the backlog of containers to clear within a week.</p>
</article></body></html>
"""


@pytest.fixture
def fake_llm() -> Iterator[FakeLLM]:
    with serve_fake_llm() as fake:
        yield fake


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "harbour.html"
    path.write_text(ARTICLE_HTML, encoding="utf-8")
    return path


def _brief(fake: FakeLLM, article: Path, **settings: object) -> Brief:
    options: dict[str, object] = {
        "llm_url": fake.url,
        "llm_model": "fake-model",
        "llm_timeout": 5.0,
        "ner": "gazetteer",
        **settings,
    }
    with make_engine(**options) as engine:  # type: ignore[arg-type]
        return engine.brief(str(article))


def _plain(article: Path) -> Brief:
    with make_engine(ner="gazetteer", llm_url="") as engine:
        assert engine.summariser is None
        return engine.brief(str(article))


def test_a_faithful_model_gives_the_summary_and_is_named(fake_llm: FakeLLM, article: Path) -> None:
    brief = _brief(fake_llm, article)
    assert brief.summary_method == "llm:fake-model"
    assert brief.summary.startswith("In brief: the Portmere harbour reopened on Monday")
    assert brief.summary != _plain(article).summary
    assert brief.summary_model == "fake-model" and brief.prompt_version == PROMPT_VERSION
    assert brief.summary_fallback_reason is None
    assert brief.quotes == _plain(article).quotes  # quotes never come from the model
    (req,) = fake_llm.requests
    assert req.body is not None and req.body["model"] == "fake-model"


def test_a_hallucinating_model_is_caught(fake_llm: FakeLLM, article: Path) -> None:
    fake_llm.mode = "hallucinate"
    brief = _brief(fake_llm, article)
    assert brief.summary_method == "extractive"
    assert brief.summary == _plain(article).summary
    assert INVENTED.strip() not in brief.summary
    assert brief.summary_fallback_reason == "unsupported: 3,400; Jonathan Reyes"
    assert brief.summary_model == "fake-model" and brief.prompt_version == PROMPT_VERSION


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("slow", "llm error: LLM request timed out after 0.3s"),
        ("error", "llm error: LLM returned HTTP 500"),
        ("garbage", "llm error: malformed LLM response: not JSON"),
        ("shapeless", "llm error: malformed LLM response: no choices"),
    ],
)
def test_failures_fall_back_to_extractive(
    fake_llm: FakeLLM, article: Path, mode: str, reason: str
) -> None:
    fake_llm.mode, fake_llm.delay = mode, 1.5
    brief = _brief(fake_llm, article, llm_timeout=0.3)
    assert brief.summary_method == "extractive"
    assert brief.summary == _plain(article).summary
    assert brief.summary_fallback_reason is not None
    assert brief.summary_fallback_reason.startswith(reason)


def test_the_api_key_is_sent_as_a_bearer_token(fake_llm: FakeLLM, article: Path) -> None:
    _brief(fake_llm, article, llm_api_key="sk-local-42")
    headers = {k.lower(): v for k, v in fake_llm.requests[0].headers.items()}
    assert headers["authorization"] == "Bearer sk-local-42"


def test_no_llm_url_means_no_request_and_no_provenance(article: Path) -> None:
    brief = _plain(article)
    assert brief.summary_method == "extractive"
    assert brief.summary_model is None and brief.summary_fallback_reason is None


def test_cli_brief_json_uses_the_llm_from_the_environment(fake_llm: FakeLLM, article: Path) -> None:
    env = {
        "NEWSBRIEF_LLM_URL": fake_llm.url,
        "NEWSBRIEF_LLM_MODEL": "fake-model",
        "NEWSBRIEF_LLM_API_KEY": "sk-cli",
        "NEWSBRIEF_NER": "gazetteer",
    }
    r = run_cli("brief", str(article), "--format", "json", env=env)
    assert r.returncode == 0, r.stderr
    b = json.loads(r.stdout)
    assert b["summary_method"] == "llm:fake-model"
    assert b["summary_model"] == "fake-model" and b["prompt_version"] == PROMPT_VERSION
    assert b["summary"].startswith("In brief:")
    assert fake_llm.requests[0].headers.get("Authorization") == "Bearer sk-cli"


def test_cli_falls_back_and_says_why(fake_llm: FakeLLM, article: Path) -> None:
    fake_llm.mode = "hallucinate"
    env = {"NEWSBRIEF_LLM_URL": fake_llm.url, "NEWSBRIEF_NER": "gazetteer"}
    r = run_cli("brief", str(article), "--format", "json", env=env)
    assert r.returncode == 0, r.stderr
    b = json.loads(r.stdout)
    assert b["summary_method"] == "extractive"
    assert b["summary_model"] == "listed-model"  # no model configured: the server's first
    assert b["summary_fallback_reason"] == "unsupported: 3,400; Jonathan Reyes"
