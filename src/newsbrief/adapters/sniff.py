"""Content sniffing shared by the file and HTTP loaders: decode bytes, tell HTML from text,
and refuse binary content.

Decoding order (:func:`decode`)::

    byte-order mark
      -> declared charset (Content-Type header), else the document's own <meta charset>
      -> strict UTF-8 (or "mostly UTF-8" with a few broken bytes)
      -> Western text in windows-1252 (a superset of Latin-1 for real text)
      -> charset-normalizer's guess (Cyrillic, Greek, CJK, ...)
      -> windows-1252, which decodes any byte
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from newsbrief.errors import UnsupportedContent
from newsbrief.records import ContentKind

__all__ = ["decode", "detect_kind", "normalize_charset", "sniff_binary"]

_SAMPLE = 8192
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"\x1f\x8b", "gzip data"),
    (b"PK\x03\x04", "zip archive"),
    (b"PK\x05\x06", "zip archive"),
    (b"BZh", "bzip2 data"),
    (b"\xfd7zXZ\x00", "xz data"),
    (b"7z\xbc\xaf\x27\x1c", "7-zip archive"),
    (b"\x28\xb5\x2f\xfd", "zstd data"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Microsoft Office document"),
    (b"\x7fELF", "ELF executable"),
    (b"MZ", "Windows executable"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"OggS", "Ogg media"),
    (b"fLaC", "FLAC audio"),
    (b"ID3", "MP3 audio"),
    (b"\x00asm", "WebAssembly module"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"BM", "BMP image"),
    (b"\x00\x00\x01\x00", "icon image"),
    (b"wOFF", "web font"),
    (b"wOF2", "web font"),
)
# C0 controls other than \t \n \v \f \r and ESC, plus DEL.
_CONTROL_BYTES = frozenset([*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F])
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._\-]+)""")
_HTML_START = re.compile(
    r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)[\s>/]",
    re.IGNORECASE | re.DOTALL,
)
_HTML_TAG = re.compile(
    r"<(?:p|div|span|a|br|article|section|main|header|footer|nav|title|meta|link|script|"
    r"h[1-6]|ul|ol|li|table|img|figure|blockquote|em|strong)[\s>/]",
    re.IGNORECASE,
)
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
_TEXT_SUFFIXES = (".txt", ".text", ".md")
# Labels that browsers decode as windows-1252 (WHATWG Encoding Standard).
_AS_CP1252 = frozenset({"latin-1", "iso8859-1", "ascii", "cp1252"})
_SINGLE_BYTE_PREFIXES = ("cp", "iso8859", "latin", "koi8", "mac", "windows", "ascii")


def _latin1_fallback(err: UnicodeError) -> tuple[str, int]:
    """Decode bytes that windows-1252 leaves undefined as their Latin-1 (C1) code points."""
    assert isinstance(err, UnicodeDecodeError)
    return err.object[err.start : err.end].decode("latin-1"), err.end


codecs.register_error("newsbrief-latin1", _latin1_fallback)


