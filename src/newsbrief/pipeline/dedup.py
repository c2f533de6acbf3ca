"""Near-duplicate detection: wire copies and reposts of one text with small edits.

A text becomes the set of its word 3-grams (lower-cased letters and digits, so case,
punctuation and spacing do not matter); a MinHash signature of that set estimates the
Jaccard overlap of two texts, and locality-sensitive hashing (datasketch's MinHashLSH)
finds the earlier texts whose estimated overlap reaches the threshold, without comparing
against every stored text. Signatures use a fixed seed, so they are stable across runs
and can be stored (:func:`fingerprint`, :func:`pack`) and loaded back into a fresh index
(:meth:`NearDuplicateIndex.add_fingerprint`).
"""

from __future__ import annotations

import re
import struct
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # datasketch is imported lazily: it pulls in scipy (~0.5 s)
    from datasketch import LeanMinHash

SEED = 1
"""Seed of the MinHash permutations: changing either constant invalidates stored fingerprints."""
SCHEME = "affine32"
"""datasketch's hashing scheme, pinned so that a new default cannot change fingerprints."""
SHINGLE_WORDS = 3
_WORD_RE = re.compile(r"[^\W_]+")

Fingerprint = tuple[int, ...]
"""MinHash signature: ``num_perm`` unsigned 32-bit integers; empty for a text without words."""


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """Word n-grams of the lower-cased text (the whole text when it is shorter)."""
    words = _WORD_RE.findall(text.lower())
    if len(words) <= size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def fingerprint(text: str, num_perm: int = 128) -> Fingerprint:
    """MinHash signature of ``text`` (deterministic; empty when the text has no words)."""
    from datasketch import MinHash

    grams = shingles(text)
    if not grams:
        return ()
    sketch = MinHash(num_perm=num_perm, seed=SEED, scheme=SCHEME)
    sketch.update_batch([g.encode("utf-8") for g in grams])
    return tuple(int(v) for v in sketch.hashvalues)


def similarity(a: Fingerprint, b: Fingerprint) -> float:
    """Estimated Jaccard overlap of the two texts behind two fingerprints."""
    if not a or len(a) != len(b):
        return 0.0
    return sum(1 for x, y in zip(a, b, strict=True) if x == y) / len(a)


def pack(fp: Fingerprint) -> bytes:
    """Fingerprint as bytes for storage (little-endian unsigned 32-bit integers)."""
    return struct.pack(f"<{len(fp)}I", *fp)


def unpack(data: bytes) -> Fingerprint:
    """Inverse of :func:`pack`."""
    return struct.unpack(f"<{len(data) // 4}I", data)


class NearDuplicateIndex:
    """Remembers texts and tells which earlier text a new one copies.

    ``add`` returns the id of the earliest stored text whose estimated Jaccard overlap
    of word 3-grams is at least ``threshold``, or None; the new text is stored either way
    (so a copy of a copy still points at something it copies).
    """

    def __init__(self, threshold: float = 0.8, num_perm: int = 128) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        from datasketch import MinHashLSH

        # Bands tuned below the threshold so that pairs just above it are not missed;
        # candidates are then checked against the threshold itself.
        self._lsh = MinHashLSH(threshold=max(0.1, threshold - 0.2), num_perm=num_perm)
        self._order: dict[str, int] = {}
        self._prints: dict[str, Fingerprint] = {}

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._order

    def add(self, doc_id: str, text: str) -> str | None:
        """Store a text; return the id of the earlier text it copies, or None."""
        return self.add_fingerprint(doc_id, fingerprint(text, self.num_perm))

    def add_fingerprint(self, doc_id: str, fp: Sequence[int]) -> str | None:
        """Like :meth:`add`, from a stored :func:`fingerprint` (rebuilds an index)."""
        sig = tuple(int(v) for v in fp)
        if sig and len(sig) != self.num_perm:
            raise ValueError(f"fingerprint has {len(sig)} values, index uses {self.num_perm}")
        original = self.find(sig, exclude=doc_id)
        if doc_id in self._order or not sig:
            return original
        self._lsh.insert(doc_id, self._sketch(sig))
        self._order[doc_id] = len(self._order)
        self._prints[doc_id] = sig
        return original

    def find(self, fp: Sequence[int], *, exclude: str | None = None) -> str | None:
        """The earliest stored text that ``fp`` copies (other than ``exclude``); stores nothing."""
        sig = tuple(int(v) for v in fp)
        if len(sig) != self.num_perm or not self._order:
            return None
        hits = [
            key
            for key in self._lsh.query(self._sketch(sig))
            if key != exclude and similarity(sig, self._prints[key]) >= self.threshold
        ]
        return min(hits, key=self._order.__getitem__) if hits else None

    @staticmethod
    def _sketch(sig: Fingerprint) -> LeanMinHash:
        from datasketch import LeanMinHash

        return LeanMinHash(seed=SEED, hashvalues=sig, scheme=SCHEME)
