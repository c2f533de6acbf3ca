"""The brief stage: a clean :class:`~newsbrief.records.Article` -> its ``Brief``.

::

    language  = article.language, else detector(body)
    summary   = summary_for_brief(body)                  (verbatim sentences, <= 4)
              -> llm_summary.summarise_article(...)      (with a summariser: used if faithful)
    quotes    = select_quotes(body, exclude=summary, forbid=aggregator card)
    entities  = recognizer(title + body)
    read time = read_time(body)                          (>= 1 for any non-empty body)
    genre     = opinion when the URL, the title or the prose says so, else news
    statements = extract_statements(body, people, organizations, parser=parser)
    relations  = extract_relations(body, people=entities.people)
"""

from __future__ import annotations

import re
from dataclasses import replace

from newsbrief.pipeline.quotes import select_quotes
from newsbrief.pipeline.readtime import read_time
from newsbrief.pipeline.relations import extract_relations
from newsbrief.pipeline.statements import extract_statements
from newsbrief.pipeline.text import count_words, split_sentences
from newsbrief.ports import DependencyParser, EntityRecognizer, LanguageDetector, Summariser
from newsbrief.records import Article, Brief, Genre

_OPINION_URL = re.compile(
    r"/(?:opinions?|commentary|comment-?is-?free|op-?eds?|editorials?|columns?|columnists?|"
    r"analysis|perspectives?|viewpoints?|ideas)(?:/|$|\.)",
    re.IGNORECASE,
)
_OPINION_TITLE = re.compile(
    r"^\s*(?:opinion|analysis|editorial|commentary|op-ed|column|viewpoint|perspective)\s*[:|–—-]",
    re.IGNORECASE,
)
_VERDICT = re.compile(
    r"\b(?:the (?:conclusion|answer|lesson|truth|reality) is (?:clear|obvious|simple)|"
    r"it is (?:clear|obvious|evident) that|make no mistake|in my (?:view|opinion)|"
    r"i (?:believe|think|would argue)|we (?:must|should|need to|cannot afford)|"
    r"(?:one|a|the) (?:final |last |key )?question (?:remains|arises))\b",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[\"“«][^\"”»]*[\"”»]")
_FIRST_PERSON = re.compile(r"\b(?:I|my|me|we|our|us)\b")
_MODAL = re.compile(r"\b(?:should|must|ought to)\b", re.IGNORECASE)


def make_brief(
    article: Article,
    *,
    recognizer: EntityRecognizer,
    detector: LanguageDetector | None = None,
    summary_method: str = "extractive",
    parser: DependencyParser | None = None,
    summariser: Summariser | None = None,
) -> Brief:
    """The brief of ``article``: summary, quotes, entities, read time, genre, statements
    and relations (``parser``, optional, refines statement detection; ``summariser``,
    optional, is an LLM whose summary replaces the extractive one when it passes the
    faithfulness check; quotes stay verbatim from the body either way)."""
    body = article.text
    language = article.language
    if language is None and detector is not None and body.strip():
        language = detector.detect(body)
    summary = _summary(body, language) if body.strip() else []
    entities = recognizer.entities("\n\n".join(t for t in (article.title, body) if t))
    card = article.card
    quotes = select_quotes(
        body, exclude=summary, forbid=[t for t in (card.summary, card.label) if t] if card else []
    )
    brief = Brief(
        id=article.id,
        url=article.url,
        title=article.title,
        source=article.source,
        published=article.published,
        authors=article.authors,
        language=language,
        word_count=article.word_count,
        read_time_minutes=read_time(body, language=language),
        read_time_basis="excerpt" if article.is_excerpt or article.paywalled else "full",
        quotes=tuple(quotes),
        summary=" ".join(summary),
        summary_method=summary_method,
        entities=entities,
        image=article.image,
        images=article.images,
        paywalled=article.paywalled,
        genre=detect_genre(article),
        statements=extract_statements(
            body, people=entities.people, organizations=entities.organizations, parser=parser
        ),
        relations=extract_relations(body, people=entities.people),
        card=card,
    )
    if summariser is None or not summary:
        return brief
    return _llm_brief(brief, body, summary, summariser)


def _llm_brief(brief: Brief, body: str, summary: list[str], summariser: Summariser) -> Brief:
    """``brief`` with the summariser's summary when it is faithful to the article, else
    with its extractive one; either way the model, prompt version and reason are kept."""
    from newsbrief.pipeline.llm_summary import summarise_article

    chosen = summarise_article(
        brief.title, body, summary, summariser=summariser, language=brief.language
    )
    return replace(
        brief,
        summary=chosen.text,
        summary_method=chosen.method,
        summary_model=chosen.model,
        prompt_version=chosen.prompt_version,
        summary_fallback_reason=chosen.fallback_reason,
    )


def _summary(text: str, language: str | None) -> list[str]:
    try:
        from newsbrief.pipeline.summarize import summary_for_brief
    except ImportError:  # an older summarizer without the brief-sized variant
        from newsbrief.pipeline.summarize import summarize

        return list(summarize(text, 3, language=language))
    return list(summary_for_brief(text, max_sentences=4, max_words=90, language=language))


def detect_genre(article: Article) -> Genre:
    """``"opinion"`` when the URL or title marks it so, or the prose argues; else ``"news"``.

    The prose test is conservative: it needs at least 250 words and several kinds of
    evidence outside quotation marks (rhetorical questions, verdicts such as "the
    conclusion is clear", first-person argument, "should"/"must").
    """
    return explain_genre(article)[0]


def explain_genre(article: Article) -> tuple[Genre, tuple[str, ...]]:
    """The genre (as :func:`detect_genre`) and the evidence for it, in words.

    Each piece of evidence names its kind and quotes what was found verbatim, e.g.
    ``'url: /opinion/'``, ``'title: Analysis:'`` or ``'verdict: the conclusion is clear'``.
    """
    url = _OPINION_URL.search(article.url.split("?")[0]) if article.url else None
    if url:
        return "opinion", (f"url: {url.group()}",)
    title = _OPINION_TITLE.match(article.title) if article.title else None
    if title:
        return "opinion", (f"title: {title.group().strip()}",)
    prose = _QUOTED.sub(" ", article.text)
    words = count_words(prose)
    if words < 250:
        return "news", (f"too short to argue: {words} words outside quotes",)
    evidence = tuple(f"verdict: {m.group()}" for m in _VERDICT.finditer(prose))
    points = _argument_points(prose, words)
    evidence += (f"argument points: {points} (3 or more is opinion)",)
    return ("opinion" if points >= 3 else "news"), evidence


def _argument_points(prose: str, words: int) -> int:
    """Evidence that the text argues rather than reports (each kind capped)."""
    questions = sum(1 for s in split_sentences(prose) if s.rstrip("\"'”’)").endswith("?"))
    verdicts = len(_VERDICT.findall(prose))
    per_thousand = 1000 / words
    first_person = len(_FIRST_PERSON.findall(prose)) * per_thousand
    modal = len(_MODAL.findall(prose)) * per_thousand
    return (
        min(2, questions // 2)
        + min(2, verdicts)
        + (1 if first_person >= 8 else 0)
        + (1 if modal >= 4 else 0)
    )
