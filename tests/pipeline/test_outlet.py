"""Outlet inference from a page's own text and URL."""

from __future__ import annotations

import pytest

from newsbrief.pipeline.outlet import (
    copyright_holder,
    domains_in,
    infer_outlet,
    outlet_name_from_domain,
    read_at_name,
)
from newsbrief.records import Extracted, Outlet

BODY = "The council voted on Tuesday to rebuild the ferry pier that storms damaged last year."


@pytest.mark.parametrize(
    ("domain", "name"),
    [
        ("caspianpost.com", "Caspian Post"),
        ("harbor-ledger.example", "Harbor Ledger"),
        ("theatlantic.com", "The Atlantic"),
        ("www.baygazette.co.uk", "Bay Gazette"),
        ("https://www.islandtimesherald.com/news/x", "Island Times Herald"),
        ("Valleychronicle.net", "Valley Chronicle"),
        ("nytimes.com", "NY Times"),
        ("bbc.co.uk", "BBC"),
        ("timesofharbor.example", "Times of Harbor"),
        ("ellery.example", "Ellery"),
    ],
)
def test_outlet_name_from_domain(domain: str, name: str) -> None:
    assert outlet_name_from_domain(domain) == name


def test_read_at_name() -> None:
    assert read_at_name("Read at The Harbor Ledger") == "The Harbor Ledger"
    assert read_at_name("Read more at harborledger.example") == "harborledger.example"
    assert read_at_name("Read at home, the mayor told residents.") is None
    assert read_at_name(BODY) is None


def test_copyright_holder() -> None:
    assert copyright_holder("© 2025 Bay Gazette. All rights reserved.") == "Bay Gazette"
    assert copyright_holder("Copyright (c) 2019-2024 Harbor Ledger Ltd") == "Harbor Ledger"
    assert copyright_holder("Copyright law was changed in 2019, the court said.") is None


def test_domains_in() -> None:
    text = "Stay Updated with Harborpost.com - or e.g. the U.S. site at www.bay.co.uk today."
    assert domains_in(text) == ["harborpost.com", "bay.co.uk"]


def test_from_url() -> None:
    ex = Extracted(title=None, paragraphs=(BODY,), url="https://www.baygazette.example/a/1")
    out = infer_outlet(ex)
    assert out == Outlet(
        name="Bay Gazette", domain="baygazette.example", url="https://www.baygazette.example/a/1"
    )


def test_from_boilerplate_domain_not_from_photo_credit() -> None:
    slogan = "Breaking News | Stay Updated with Harborpost.com - Pier to Reopen"
    ex = Extracted(
        title="Pier to Reopen",
        paragraphs=("Photo credit: islandpics.example", BODY, slogan, "Photo: Jane Roe", slogan),
    )
    out = infer_outlet(ex)
    assert out.name == "Harbor Post"
    assert out.domain == "harborpost.com"


def test_read_at_wins_over_an_aggregator_url() -> None:
    ex = Extracted(
        title=None,
        paragraphs=(BODY, "Read at The Harbor Ledger"),
        url="https://aggregator.example/cards/9",
    )
    out = infer_outlet(ex)
    assert out.name == "The Harbor Ledger"
    assert out.domain is None


def test_read_at_with_matching_host() -> None:
    ex = Extracted(
        title=None,
        paragraphs=(BODY, "Read at The Harbor Ledger"),
        url="https://harborledger.example/p",
    )
    assert infer_outlet(ex).domain == "harborledger.example"


def test_copyright_line_names_the_outlet() -> None:
    ex = Extracted(
        title=None, paragraphs=(BODY, "© 2025 Bay Gazette"), url="https://www.baygazette.example/x"
    )
    out = infer_outlet(ex)
    assert (out.name, out.domain) == ("Bay Gazette", "baygazette.example")


def test_known_fields_are_kept() -> None:
    ex = Extracted(
        title=None,
        paragraphs=(BODY,),
        source=Outlet(name="Harbor Ledger"),
        url="https://harborledger.example/p",
    )
    out = infer_outlet(ex)
    assert out.name == "Harbor Ledger"
    assert out.domain == "harborledger.example"


def test_nothing_known() -> None:
    assert infer_outlet(Extracted(title=None, paragraphs=(BODY,))) == Outlet()
