"""llm_summary: prompts, reply cleaning and the use-or-fall-back decision, with a fake model."""

from __future__ import annotations

import pytest

from newsbrief.errors import SummaryError
from newsbrief.pipeline.brief import make_brief
from newsbrief.pipeline.entities import GazetteerRecognizer
from newsbrief.pipeline.llm_summary import (
    MAX_SOURCE_CHARS,
    PROMPT_VERSION,
    article_prompt,
    clean_reply,
    decide,
    story_prompt,
    summarise_story,
)
from newsbrief.records import Article, Brief, Outlet
from newsbrief.storage_records import brief_from_dict

BODY = (
    "The Portmere harbour reopened on Monday after a strike of 11 days, the port authority said.",
    "About 1,200 dock workers returned after the union accepted a 6% raise.",
    '"We are back, and we are paid fairly," said Marta Lindqvist, who leads the union.',
    "Shipping lines had sent 40 vessels to Kellhaven during the strike.",
)
FALLBACK = ["The Portmere harbour reopened on Monday after a strike of 11 days."]


class FakeSummariser:
    """A hand-written model: returns a canned reply, or raises, and records the prompts."""

    def __init__(self, reply: str = "", error: Exception | None = None) -> None:
        self.reply, self.error = reply, error
        self.prompts: list[tuple[str, str, int]] = []

    @property
    def model(self) -> str:
        return "fake-model"

    def summarise(self, system: str, user: str, /, *, max_tokens: int) -> str:
        self.prompts.append((system, user, max_tokens))
        if self.error:
            raise self.error
        return self.reply


def _article() -> Article:
    return Article(
        title="Portmere harbour reopens as strike ends",
        paragraphs=BODY,
        url="https://news.example/harbour",
        source=Outlet(name="Example News", domain="news.example"),
        language="en",
    )


def _brief(summariser: FakeSummariser | None) -> Brief:
    return make_brief(_article(), recognizer=GazetteerRecognizer(), summariser=summariser)


FAITHFUL = (
    "Dock workers in Portmere ended their 11-day strike on Monday after the union accepted "
    "a 6% raise; about 1,200 returned, union leader Marta Lindqvist said."
)


def test_a_faithful_llm_summary_is_used_and_labelled() -> None:
    fake = FakeSummariser(FAITHFUL)
    brief = _brief(fake)
    assert brief.summary == FAITHFUL
    assert brief.summary_method == "llm:fake-model"
    assert brief.summary_model == "fake-model" and brief.prompt_version == PROMPT_VERSION
    assert brief.summary_fallback_reason is None
    (system, user, max_tokens) = fake.prompts[0]
    assert "Portmere harbour reopens as strike ends" in user and BODY[1] in user
    assert "quotation marks" in system and max_tokens > 0


def test_quotes_stay_verbatim_from_the_body_whatever_the_summary() -> None:
    plain = _brief(None)
    with_llm = _brief(FakeSummariser(FAITHFUL))
    assert with_llm.quotes == plain.quotes
    body = "\n\n".join(BODY)
    assert with_llm.quotes and all(q in body for q in with_llm.quotes)


def test_a_hallucinating_summary_falls_back_with_the_reason() -> None:
    brief = _brief(FakeSummariser(FAITHFUL + " Jonathan Reyes said 3,400 jobs are at risk."))
    plain = _brief(None)
    assert brief.summary == plain.summary
    assert brief.summary_method == "extractive"
    assert brief.summary_fallback_reason == "unsupported: 3,400; Jonathan Reyes"
    assert brief.summary_model == "fake-model" and brief.prompt_version == PROMPT_VERSION


def test_a_failing_model_falls_back_with_its_error() -> None:
    brief = _brief(FakeSummariser(error=SummaryError("LLM returned HTTP 500: boom")))
    assert brief.summary_method == "extractive" and brief.summary == _brief(None).summary
    assert brief.summary_fallback_reason == "llm error: LLM returned HTTP 500: boom"


def test_without_a_summariser_nothing_changes() -> None:
    brief = _brief(None)
    assert brief.summary_method == "extractive"
    assert (brief.summary_model, brief.prompt_version, brief.summary_fallback_reason) == (
        None,
        None,
        None,
    )


def test_the_provenance_round_trips_through_storage_dicts() -> None:
    brief = _brief(FakeSummariser(FAITHFUL + " It cost 99 million."))
    d = brief.to_dict()
    assert d["summary_fallback_reason"] == "unsupported: 99 million"
    assert d["prompt_version"] == PROMPT_VERSION and d["summary_model"] == "fake-model"
    assert brief_from_dict(d) == brief


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ("   ", "empty reply"),
        ("<think>the article says 1,200</think>", "empty reply"),
        (" ".join(["word"] * 200), "too long: 200 words (limit 70)"),
    ],
)
def test_unusable_replies_fall_back(reply: str, reason: str) -> None:
    d = decide(reply, [" ".join(BODY)], FALLBACK, model="m", words=70)
    assert d.method == "extractive" and d.text == FALLBACK[0]
    assert d.fallback_reason == reason


@pytest.mark.parametrize(
    "reply",
    [
        f"Summary: {FAITHFUL}",
        f"**Summary of the article:**\n\n{FAITHFUL}",
        f"<think>Let me list the facts.</think>\n{FAITHFUL}",
        f"“{FAITHFUL}”",
        "- Dock workers in Portmere ended their 11-day strike\n- about 1,200 returned",
    ],
)
def test_clean_reply_strips_wrapping(reply: str) -> None:
    cleaned = clean_reply(reply)
    assert not cleaned.lower().startswith(("summary", "<think", "-", "“", "*"))
    assert "\n" not in cleaned and cleaned.startswith("Dock workers")


def test_cjk_replies_are_measured_in_characters() -> None:
    source = "港の労働者はストライキを終えた。" * 3
    reply = "港の労働者はストライキを終えた。" * 6  # 90 CJK characters: within 3 a word
    assert decide(reply, [source], FALLBACK, model="m", words=70).method == "llm:m"
    too_long = decide(reply * 4, [source], FALLBACK, model="m", words=70)
    assert too_long.fallback_reason == "too long: 360 words (limit 210)"


def test_long_articles_are_cut_at_a_paragraph_for_the_prompt() -> None:
    paragraph = "The harbour stayed shut for another day. " * 20
    body = "\n\n".join([paragraph.strip()] * 40)
    _, user = article_prompt("T", body)
    sent = user.split("Article:\n", 1)[1]
    assert len(sent) <= MAX_SOURCE_CHARS and body.startswith(sent)
    assert sent.endswith("another day.")


def test_story_summaries_are_checked_against_every_source() -> None:
    docs = [
        "Dock workers in Portmere walked out on Monday over pay.",
        "The Portmere strike ended after 11 days when the union accepted a 6% raise.",
    ]
    fallback = ["Dock workers in Portmere walked out on Monday over pay."]
    ok = summarise_story(
        docs,
        fallback,
        summariser=FakeSummariser(
            "Dock workers in Portmere walked out on Monday over pay and returned after 11 days "
            "with a 6% raise."
        ),
    )
    assert ok.method == "llm:fake-model"
    bad = summarise_story(
        docs, fallback, summariser=FakeSummariser("The strike in Portmere lasted 12 days.")
    )
    assert bad.method == "extractive" and bad.text == fallback[0]
    assert bad.fallback_reason == "unsupported: 12"


def test_story_prompt_lists_reports_oldest_first() -> None:
    system, user = story_prompt(["first report.", "second report."], title="Strike")
    assert "chronological" in system
    assert user.index("Report 1") < user.index("first report.") < user.index("Report 2")