def normalize_charset(label: str | None) -> str | None:
    """Python's canonical codec name for a charset label, or None when unknown."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return "cp1252" if name in _AS_CP1252 else name


def sniff_binary(data: bytes) -> str | None:
    """What binary content ``data`` looks like ("PNG image", ..., "binary data"), else None."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return what
    if data[:4] == b"RIFF" and data[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return {b"WEBP": "WebP image", b"WAVE": "WAV audio", b"AVI ": "AVI video"}[data[8:12]]
    if data[4:8] == b"ftyp":
        return "MP4 media"
    if any(data.startswith(bom) for bom, name in _BOMS if name.startswith("utf-16")):
        return None  # UTF-16/32 text is full of NULs; judged on the decoded text instead
    sample = data[:_SAMPLE]
    if sample and _too_many_controls(sample.count(0), _count_controls(sample), len(sample)):
        return "binary data"
    return None


def _count_controls(sample: bytes) -> int:
    return sum(1 for b in sample if b in _CONTROL_BYTES)


def _too_many_controls(nuls: int, controls: int, size: int) -> bool:
    return nuls > max(2, size // 100) or controls > max(4, size // 20)


def _refuse_binary(data: bytes, text: str) -> None:
    what = sniff_binary(data)
    if what is None:
        sample = text[:_SAMPLE]
        controls = len(_CONTROL_RE.findall(sample))
        if sample and _too_many_controls(sample.count("\x00"), controls, len(sample)):
            what = "binary data"
    if what is not None:
        raise UnsupportedContent(f"looks like {what}, not HTML or text")


def detect_kind(
    data: bytes, text: str, *, name: str | None = None, content_type: str | None = None
) -> ContentKind:
    """ "html" or "text" for a decoded document; raises UnsupportedContent for binary content.

    A declared HTML type (Content-Type or file suffix) wins; a declared plain-text type is
    HTML only when the text starts like an HTML document; otherwise the text is sniffed.
    """
    _refuse_binary(data, text)
    media = (content_type or "").split(";")[0].strip().lower()
    suffix = (name or "").lower()
    if media in _HTML_TYPES or suffix.endswith(_HTML_SUFFIXES):
        return "html"
    head = text[:_SAMPLE]
    if _HTML_START.match(head):
        return "html"
    if media == "text/plain" or suffix.endswith(_TEXT_SUFFIXES):
        return "text"
    return "html" if len(_HTML_TAG.findall(head)) >= 3 else "text"


def decode(data: bytes, *, declared: str | None = None) -> tuple[str, str]:
    """Decode a document's bytes: returns (text, encoding name).

    ``declared`` is the charset from a Content-Type header, if any. Never raises on
    undecodable bytes: the last resort is windows-1252, which maps every byte.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(name, errors="replace"), name
    charset = normalize_charset(declared) or _meta_charset(data)
    if charset is not None:
        found = _try_declared(data, charset)
        if found is not None:
            return found
    if _is_utf8(data) or _mostly_utf8(data):
        return data.decode("utf-8", errors="replace"), "utf-8"
    if _looks_western(data):
        return _decode_cp1252(data)
    return _guess(data)


def _meta_charset(data: bytes) -> str | None:
    head = data[:4096]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    charset = normalize_charset(match.group(1).decode("ascii")) if match else None
    # A <meta> cannot truthfully declare UTF-16/32: the tag itself would not be ASCII.
    return "utf-8" if charset and charset.startswith(("utf-16", "utf-32")) else charset


def _try_declared(data: bytes, charset: str) -> tuple[str, str] | None:
    """Decode with the declared charset, unless the bytes plainly disagree."""
    if charset == "utf-8":
        return (data.decode("utf-8", errors="replace"), "utf-8") if _mostly_utf8(data) else None
    if charset.startswith(("utf-16", "utf-32")) and b"\x00" not in data[:1024]:
        return None  # no BOM and no NULs: not UTF-16/32 whatever the header says
    single_byte = charset.startswith(_SINGLE_BYTE_PREFIXES)
    if single_byte and not data.isascii() and _is_utf8(data):
        return None  # legacy label on valid multi-byte UTF-8: the label is stale
    if charset == "cp1252":
        return _decode_cp1252(data)
    try:
        return data.decode(charset), charset
    except (UnicodeDecodeError, LookupError):
        return None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _mostly_utf8(data: bytes) -> bool:
    """Valid UTF-8 but for a few broken bytes (a truncated or patched document)."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    good = sum(1 for ch in text if ord(ch) > 0x7F and ch != "\ufffd")
    return bad == 0 or good >= 10 * bad


def _decode_cp1252(data: bytes) -> tuple[str, str]:
    text = data.decode("cp1252", errors="newsbrief-latin1")
    has_c1 = any(0x80 <= b <= 0x9F for b in data)
    return text, ("cp1252" if has_c1 else "iso8859-1")


def _looks_western(data: bytes) -> bool:
    """True when windows-1252 gives text in a Western European language.

    In such text accented letters are a minority among letters; the same bytes from a
    Cyrillic or Greek code page decode to words made entirely of accented letters.
    """
    text = data[: _SAMPLE * 4].decode("cp1252", errors="newsbrief-latin1")
    letters = [ch for ch in text if ch.isalpha()]
    if not letters or any("\x80" <= ch <= "\x9f" for ch in text):
        return False
    accented = sum(1 for ch in letters if ord(ch) > 0x7F)
    return accented <= 0.3 * len(letters)


def _guess(data: bytes) -> tuple[str, str]:
    matches = from_bytes(data[: _SAMPLE * 8])
    best = matches.best()
    if best is None:
        return _decode_cp1252(data)
    encoding = best.encoding
    if encoding.startswith("mac_"):  # Windows code pages are far more common on the web
        windows = [m.encoding for m in matches if m.encoding.startswith("cp125")]
        encoding = windows[0] if windows else encoding
    name = normalize_charset(encoding) or encoding
    if name == "cp1252":
        return _decode_cp1252(data)
    return data.decode(name, errors="replace"), name
