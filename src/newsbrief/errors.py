"""Newsbrief's exceptions. Every error the library raises on purpose is one of these::

    NewsbriefError
     +-- InputError            bad input: the CLI exits 2 when nothing could be done
     |    +-- SourceNotFound      no such file or directory
     |    +-- EmptyDocument       the document is empty or whitespace
     |    +-- UnsupportedContent  not HTML or text (an image, a PDF, ...)
     |    +-- TooLarge            larger than the size cap
     |    +-- NoArticle           HTML/text in which no article was found
     |    +-- NotFound            no stored article, story or entity with that id
     +-- FetchError            the network failed us
     |    +-- BlockedAddress      a private or reserved address, or not http(s)
     +-- StorageError          the store could not be read or written
 +-- SummaryError          the LLM summary backend failed (timeout, HTTP error, bad reply)

``str(error)`` is always one line, fit for the CLI's ``error:`` message.
"""

from __future__ import annotations


class NewsbriefError(Exception):
    """Base of all Newsbrief errors."""

    def __init__(self, message: str, *, location: str | None = None) -> None:
        self.location = location
        super().__init__(message)

    def __str__(self) -> str:
        msg = " ".join(super().__str__().split())
        return f"{self.location}: {msg}" if self.location else msg


class InputError(NewsbriefError):
    """The input cannot be used."""


class SourceNotFound(InputError):
    """No such file or directory."""


class EmptyDocument(InputError):
    """The document is empty."""


class UnsupportedContent(InputError):
    """The document is not HTML or text."""


class TooLarge(InputError):
    """The document is larger than the configured cap."""


class NoArticle(InputError):
    """No article text could be found in the document."""


class FetchError(NewsbriefError):
    """A network fetch failed."""


class BlockedAddress(FetchError):
    """The URL points at an address or scheme that is not allowed."""


class NotFound(InputError):
    """No stored item with that id."""


class StorageError(NewsbriefError):
    """The store could not be read or written."""


class SummaryError(NewsbriefError):
    """The summary backend (an LLM endpoint) failed; the brief falls back to extractive."""
