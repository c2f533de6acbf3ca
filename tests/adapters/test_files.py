"""FileLoader, iter_directory and the sniffing they share, on real files in tmp_path."""

from __future__ import annotations

import io
import os
import tracemalloc
from datetime import UTC
from pathlib import Path

import pytest

from newsbrief.adapters.files import FileLoader, iter_directory
from newsbrief.adapters.sniff import decode, detect_kind, sniff_binary
from newsbrief.errors import (
    EmptyDocument,
    InputError,
    SourceNotFound,
    TooLarge,
    UnsupportedContent,
)

FRENCH = "Le café de la place a rouvert après l'été, à côté du marché."
QUOTES = "“The ferry costs €12 now,” she said — it’s twice the old fare."


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return str(path)


def test_loads_html_file(html_dir: Path) -> None:
    path = str(html_dir / "harbour_gazette_ferry.html")
    doc = FileLoader().load(path)
    assert doc.kind == "html"
    assert doc.location == path
    assert doc.url is None
    assert doc.encoding == "utf-8"
    assert "Kestrel Point" in doc.text
    assert doc.fetched_at is not None and doc.fetched_at.tzinfo is UTC


def test_missing_file() -> None:
    with pytest.raises(SourceNotFound, match="no such file") as info:
        FileLoader().load("/nonexistent/dir/story.html")
    assert str(info.value) == "/nonexistent/dir/story.html: no such file"


def test_directory_is_not_a_document(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory") as info:
        FileLoader().load(str(tmp_path))
    assert not isinstance(info.value, SourceNotFound)


@pytest.mark.parametrize("content", [b"", b"  \n\t\r\n  ", "\ufeff  \n".encode()])
def test_empty_documents(tmp_path: Path, content: bytes) -> None:
    with pytest.raises(EmptyDocument):
        FileLoader().load(write(tmp_path, "empty.txt", content))


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(200), "PNG image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >>", "PDF document"),
        (b"\x1f\x8b\x08\x00" + bytes(range(256)), "gzip data"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG image"),
        (bytes(range(256)) * 8, "binary data"),
        (b"mostly text " + b"\x00\x01\x02\x03" * 50, "binary data"),
    ],
)
def test_binary_refused(tmp_path: Path, data: bytes, what: str) -> None:
    with pytest.raises(UnsupportedContent, match=what) as info:
        FileLoader().load(write(tmp_path, "story.html", data))
    assert str(info.value).endswith("not HTML or text")


def test_latin1_file(tmp_path: Path) -> None:
    doc = FileLoader().load(write(tmp_path, "story.txt", FRENCH.encode("latin-1")))
    assert doc.text == FRENCH
    assert doc.kind == "text"


def test_cp1252_file(tmp_path: Path) -> None:
    doc = FileLoader().load(write(tmp_path, "story.txt", QUOTES.encode("cp1252")))
    assert doc.text == QUOTES
    assert doc.encoding == "cp1252"


def test_meta_charset_is_honoured(tmp_path: Path) -> None:
    page = f'<html><head><meta charset="iso-8859-1"></head><body><p>{QUOTES}</p></body></html>'
    doc = FileLoader().load(write(tmp_path, "page", page.encode("cp1252")))
    assert doc.kind == "html"
    assert QUOTES in doc.text


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16", "utf-32"])
def test_byte_order_marks(tmp_path: Path, codec: str) -> None:
    doc = FileLoader().load(write(tmp_path, "story.txt", (FRENCH + "\n").encode(codec)))
    assert doc.text.strip() == FRENCH


def test_stdin() -> None:
    page = b"<!DOCTYPE html><html><body><p>From a pipe.</p></body></html>"
    doc = FileLoader(stdin=io.BytesIO(page)).load("-")
    assert doc.location == "-" and doc.kind == "html" and "From a pipe." in doc.text


