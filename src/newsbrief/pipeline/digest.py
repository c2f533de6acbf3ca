"""The digest: the top stories of a period, ranked by how widely and how recently covered.

Only what happened in the period counts. A story qualifies when at least one of its articles
is dated within ``[now - since, now]``; an article's date is its publication date, else when it
was ingested (``StoryArticle.dated_at``, set by :func:`newsbrief.pipeline.story.build_story`
from ``StoredArticle.dated_at``). Its score is::

    coverage = outlets with an original article in the period
               + 0.5 x outlets that only ran copies (wire copies) in the period
    score    = coverage x 2 ** (-(now - latest article in the period) / since)

so breadth of coverage dominates and a story last updated at the start of the period weighs
half as much as one updated now, whatever the period's length. Ties go to the broader
coverage, then the later update, then more articles, then the story id: the order never
depends on the input order, and nothing here reads the clock.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from newsbrief.errors import InputError
from newsbrief.records import Story, StoryArticle

COPY_WEIGHT = 0.5
"""What an outlet that only ran copies of others' articles adds to a story's coverage."""

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_PART = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")
_WHOLE = re.compile(r"(?:\d+(?:\.\d+)?[smhdw])+")
_HINT = "use a number and a unit (s, m, h, d, w), e.g. 90m, 24h, 7d, 2w"


@dataclass(frozen=True)
class StoryScore:
    """Why a story ranks where it does in a digest."""

    score: float
    coverage: float
    """Outlets covering it in the period (copy-only outlets count half)."""
    latest: datetime
    """Its latest article in the period."""
    articles: int
    """Its articles in the period, copies included."""


def parse_duration(text: str) -> timedelta:
    """``"90m"``, ``"24h"``, ``"7d"``, ``"2w"`` (or ``"1h30m"``) as a positive timedelta.

    Raises :class:`~newsbrief.errors.InputError` with a one-line message on anything else.
    """
    compact = "".join(text.split()).lower()
    if not _WHOLE.fullmatch(compact):
        raise InputError(f"invalid duration {text.strip()!r}: {_HINT}")
    try:
        total = sum(
            (timedelta(**{_UNITS[unit]: float(n)}) for n, unit in _PART.findall(compact)),
            timedelta(),
        )
    except OverflowError:
        raise InputError(f"duration {text.strip()!r} is too long") from None
    if total <= timedelta(0):
        raise InputError(f"duration {text.strip()!r} must be longer than zero")
    return total


def score_story(story: Story, *, now: datetime, since: timedelta) -> StoryScore | None:
    """The story's score for the period ending at ``now``; None when it has nothing in it."""
    start = _aware(now) - since
    dated = [(a, _date(a, story)) for a in story.articles]
    recent = [(a, d) for a, d in dated if start <= d <= _aware(now)]
    if not recent:
        return None
    original = {_outlet(a) for a, _ in recent if not a.duplicate_of}
    copies_only = {_outlet(a) for a, _ in recent} - original
    coverage = len(original) + COPY_WEIGHT * len(copies_only)
    latest = max(d for _, d in recent)
    age = (_aware(now) - latest) / since
    return StoryScore(coverage * 2.0 ** (-age), coverage, latest, len(recent))


def rank_stories(
    stories: Sequence[Story], *, now: datetime, since: timedelta, limit: int | None = None
) -> list[Story]:
    """The stories with an article in the period ending at ``now``, best first.

    Ranked by :func:`score_story` (see the module docstring); at most ``limit`` when given.
    """
    if since <= timedelta(0):
        raise InputError("the digest period must be longer than zero")
    scored = [(s, score_story(s, now=now, since=since)) for s in stories]
    kept = [(s, sc) for s, sc in scored if sc is not None]
    kept.sort(
        key=lambda p: (
            -p[1].score,
            -p[1].coverage,
            -p[1].latest.timestamp(),
            -p[1].articles,
            p[0].id,
        )
    )
    ranked = [s for s, _ in kept]
    return ranked if limit is None else ranked[: max(0, limit)]


def _outlet(a: StoryArticle) -> str:
    return (a.domain or a.source or "").lower()


def _date(a: StoryArticle, story: Story) -> datetime:
    """The article's time: ``dated_at``, else its parsable publication date, else the story's."""
    if a.dated_at is not None:
        return _aware(a.dated_at)
    if a.published:
        try:
            return _aware(datetime.fromisoformat(a.published))
        except ValueError:
            pass
    return _aware(story.last_updated)


def _aware(d: datetime) -> datetime:
    """Naive datetimes are taken as UTC."""
    return d.replace(tzinfo=UTC) if d.tzinfo is None else d
