"""Abstractive summaries from an LLM, used only when every checkable fact is in the sources.

::

    prompt    = article_prompt(title, body)  |  story_prompt(docs)     (PROMPT_VERSION)
    reply     = summariser.summarise(prompt)          (a port; SummaryError on any failure)
    candidate = clean_reply(reply)                    (no preamble, thinking, bullets, quotes)
    check     = check_summary(candidate, sources)     (numbers, names, quoted strings)
    decision  = llm:<model> when the reply is usable and the check passes,
                else the extractive summary, with the reason recorded

Quotes never come from the LLM: a brief's quotes are picked verbatim from the body whatever
the summary is. The decision is a pure function of the reply (:func:`decide`), so it is
tested without a model.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from newsbrief.errors import NewsbriefError
from newsbrief.pipeline.faithfulness import check_summary
from newsbrief.pipeline.text import cjk_ratio, count_words
from newsbrief.ports import Summariser

__all__ = [
    "PROMPT_VERSION",
    "SummaryDecision",
    "article_prompt",
    "clean_reply",
    "decide",
    "story_prompt",
    "summarise_article",
    "summarise_story",
]

log = logging.getLogger(__name__)

PROMPT_VERSION = "nb-summary-1"
"""Changes whenever the prompts below change; stored with every brief that asked an LLM."""
ARTICLE_WORDS = 70
STORY_WORDS = 100
MAX_SOURCE_CHARS = 12_000
"""Source text sent to the model (cut at a paragraph); small local models have 8k contexts."""
MAX_TOKENS = 400
TOO_LONG = 1.6
"""A reply longer than this times the word budget is refused (the model ignored the task)."""
CJK_CHARS_PER_WORD = 3
"""Chinese, Japanese and Korean text counts characters: this many stand for one word."""

_SYSTEM = (
    "You summarise news faithfully for a briefing. Write one paragraph of at most {words} "
    "words in the same language as the {what}. Use only facts stated in the {what}; add no "
    "background, opinion or speculation. Copy every name, number, amount and date exactly as "
    "the {what} writes it, and never write a number, name or date that is not in it. Do not "
    "quote anyone and use no quotation marks. Reply with the summary only: no title, preamble, "
    "list or notes."
)
_THINKING = re.compile(r"<(think|thinking|reasoning)>.*?</\1>", re.DOTALL | re.IGNORECASE)
_PREAMBLE = re.compile(
    r"^\s*(?:#+\s*)?(?:\*\*)?(?:here is |here's )?(?:a |the )?(?:brief |short |concise )?"
    r"(?:summary|résumé|resumen|zusammenfassung)(?: of the (?:article|story|articles))?"
    r"(?:\*\*)?\s*[:：]\s*",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+", re.MULTILINE)


@dataclass(frozen=True)
class SummaryDecision:
    """Which summary a brief gets, and the provenance stored with it."""

    text: str
    method: str
    """``"llm:<model>"`` when the LLM summary is used, else ``"extractive"``."""
    model: str | None = None
    """The model asked (also when its summary was refused); None when none was asked."""
    prompt_version: str | None = None
    fallback_reason: str | None = None
    """Why the LLM summary was not used; None when it was, or when no LLM was asked."""


def article_prompt(
    title: str | None, body: str, *, language: str | None = None, words: int = ARTICLE_WORDS
) -> tuple[str, str]:
    """The (system, user) messages asking for a summary of one article."""
    system = _SYSTEM.format(words=words, what="article")
    head = f"Title: {title}\n" if title else ""
    lang = f"Language: {language}\n" if language else ""
    return system, f"{head}{lang}\nArticle:\n{_cut(body, MAX_SOURCE_CHARS)}"


def story_prompt(
    docs: Sequence[str], *, title: str | None = None, words: int = STORY_WORDS
) -> tuple[str, str]:
    """The (system, user) messages asking for one summary of several reports, oldest first."""
    system = _SYSTEM.format(words=words, what="reports") + (
        " The reports are in chronological order: say what happened in that order, and what "
        "the later reports add."
    )
    share = max(1000, MAX_SOURCE_CHARS // max(1, len(docs)))
    parts = [f"Report {i} (oldest first):\n{_cut(d, share)}" for i, d in enumerate(docs, 1)]
    head = f"Story: {title}\n\n" if title else ""
    return system, head + "\n\n".join(parts)


def _cut(text: str, limit: int) -> str:
    """``text`` up to ``limit`` characters, cut after a paragraph when one ends in time."""
    if len(text) <= limit:
        return text
    cut = text.rfind("\n\n", 0, limit)
    return text[: cut if cut > limit // 2 else limit]


def clean_reply(reply: str) -> str:
    """The summary in a model's reply: thinking, a "Summary:" label, bullets, wrapping quotes
    and line breaks removed."""
    text = _THINKING.sub(" ", reply)
    text = _PREAMBLE.sub("", text.strip())
    text = _BULLET.sub("", text)
    text = " ".join(text.replace("**", "").split())
    if len(text) > 1 and text[0] + text[-1] in ('""', "“”", "«»", "''"):
        text = text[1:-1].strip()
    return text


def decide(
    reply: str,
    sources: Sequence[str],
    fallback: Sequence[str],
    *,
    model: str,
    words: int,
    language: str | None = None,
) -> SummaryDecision:
    """The LLM ``reply`` if it is a usable, fully supported summary, else ``fallback``."""
    candidate = clean_reply(reply)
    n = count_words(candidate)
    limit = words * (CJK_CHARS_PER_WORD if cjk_ratio(candidate) > 0.5 else 1)
    if not candidate:
        return _fallback(fallback, model, "empty reply")
    if n > limit * TOO_LONG:
        return _fallback(fallback, model, f"too long: {n} words (limit {limit})")
    check = check_summary(candidate, sources, language=language)
    if not check.ok:
        log.info("LLM summary refused (%s): %s", check.reason(), candidate)
        return _fallback(fallback, model, check.reason())
    return SummaryDecision(candidate, f"llm:{model}", model, PROMPT_VERSION)


def _fallback(fallback: Sequence[str], model: str | None, reason: str) -> SummaryDecision:
    return SummaryDecision(" ".join(fallback), "extractive", model, PROMPT_VERSION, reason)


def summarise_article(
    title: str | None,
    body: str,
    fallback: Sequence[str],
    *,
    summariser: Summariser,
    language: str | None = None,
) -> SummaryDecision:
    """Ask ``summariser`` for a summary of one article; ``fallback`` (the extractive
    sentences) is used when it fails or its summary states anything the article does not."""
    system, user = article_prompt(title, body, language=language)
    sources = [t for t in (title, body) if t]
    return _ask(summariser, system, user, sources, fallback, ARTICLE_WORDS, language)


def summarise_story(
    docs: Sequence[str],
    fallback: Sequence[str],
    *,
    summariser: Summariser,
    title: str | None = None,
    language: str | None = None,
) -> SummaryDecision:
    """One summary of a story's ``docs`` (oldest first), checked against all of them."""
    system, user = story_prompt(docs, title=title)
    sources = [*docs, title] if title else list(docs)
    return _ask(summariser, system, user, sources, fallback, STORY_WORDS, language)


def _ask(
    summariser: Summariser,
    system: str,
    user: str,
    sources: Sequence[str],
    fallback: Sequence[str],
    words: int,
    language: str | None,
) -> SummaryDecision:
    model: str | None = None
    try:
        model = summariser.model
        reply = summariser.summarise(system, user, max_tokens=MAX_TOKENS)
    except NewsbriefError as e:
        log.warning("LLM summary failed, using the extractive one: %s", e)
        return _fallback(fallback, model, f"llm error: {e}")
    return decide(reply, sources, fallback, model=model, words=words, language=language)
