"""End to end in real headless Chromium (Debian's chromium + chromedriver, via selenium).

A real uvicorn server on 127.0.0.1 serves the sample store; the browser opens the front page,
clicks into a story, searches, and saves screenshots. The XSS test serves a store holding a
hostile article and checks that none of its payloads runs. Skipped when chromium is absent
(``.ci/chromium.sh`` installs it).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsbrief import make_engine
from newsbrief.web import create_app
from tests.web.conftest import live_server
from tests.web.hostile import SEARCH_WORD, hostile_site

CHROMIUM = os.environ.get("NEWSBRIEF_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
_missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(_missing),
        reason=f"headless Chromium not installed ({', '.join(_missing)}); run .ci/chromium.sh",
    ),
]
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1100,1400",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="newsbrief-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def reader(sample_db: str) -> Iterator[str]:
    with make_engine(sample_db, ner="gazetteer") as engine, live_server(create_app(engine)) as url:
        yield url


def console_problems(driver: Any) -> list[str]:
    """Browser console errors: CSP violations, failed loads, script errors."""
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_read_a_story_and_search(browser: Any, reader: str, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(reader + "/")
    assert browser.title.startswith("Stories")
    cards = browser.find_elements(By.CSS_SELECTOR, "article.story-card")
    assert len(cards) >= 5
    assert "min read" in cards[0].text and "outlet" in cards[0].text
    browser.save_screenshot(str(tmp_path / "front.png"))

    link = browser.find_element(By.CSS_SELECTOR, "article.story-card h2 a")
    title = link.text
    link.click()
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 15)
    wait.until(lambda b: "/stories/" in b.current_url)
    assert browser.find_element(By.TAG_NAME, "h1").text == title
    headings = [h.text for h in browser.find_elements(By.CSS_SELECTOR, "main h2")]
    assert {"Timeline", "Outlets", "Articles"} <= set(headings)
    browser.save_screenshot(str(tmp_path / "story.png"))

    box = browser.find_element(By.ID, "site-q")
    box.send_keys("strike", Keys.ENTER)
    wait.until(
        lambda b: "/search" in b.current_url and b.find_elements(By.CSS_SELECTOR, ".hits mark")
    )
    marks = browser.find_elements(By.CSS_SELECTOR, ".hits mark")
    assert marks and all(m.text.lower() == "strike" for m in marks)
    browser.save_screenshot(str(tmp_path / "search.png"))
    browser.find_element(By.CSS_SELECTOR, ".hits h2 a").click()
    wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, ".read-at a"))
    assert browser.find_element(By.CSS_SELECTOR, ".read-at a").text.startswith("Read at ")
    assert console_problems(browser) == []
    for name in ("front", "story", "search"):
        assert (tmp_path / f"{name}.png").stat().st_size > 10_000


def test_dark_mode_and_small_screens(browser: Any, reader: str, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    dark = {"features": [{"name": "prefers-color-scheme", "value": "dark"}]}
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", dark)
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True},
    )
    try:
        browser.get(reader + "/")
        background = browser.execute_script(
            "return getComputedStyle(document.body).backgroundColor"
        )
        channels = [int(c) for c in background[background.index("(") + 1 : -1].split(",")[:3]]
        assert max(channels) < 80, background  # dark
        width = browser.execute_script("return document.documentElement.scrollWidth")
        assert width <= 390  # no sideways scrolling on a phone
        assert browser.find_element(By.ID, "site-q").is_displayed()
        browser.save_screenshot(str(tmp_path / "front-dark-mobile.png"))
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


def test_hostile_article_runs_nothing(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    db = f"sqlite:///{tmp_path / 'hostile.db'}"
    with make_engine(db, ner="gazetteer", allow_private=True, crawl_interval=0) as engine:
        with hostile_site() as site:
            report = engine.ingest([f"{site}/council.html"])
        assert report.counts["added"] == 1
        article = next(iter(engine.export()))
        assert "<script>" in (article.title or "")
        with live_server(create_app(engine)) as url:
            pages = [
                "/",
                f"/articles/{article.id}",
                f"/stories/{article.story_id}",
                f"/search?q={SEARCH_WORD}",
            ]
            for path in pages:
                browser.get(url + path)
                assert browser.execute_script("return window.__xss === undefined"), path
                assert "pwned" not in browser.title, path
                text = browser.find_element(By.TAG_NAME, "main").text
                assert "<script>" in text, path  # shown as text
                for sel in ("main script", "main img", "main [onclick]", "main [onerror]"):
                    assert browser.find_elements(By.CSS_SELECTOR, sel) == [], (path, sel)
            for link in browser.find_elements(By.CSS_SELECTOR, "main a"):  # inert targets
                href = link.get_attribute("href") or ""
                assert not href.lower().startswith("javascript"), href
            browser.save_screenshot(str(tmp_path / "hostile.png"))
