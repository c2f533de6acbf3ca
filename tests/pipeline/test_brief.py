"""make_brief: an Article -> the SPEC's Brief."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsbrief.pipeline.brief import detect_genre, make_brief
from newsbrief.pipeline.entities import GazetteerRecognizer
from newsbrief.pipeline.text import split_sentences
from newsbrief.records import AggregatorCard, Article, Entities, ImageInfo, Outlet
from tests.conftest import BRIEF_SPEC_KEYS
from tests.pipeline.test_entities import seed_article

PARAGRAPHS = (
    "The city council of Lindmoor approved a new harbour plan on Tuesday after a long debate.",
    "Mayor Ines Calloway said the plan would cost $120 million and create 900 jobs over five "
    "years. The council voted 7 to 2 in favour of the first phase.",
    '"We have waited long enough for a decision on the harbour," said Tomas Brandt, who leads '
    "the Eastbank residents' association.",
    "The Port Authority expects the first ships to dock at the new quay in 2027, according to "
    "a report published in March.",
    "Environmental groups warned that dredging could harm the estuary's fish, and asked the "
    "national government in Oslo to review the permits.",
)
CARD = AggregatorCard(
    label="In short",
    summary="Lindmoor's council backed a costly harbour expansion that residents long demanded.",
)


class FakeDetector:
    def __init__(self, code: str | None) -> None:
        self.code, self.calls = code, 0

    def detect(self, text: str, /) -> str | None:
        self.calls += 1
        return self.code


class FakeRecognizer:
    name = "fake"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def entities(self, text: str, /) -> Entities:
        self.seen.append(text)
        return Entities(people=("Ines Calloway",))


def _article(**changes: object) -> Article:
    base: dict[str, object] = {
        "title": "Lindmoor approves harbour plan",
        "paragraphs": PARAGRAPHS,
        "url": "https://news.example/city/harbour-plan",
        "source": Outlet(name="Example News", domain="news.example"),
        "published": "2025-03-04",
        "authors": ("A. Writer",),
        "image": "https://news.example/harbour.jpg",
        "images": (ImageInfo(url="https://news.example/harbour.jpg", caption="The quay"),),
    }
    base.update(changes)
    return Article(**base)  # type: ignore[arg-type]


def test_brief_fields() -> None:
    article = _article(language="en")
    recognizer = FakeRecognizer()
    brief = make_brief(article, recognizer=recognizer, detector=FakeDetector("de"))
    assert brief.id == article.id and brief.url == article.url and brief.title == article.title
    assert brief.word_count == article.word_count
    assert brief.read_time_minutes == 1 and brief.read_time_basis == "full"
    assert brief.language == "en"  # the article's own language wins over detection
    assert brief.entities.people == ("Ines Calloway",)
    assert recognizer.seen == [f"{article.title}\n\n{article.text}"]
    assert brief.image == article.image and brief.images == article.images
    assert brief.genre == "news" and brief.relations == ()
    assert {s.speaker for s in brief.statements} == {"Ines Calloway", "Tomas Brandt"}
    assert brief.summary_method == "extractive"


def test_summary_is_verbatim_and_quotes_avoid_it() -> None:
    brief = make_brief(_article(), recognizer=FakeRecognizer())
    body = _article().text
    summary_sentences = split_sentences(brief.summary)
    assert 1 <= len(summary_sentences) <= 4
    for sentence in summary_sentences:
        assert sentence in body
    assert 2 <= len(brief.quotes) <= 3
    for quote in brief.quotes:
        assert quote in body
        assert quote not in brief.summary


def test_language_comes_from_the_detector_when_unknown() -> None:
    detector = FakeDetector("en")
    assert make_brief(_article(), recognizer=FakeRecognizer(), detector=detector).language == "en"
    assert detector.calls == 1
    assert make_brief(_article(), recognizer=FakeRecognizer()).language is None


def test_excerpt_and_paywall_make_an_excerpt_read_time() -> None:
    assert make_brief(_article(is_excerpt=True), recognizer=FakeRecognizer()).read_time_basis == (
        "excerpt"
    )
    paywalled = make_brief(_article(paywalled=True), recognizer=FakeRecognizer())
    assert paywalled.read_time_basis == "excerpt" and paywalled.paywalled is True


def test_card_summary_is_kept_apart_and_never_quoted() -> None:
    article = _article(card=CARD, is_excerpt=True)
    brief = make_brief(article, recognizer=FakeRecognizer())
    assert brief.card == CARD
    assert CARD.summary is not None
    for quote in brief.quotes:
        assert quote not in CARD.summary and CARD.summary not in quote
    assert brief.to_dict()["aggregator"] == {"label": CARD.label, "summary": CARD.summary}


def test_card_summary_is_not_quoted_even_if_it_leaked_into_the_body() -> None:
    assert CARD.summary is not None
    article = _article(card=CARD, paragraphs=(CARD.summary, *PARAGRAPHS))
    brief = make_brief(article, recognizer=FakeRecognizer())
    assert all(CARD.summary not in q and q not in CARD.summary for q in brief.quotes)


def test_to_dict_is_the_spec_shape() -> None:
    brief = make_brief(_article(), recognizer=GazetteerRecognizer())
    d = json.loads(json.dumps(brief.to_dict()))
    assert set(d) >= BRIEF_SPEC_KEYS
    assert set(d["entities"]) == {"people", "organizations", "places"}
    assert d["source"]["name"] == "Example News"
    assert "Ines Calloway" in d["entities"]["people"] and "Oslo" in d["entities"]["places"]
    assert d["images"][0]["caption"] == "The quay"
    assert isinstance(d["quotes"], list) and isinstance(d["read_time_minutes"], int)


def test_empty_article() -> None:
    brief = make_brief(_article(paragraphs=()), recognizer=FakeRecognizer())
    assert brief.word_count == 0 and brief.read_time_minutes == 0
    assert brief.quotes == () and brief.summary == ""


OPINION = (
    "Why do we keep pretending the harbour plan is about jobs? Who really believes the "
    "numbers? The answer is simple: it is about prestige. I have covered this council for "
    "twenty years, and I believe we must stop rewarding grand promises. ",
    "What would a sensible plan look like? It should start small. The council must publish "
    "its costs, and it should let residents vote. The conclusion is clear: we cannot afford "
    "another monument. ",
)


def test_genre_opinion_from_url_title_or_argument() -> None:
    assert detect_genre(_article(url="https://news.example/opinion/2025/harbour")) == "opinion"
    assert detect_genre(_article(title="Opinion: The harbour plan is a mistake")) == "opinion"
    argued = _article(paragraphs=tuple(p * 4 for p in OPINION), url=None)
    assert argued.word_count >= 250
    assert detect_genre(argued) == "opinion"


def test_genre_news_stays_news() -> None:
    assert detect_genre(_article()) == "news"
    long_news = _article(paragraphs=PARAGRAPHS * 6)
    assert detect_genre(long_news) == "news"
    one_question = _article(
        paragraphs=(*PARAGRAPHS * 6, '"Is this the end?" asked one resident. Nobody answered.')
    )
    assert detect_genre(one_question) == "news"


def test_seed_000_card() -> None:
    article = seed_article("000")
    brief = make_brief(article, recognizer=GazetteerRecognizer())
    assert brief.read_time_basis == "excerpt" and brief.read_time_minutes >= 1
    assert 2 <= len(brief.quotes) <= 3
    assert article.card is not None and article.card.summary
    for quote in brief.quotes:
        assert quote in article.text and quote not in article.card.summary
    assert {"Russia", "Venezuela"} <= set(brief.entities.places)


def test_seed_004_scraped() -> None:
    article = seed_article("004")
    brief = make_brief(article, recognizer=GazetteerRecognizer())
    assert 4 <= brief.read_time_minutes <= 7 and brief.read_time_basis == "full"
    assert len(brief.quotes) == 3
    assert all(q in article.text for q in brief.quotes)
    assert brief.genre == "opinion"  # rhetorical questions and a stated verdict


_WORDS = st.sampled_from(
    [
        "the",
        "council",
        "harbour",
        "Mayor",
        "Calloway",
        "said",
        "2025",
        "percent",
        "ships",
        "rose",
        "fell",
        "“we”",
        "plan",
        "vote",
        "Lindmoor",
        "Russia",
        "water",
        "?",
        "!",
        ",",
        ".",
        "雨",
        "town",
    ]
)
_PARAGRAPH = st.lists(_WORDS, min_size=1, max_size=40).map(" ".join)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PARAGRAPH, max_size=6))
def test_any_paragraphs_give_a_valid_brief(paragraphs: list[str]) -> None:
    article = _article(paragraphs=tuple(paragraphs))
    brief = make_brief(article, recognizer=_GAZ)
    for quote in brief.quotes:
        assert quote in article.text
    assert len(brief.quotes) <= 3
    if article.word_count > 0:
        assert brief.read_time_minutes >= 1


_GAZ = GazetteerRecognizer()


@pytest.mark.parametrize("method", ["extractive", "llm:test-model"])
def test_summary_method_is_recorded(method: str) -> None:
    brief = make_brief(_article(), recognizer=FakeRecognizer(), summary_method=method)
    assert brief.summary_method == method
