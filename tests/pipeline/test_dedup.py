"""Near-duplicate detection: wire copies with small edits, not same-topic articles."""

from __future__ import annotations

import pytest

from newsbrief.pipeline.dedup import (
    NearDuplicateIndex,
    fingerprint,
    pack,
    shingles,
    similarity,
    unpack,
)

WIRE = (
    "The regional transport authority said on Tuesday that the new tram line between the "
    "harbour and the university will open next spring, two years later than planned, after "
    "construction costs rose by almost a third. The authority blamed higher steel prices and "
    "a dispute with the main contractor over the design of two bridges. Passenger groups said "
    "the delay would hurt students who now rely on crowded buses, and called on the city "
    "council to publish the full budget. The council leader said the line remained the most "
    "important transport project in the city and promised monthly progress reports until "
    "the first trams run. Tickets will cost the same as bus fares for the first year."
)
# A repost: dateline and credit added, one word changed.
REPOST = (
    "HARBOUR CITY (Wire) - The regional transport authority said on Tuesday that the new tram "
    "line between the harbour and the university would open next spring, two years later than "
    "planned, after construction costs rose by almost a third. The authority blamed higher "
    "steel prices and a dispute with the main contractor over the design of two bridges. "
    "Passenger groups said the delay would hurt students who now rely on crowded buses, and "
    "called on the city council to publish the full budget. The council leader said the line "
    "remained the most important transport project in the city and promised monthly progress "
    "reports until the first trams run. Tickets will cost the same as bus fares for the first "
    "year. Reporting by the newsroom."
)
SAME_TOPIC = (
    "Students at the university say the tram delay announced this week leaves them squeezed "
    "onto buses for two more years. The regional transport authority now expects the harbour "
    "line to open next spring, and its chief executive admitted that the bridge design dispute "
    "had been handled badly. Costs have risen by almost a third since the contract was signed. "
    "Council members from the opposition want an independent review of the project and of the "
    "contractor's payments, and a public meeting is planned for next month at the town hall."
)


def test_repost_with_small_edits_is_found() -> None:
    index = NearDuplicateIndex(threshold=0.8)
    assert index.add("wire", WIRE) is None
    assert index.add("repost", REPOST) == "wire"


def test_same_topic_article_is_not_a_duplicate() -> None:
    index = NearDuplicateIndex()
    index.add("wire", WIRE)
    assert index.add("other", SAME_TOPIC) is None
    assert similarity(fingerprint(WIRE), fingerprint(SAME_TOPIC)) < 0.3


def test_copy_of_a_copy_points_at_the_earliest() -> None:
    index = NearDuplicateIndex()
    index.add("wire", WIRE)
    index.add("repost", REPOST)
    assert index.add("again", REPOST + " Updated.") == "wire"
    assert len(index) == 3 and "again" in index


def test_fingerprint_is_deterministic_and_packs() -> None:
    fp = fingerprint(WIRE)
    assert fp == fingerprint(WIRE)
    assert len(fp) == 128 and all(0 <= v < 2**32 for v in fp)
    assert unpack(pack(fp)) == fp
    assert fingerprint(WIRE.upper().replace(",", " ,")) == fp  # case and punctuation ignored


def test_index_rebuilt_from_fingerprints_answers_the_same() -> None:
    stored = {"wire": pack(fingerprint(WIRE)), "other": pack(fingerprint(SAME_TOPIC))}
    index = NearDuplicateIndex()
    for doc_id, blob in stored.items():
        index.add_fingerprint(doc_id, unpack(blob))
    assert index.add("repost", REPOST) == "wire"
    assert index.find(fingerprint(SAME_TOPIC), exclude="other") is None


def test_empty_text_is_never_a_duplicate() -> None:
    index = NearDuplicateIndex()
    assert fingerprint("  ...  ") == ()
    assert index.add("a", "") is None
    assert index.add("b", "") is None
    assert len(index) == 0


def test_re_adding_an_id_does_not_match_itself() -> None:
    index = NearDuplicateIndex()
    index.add("wire", WIRE)
    assert index.add("wire", WIRE) is None
    assert len(index) == 1


def test_wrong_fingerprint_size_is_rejected() -> None:
    with pytest.raises(ValueError, match="128"):
        NearDuplicateIndex().add_fingerprint("x", [1, 2, 3])


def test_short_text_is_one_shingle() -> None:
    assert shingles("Breaking news") == {"breaking news"}
    assert len(shingles("one two three four")) == 2
