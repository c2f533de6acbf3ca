"""Tree-level boilerplate rules, site rules and paywall signals, on pages written for the tests."""

from __future__ import annotations

import pytest
from lxml import html

from newsbrief.adapters.extract_rules import (
    SiteRule,
    furniture_name,
    link_density,
    load_site_rules,
    paywall_prompt,
    paywall_signals,
    prune,
    rule_for,
)
from newsbrief.adapters.metadata import json_ld_objects

PROSE = (
    "The harbour commission met on Tuesday evening and agreed after a long debate to rebuild "
    "the eastern breakwater before the autumn storms arrive at the bay. "
)


def page(body: str, head: str = "") -> html.HtmlElement:
    return html.document_fromstring(f"<html><head>{head}</head><body>{body}</body></html>")


def article(extra: str) -> str:
    paragraphs = "".join(f"<p>{PROSE}{n}</p>" for n in range(5))
    return f"<article class='story story--with-related'>{paragraphs}{extra}</article>"


def text(tree: html.HtmlElement) -> str:
    return " ".join(tree.text_content().split())


@pytest.mark.parametrize(
    ("block", "gone"),
    [
        ("<aside><p>Three facts about the bay</p></aside>", "Three facts"),
        ("<div class='factBox'><p>Built in 1902</p></div>", "Built in 1902"),
        ("<div id='newsletter-signup'><p>Get our morning mail</p></div>", "morning mail"),
        ("<section class='related-stories'><h2>Elsewhere</h2></section>", "Elsewhere"),
        ("<div class='promo'><p>Half price this week</p></div>", "Half price"),
        ("<div style='display: none'><p>Hidden words</p></div>", "Hidden words"),
        ("<figure><img src='a.jpg'><figcaption>The pier at dawn</figcaption></figure>", "dawn"),
        (
            "<ul><li><a href='/1'>Ferry fares rise</a></li><li><a href='/2'>Pier closes</a></li>"
            "</ul>",
            "Ferry fares rise",
        ),
        ("<p>Read also: <a href='/x'>Storm damage along the coast road</a></p>", "Read also"),
    ],
)
def test_prune_removes_furniture_but_keeps_the_article(block: str, gone: str) -> None:
    tree = page(article(block))
    reasons = prune(tree)
    assert reasons
    assert gone not in text(tree)
    assert text(tree).count("eastern breakwater") == 5  # the wrapper named "...related" stays


def test_block_holding_most_of_the_text_is_never_removed() -> None:
    tree = page(f"<div class='sidebar'>{article('')}</div><p>Short footer line</p>")
    prune(tree)
    assert text(tree).count("eastern breakwater") == 5


def test_named_block_with_running_prose_is_kept() -> None:
    prose = "".join(f"<p>{PROSE}</p>" for _ in range(3))
    tree = page(article(f"<div class='author-bio-share'>{prose}</div>") + "<p>x</p>" * 3)
    prune(tree)
    assert text(tree).count("eastern breakwater") == 8


def test_utility_class_names_do_not_count() -> None:
    element = html.fragment_fromstring("<div class='print:hidden md:w-[20px] story'>x</div>")
    assert furniture_name(element) is None
    element = html.fragment_fromstring("<div class='relatedArticles'>x</div>")
    assert furniture_name(element) == "related"


def test_link_density() -> None:
    element = html.fragment_fromstring("<div>one two <a href='/'>three four</a></div>")
    assert link_density(element) == pytest.approx(0.5)


def test_tail_text_of_a_removed_block_is_kept() -> None:
    tree = page("<div><p>Before</p><aside>Box</aside>after the box</div>" + article(""))
    prune(tree)
    assert "after the box" in text(tree) and "Box " not in text(tree)


def test_site_rules_from_toml() -> None:
    rules = load_site_rules(
        '[[site]]\ndomain = "www.dunmore-echo.example"\nremove = ["div.tipline", "#promo"]\n'
    )
    rule = rule_for("news.dunmore-echo.example", rules)
    assert rule == SiteRule("dunmore-echo.example", ("div.tipline", "#promo"))
    assert rule_for("echo.example", rules) is None
    tree = page(article("<div class='tipline big'>Send us tips</div><p id='promo'>Win</p>"))
    prune(tree, rule)
    assert "Send us tips" not in text(tree) and "Win" not in text(tree)


def test_bad_selector_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported selector"):
        load_site_rules('[[site]]\ndomain = "a.example"\nremove = ["div > p"]\n')


def test_packaged_rules_cover_only_example_domains() -> None:
    rules = load_site_rules()
    assert rules
    assert all(domain.endswith(".example") for domain in rules)


LD_FALSE = (
    '<script type="application/ld+json">{"@type": "NewsArticle", "hasPart": '
    '{"@type": "WebPageElement", "isAccessibleForFree": "False", '
    '"cssSelector": ".locked-body"}}</script>'
)


def signals(tree: html.HtmlElement) -> list[str]:
    return paywall_signals(tree, list(json_ld_objects(tree)))


def test_paywall_from_json_ld_has_part() -> None:
    found = signals(page(article(""), head=LD_FALSE))
    assert found == ["json-ld isAccessibleForFree=false .locked-body"]


def test_paywall_prompt_inside_the_article_counts_but_not_in_the_header() -> None:
    prompt = "<p>Subscribe to continue reading this story.</p>"
    assert signals(page(f"<header>{prompt}</header>" + article(""))) == []
    found = signals(page(article(prompt)))
    assert found and found[0].startswith("prompt")


def test_paywall_markup_is_a_weak_signal() -> None:
    found = signals(page(article("<div class='paywall-overlay'></div>")))
    assert found == ["markup paywall"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Subscribe to continue reading", True),
        ("This article is only available to subscribers.", True),
        ("Log in to keep reading", True),
        ("The commission will continue reading the report on Monday.", False),
        ("Subscribers to the old water scheme will get a refund.", False),
    ],
)
def test_paywall_prompt(line: str, expected: bool) -> None:
    assert paywall_prompt(line) is expected
