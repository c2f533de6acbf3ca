"""Newsbrief: faithful news briefs, and stories followed across outlets and time.

The public API is what ``__all__`` lists; everything in a module or package
whose name starts with an underscore, and everything under
``newsbrief.adapters``, is internal and may change.

    >>> import newsbrief
    >>> engine = newsbrief.make_engine()
    >>> brief = engine.brief("article.html")       # doctest: +SKIP
    >>> brief.quotes, brief.read_time_minutes      # doctest: +SKIP
"""

from __future__ import annotations

import logging

from newsbrief.config import Settings
from newsbrief.engine import Engine, Result, make_engine
from newsbrief.errors import (
    BlockedAddress,
    EmptyDocument,
    FetchError,
    InputError,
    NewsbriefError,
    NoArticle,
    SourceNotFound,
    StorageError,
    TooLarge,
    UnsupportedContent,
)
from newsbrief.records import (
    AggregatorCard,
    Article,
    Brief,
    Entities,
    Extracted,
    Fetched,
    ImageInfo,
    Outlet,
    Relation,
    Statement,
)

__version__ = "0.1.0"

__all__ = [
    "AggregatorCard",
    "Article",
    "BlockedAddress",
    "Brief",
    "EmptyDocument",
    "Engine",
    "Entities",
    "Extracted",
    "FetchError",
    "Fetched",
    "ImageInfo",
    "InputError",
    "NewsbriefError",
    "NoArticle",
    "Outlet",
    "Relation",
    "Result",
    "Settings",
    "SourceNotFound",
    "Statement",
    "StorageError",
    "TooLarge",
    "UnsupportedContent",
    "__version__",
    "make_engine",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