def test_large_sparse_file_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.html"
    with path.open("wb") as handle:
        handle.write(b"<html><body>")
        handle.truncate(50_000_000)
    tracemalloc.start()
    try:
        with pytest.raises(TooLarge, match="10,000,000-byte limit"):
            FileLoader().load(str(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000


class _Endless(io.RawIOBase):
    """A stream that yields ``size`` bytes of text without holding them."""

    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        n = min(len(buffer), self.left)
        buffer[:n] = b"a" * n
        self.left -= n
        return n


def test_large_stdin_refused_with_bounded_memory() -> None:
    stream = io.BufferedReader(_Endless(50_000_000))
    tracemalloc.start()
    try:
        with pytest.raises(TooLarge):
            FileLoader(max_bytes=2_000_000, stdin=stream).load("-")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000
    assert stream.raw.left > 40_000_000


def test_file_at_the_cap_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "story.txt", b"word " * 200)
    assert FileLoader(max_bytes=1000).load(path).kind == "text"
    with pytest.raises(TooLarge):
        FileLoader(max_bytes=999).load(path)


def test_iter_directory(tmp_path: Path) -> None:
    for name in [
        "b.html", "a.htm", "notes.txt", "wire.text", "README", "sub/deep/c.HTML",
        "photo.png", "data.json", ".hidden.html", ".git/objects/x.html", "sub/.draft.txt",
    ]:  # fmt: skip
        write(tmp_path, name, b"<p>x</p>")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_directory(tmp_path)]
    assert found == ["README", "a.htm", "b.html", "notes.txt", "sub/deep/c.HTML", "wire.text"]


def test_iter_directory_errors(tmp_path: Path) -> None:
    with pytest.raises(SourceNotFound):
        iter_directory(tmp_path / "missing")
    with pytest.raises(InputError, match="not a directory"):
        iter_directory(write(tmp_path, "file.html", b"<p>x</p>"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path, "locked.html", b"<p>x</p>")
    os.chmod(path, 0)
    with pytest.raises(InputError, match="permission denied"):
        FileLoader().load(path)


# --- sniffing ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "ctype", "kind"),
    [
        ("<!doctype html><title>x</title>", None, None, "html"),
        ("  <!-- hi -->\n<html lang=en><body>x</body></html>", None, None, "html"),
        ("Plain words, with a < sign and a > sign.", None, None, "text"),
        ("Plain words in a page.", "story.html", None, "html"),
        ("Plain words.", None, "text/html; charset=utf-8", "html"),
        ("<p>one</p><p>two</p><a href=x>three</a>", None, None, "html"),
        ("<p>one</p><p>two</p><a href=x>three</a>", "notes.txt", None, "text"),
        ("<html><body><p>x</p></body></html>", "notes.txt", "text/plain", "html"),
    ],
)
def test_detect_kind(text: str, name: str | None, ctype: str | None, kind: str) -> None:
    assert detect_kind(text.encode(), text, name=name, content_type=ctype) == kind


def test_decode_order() -> None:
    # The declared charset wins over the document's own, which wins over guessing.
    page = '<meta charset="koi8-r"><p>\u00e9</p>'
    assert decode(page.encode("latin-1"), declared="latin-1")[0] == page
    # A legacy label on valid multi-byte UTF-8 is stale: the bytes win.
    assert decode(QUOTES.encode(), declared="windows-1252") == (QUOTES, "utf-8")
    # A few broken bytes in a UTF-8 document do not turn it into mojibake.
    assert decode((FRENCH * 3).encode() + b"\xe9")[0].startswith(FRENCH)


def test_decode_non_western() -> None:
    russian = "Паром снова будет ходить каждый день, сообщил глава администрации района."
    assert decode(russian.encode("cp1251")) == (russian, "cp1251")


def test_sniff_binary_accepts_text() -> None:
    assert sniff_binary(QUOTES.encode()) is None
    assert sniff_binary("\ufeffx".encode("utf-16")) is None


def test_misdeclared_utf16_header_is_ignored() -> None:
    assert decode(b"<p>plain ascii page</p>", declared="utf-16") == (
        "<p>plain ascii page</p>",
        "utf-8",
    )
