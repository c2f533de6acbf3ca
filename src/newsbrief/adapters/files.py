"""Load documents from local files and stdin, with a size cap and content checks."""

from __future__ import annotations

import os
import stat
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from newsbrief.adapters.sniff import decode, detect_kind
from newsbrief.errors import (
    EmptyDocument,
    InputError,
    SourceNotFound,
    TooLarge,
    UnsupportedContent,
)
from newsbrief.records import ContentKind, Fetched

__all__ = ["DOCUMENT_SUFFIXES", "FileLoader", "iter_directory"]

DOCUMENT_SUFFIXES = frozenset({".html", ".htm", ".txt", ".text", ""})
"""Suffixes of the files :func:`iter_directory` picks ("" is a file without one)."""

_CHUNK = 1 << 16


class FileLoader:
    """Loads one file, or stdin for ``-``, as a :class:`~newsbrief.records.Fetched`.

    Reads at most ``max_bytes + 1`` bytes of any input, so an oversized file or stream is
    refused without holding it in memory.
    """

    def __init__(self, max_bytes: int = 10_000_000, stdin: BinaryIO | None = None) -> None:
        self.max_bytes = max_bytes
        self._stdin = stdin

    def load(self, location: str, /) -> Fetched:
        """Read, check and decode the file at ``location`` (``-`` reads stdin)."""
        if location == "-":
            data = self._read_stdin()
            name = None
        else:
            data = self._read_path(location)
            name = location
        return _to_fetched(location, data, name)

    def _read_stdin(self) -> bytes:
        stream = self._stdin if self._stdin is not None else sys.stdin.buffer
        return _read_capped(stream, self.max_bytes, "-")

    def _read_path(self, location: str) -> bytes:
        path = Path(location).expanduser()
        try:
            info = path.stat()
        except FileNotFoundError:
            raise SourceNotFound("no such file", location=location) from None
        except OSError as exc:
            raise InputError(_os_message(exc), location=location) from None
        if stat.S_ISDIR(info.st_mode):
            raise InputError("is a directory", location=location)
        if stat.S_ISREG(info.st_mode) and info.st_size > self.max_bytes:
            raise _too_large(self.max_bytes, location, info.st_size)
        try:
            with path.open("rb") as stream:
                return _read_capped(stream, self.max_bytes, location)
        except OSError as exc:
            raise InputError(_os_message(exc), location=location) from None


def iter_directory(path: str | os.PathLike[str]) -> list[Path]:
    """The document files under a directory, recursively and sorted.

    Picks HTML (``.html``, ``.htm``), text (``.txt``, ``.text``) and extension-less files;
    skips hidden files and directories (a leading dot) and does not follow directory links.
    """
    root = Path(path).expanduser()
    if not root.exists():
        raise SourceNotFound("no such directory", location=str(path))
    if not root.is_dir():
        raise InputError("not a directory", location=str(path))
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for filename in filenames:
            candidate = Path(dirpath, filename)
            if _is_document(candidate):
                found.append(candidate)
    return sorted(found)


def _is_document(path: Path) -> bool:
    return (
        not path.name.startswith(".")
        and path.suffix.lower() in DOCUMENT_SUFFIXES
        and path.is_file()
    )


def _read_capped(stream: BinaryIO, max_bytes: int, location: str) -> bytes:
    """Read up to ``max_bytes``; raise TooLarge as soon as one more byte arrives."""
    buffer = bytearray()
    while len(buffer) <= max_bytes:
        chunk = stream.read(min(_CHUNK, max_bytes + 1 - len(buffer)))
        if not chunk:
            return bytes(buffer)
        buffer += chunk
    raise _too_large(max_bytes, location)


def _to_fetched(location: str, data: bytes, name: str | None) -> Fetched:
    if not data.strip():
        raise EmptyDocument("empty document", location=location)
    _kind(data, "", name, location)  # refuse binary content before decoding it
    text, encoding = decode(data)
    if not text.strip():
        raise EmptyDocument("empty document", location=location)
    kind = _kind(data, text, name, location)
    return Fetched(
        location=location,
        text=text,
        kind=kind,
        url=None,
        encoding=encoding,
        fetched_at=datetime.now(UTC),
    )


def _kind(data: bytes, text: str, name: str | None, location: str) -> ContentKind:
    try:
        return detect_kind(data, text, name=name)
    except UnsupportedContent as exc:
        raise UnsupportedContent(exc.args[0], location=location) from None


def _too_large(max_bytes: int, location: str, size: int | None = None) -> TooLarge:
    what = f"{size:,} bytes" if size is not None else "the input"
    return TooLarge(f"too large: {what} exceeds the {max_bytes:,}-byte limit", location=location)


def _os_message(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()
