"""The ``newsbrief`` command as a user runs it: real subprocesses, real files."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import BRIEF_SPEC_KEYS, SAMPLE, run_cli, seed

ARTICLE_HTML = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Ferry service resumes after storm | The Gull Gazette</title>
<meta property="og:site_name" content="The Gull Gazette">
<link rel="canonical" href="https://www.gullgazette.example/2026/03/ferry-service-resumes">
</head><body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Ferry service resumes after storm</h1>
<p>The ferry between Port Alder and Wren Island resumed on Tuesday morning, four days after a
storm tore the roof off the mainland terminal and left 300 islanders without a crossing.</p>
<p>"We worked through the night to make the ramp safe," said harbour master Ines Calloway, who
added that the first sailing carried 112 passengers and a refrigerated truck of medicine.</p>
<p>The island council said it would ask the regional government for 2.4 million euros to
rebuild the terminal, and warned that winter timetables could be cut if money did not arrive.</p>
<p>Shopkeepers on Wren Island said shelves had emptied by Sunday, and the school stayed
closed because three of its teachers live on the mainland and could not cross.</p>
<p>Engineers expect the temporary ramp to last until the spring, when a new terminal roof is
due to be finished by a contractor from the mainland.</p>
</article><footer>© 2026 The Gull Gazette. All rights reserved.</footer></body></html>
"""


@pytest.fixture
def article(tmp_path: Path) -> Path:
    p = tmp_path / "ferry.html"
    p.write_text(ARTICLE_HTML, encoding="utf-8")
    return p


def assert_one_line_error(stderr: str) -> None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines, "expected an error message"
    assert all(line.startswith("error:") for line in lines), stderr
    assert "Traceback" not in stderr


# -- happy paths ---------------------------------------------------------------------
def test_brief_json_follows_the_spec(article: Path) -> None:
    r = run_cli("brief", str(article), "--format", "json")
    assert r.returncode == 0, r.stderr
    b = json.loads(r.stdout)
    assert set(b) >= BRIEF_SPEC_KEYS, BRIEF_SPEC_KEYS - set(b)
    assert b["title"] == "Ferry service resumes after storm"
    assert b["source"]["name"] == "The Gull Gazette"
    assert b["url"] == "https://www.gullgazette.example/2026/03/ferry-service-resumes"
    assert b["read_time_minutes"] >= 1 and b["read_time_basis"] == "full"
    body = run_cli("extract", str(article)).stdout
    assert 2 <= len(b["quotes"]) <= 3
    assert all(q in body for q in b["quotes"])
    assert "Home" not in body and "All rights reserved" not in body


def test_brief_text_markdown_and_html(article: Path) -> None:
    text = run_cli("brief", str(article))
    assert text.returncode == 0 and "Read at The Gull Gazette" in text.stdout
    md = run_cli("brief", str(article), "--format", "markdown")
    assert md.stdout.startswith("# Ferry service resumes after storm")
    assert "[Read at The Gull Gazette](https://www.gullgazette.example/" in md.stdout
    html = run_cli("brief", str(article), "--format", "html")
    assert html.stdout.startswith("<!doctype html>") and "min read" in html.stdout


def test_html_card_escapes_markup(tmp_path: Path) -> None:
    evil = ARTICLE_HTML.replace(
        "<h1>Ferry service resumes after storm</h1>",
        "<h1>Ferry &lt;script&gt;alert(1)&lt;/script&gt; resumes</h1>",
    ).replace("<title>Ferry service resumes after storm", "<title>Ferry &lt;script&gt;x")
    p = tmp_path / "evil.html"
    p.write_text(evil, encoding="utf-8")
    r = run_cli("brief", str(p), "--format", "html")
    assert r.returncode == 0, r.stderr
    assert "<script>" not in r.stdout and "&lt;script&gt;" in r.stdout


def test_extract_text_prints_paragraphs_separated_by_one_blank_line(article: Path) -> None:
    r = run_cli("extract", str(article))
    paras = r.stdout.rstrip("\n").split("\n\n")
    assert len(paras) >= 4 and all(p.strip() and "\n" not in p for p in paras)


def test_extract_json_has_text_and_paragraphs(article: Path) -> None:
    data = json.loads(run_cli("extract", str(article), "--format", "json").stdout)
    assert data["text"] == "\n\n".join(data["paragraphs"])
    assert data["language"] == "en" and data["word_count"] > 100


def test_stdin(article: Path) -> None:
    r = run_cli("brief", "-", "--format", "json", stdin=article.read_bytes())
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["title"] == "Ferry service resumes after storm"


def test_summarize_prints_sentences_from_the_article(article: Path) -> None:
    r = run_cli("summarize", str(article), "--sentences", "2")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 2
    body = " ".join(run_cli("extract", str(article)).stdout.split())
    assert all(line in body for line in lines)


def test_brief_of_a_directory_briefs_each_file_as_json_lines() -> None:
    r = run_cli("brief", str(SAMPLE), "--format", "json", timeout=300)
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(rows) >= 12
    assert len({row["source"]["name"] for row in rows}) >= 4


# -- the seeds ------------------------------------------------------------------------
def test_seed_004_scraped_text() -> None:
    path = seed("004")
    b = json.loads(run_cli("brief", str(path), "--format", "json").stdout)
    assert b["title"] == "Venezuela Was a Warning: Russia May Face the Scenario Again"
    assert b["source"]["name"] == "Caspian Post" and b["source"]["domain"] == "caspianpost.com"
    assert b["read_time_basis"] == "full" and 4 <= b["read_time_minutes"] <= 7
    body = run_cli("extract", str(path)).stdout
    assert all(q in body for q in b["quotes"])
    assert body.count("There is a well-known Russian proverb") == 1
    credits = {i["credit"] for i in b["images"]}
    assert {"Wikimedia Commons", "Shutterstock"} <= credits


def test_seed_000_aggregator_card() -> None:
    path = seed("000")
    raw = path.read_text(encoding="utf-8")
    b = json.loads(run_cli("brief", str(path), "--format", "json").stdout)
    assert b["title"] == "Why Maduro Probably Can't Count on Putin"
    assert b["source"]["name"] == "The Atlantic"
    assert b["read_time_basis"] == "excerpt" and b["read_time_minutes"] >= 1
    card_summary = b["aggregator"]["summary"]
    assert card_summary.startswith("President Nicolás Maduro")
    for q in b["quotes"]:
        assert q in raw and q not in card_summary
    assert not any(s in b["summary"] for s in card_summary.split(". ")[:3])
    text = run_cli("brief", str(path)).stdout
    assert "Unable to calculate" not in text and "min read" in text


# -- bad input: one line, the right exit code, never a traceback -------------------------
def test_missing_file() -> None:
    r = run_cli("brief", "/nonexistent/nowhere.html")
    assert r.returncode == 2
    assert_one_line_error(r.stderr)
    assert "no such file" in r.stderr.lower()


def test_directory_given_to_extract(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text(ARTICLE_HTML)
    r = run_cli("extract", str(tmp_path))
    assert r.returncode == 2
    assert_one_line_error(r.stderr)


def test_empty_directory(tmp_path: Path) -> None:
    r = run_cli("brief", str(tmp_path))
    assert r.returncode == 2
    assert_one_line_error(r.stderr)


def test_empty_file(tmp_path: Path) -> None:
    p = tmp_path / "empty.html"
    p.write_bytes(b"  \n")
    r = run_cli("brief", str(p))
    assert r.returncode == 2
    assert_one_line_error(r.stderr)


def test_png_file(tmp_path: Path) -> None:
    p = tmp_path / "photo.html"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    r = run_cli("brief", str(p))
    assert r.returncode == 2
    assert_one_line_error(r.stderr)
    assert "png" in r.stderr.lower()


def test_html_without_an_article(tmp_path: Path) -> None:
    p = tmp_path / "menu.html"
    p.write_text("<html><body><nav><a href='/'>Home</a> <a href='/x'>World</a></nav></body></html>")
    r = run_cli("brief", str(p))
    assert r.returncode == 2
    assert_one_line_error(r.stderr)


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_legacy_encodings(tmp_path: Path, encoding: str) -> None:
    text = (
        "Café owners in Málaga said the new tax would cost them dearly. "
        "“We cannot absorb it,” said Ramón Ortiz, who runs three cafés near the port. "
    ) * 6
    if encoding == "latin-1":
        text = text.replace("“", '"').replace("”", '"')
    p = tmp_path / "cafe.txt"
    p.write_bytes(("Café tax angers owners\n\n" + text).encode(encoding))
    r = run_cli("extract", str(p))
    assert r.returncode == 0, r.stderr
    assert "Málaga" in r.stdout and "Ramón" in r.stdout


def test_huge_file_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "huge.html"
    with p.open("wb") as f:
        f.write(b"<html><body><p>" + b"word " * 10)
        f.truncate(50 * 1024 * 1024)
    r = run_cli("brief", str(p))
    assert r.returncode == 2
    assert_one_line_error(r.stderr)
    assert "large" in r.stderr.lower() or "cap" in r.stderr.lower()


def test_deeply_nested_html(tmp_path: Path) -> None:
    p = tmp_path / "deep.html"
    p.write_text("<html><body>" + "<div>" * 10_000 + "<p>Deep.</p>" + "</div>" * 10_000)
    r = run_cli("brief", str(p), timeout=120)
    assert r.returncode in (0, 2)
    assert "Traceback" not in r.stderr
    if r.returncode == 2:
        assert_one_line_error(r.stderr)


def test_some_sources_failing_exits_1_and_still_briefs_the_rest(article: Path) -> None:
    r = run_cli("brief", str(article), "/nonexistent.html", "--format", "json")
    assert r.returncode == 1
    assert json.loads(r.stdout.splitlines()[0])["title"].startswith("Ferry")
    assert_one_line_error(r.stderr)


def test_usage_error_is_one_line() -> None:
    r = run_cli("brief", "--format", "pdf", "x.html")
    assert r.returncode == 2
    assert_one_line_error(r.stderr)
    r = run_cli("no-such-command")
    assert r.returncode == 2
    assert_one_line_error(r.stderr)


@pytest.mark.parametrize("command", ["brief", "extract", "summarize"])
def test_every_command_has_help(command: str) -> None:
    r = run_cli(command, "--help")
    assert r.returncode == 0 and "Usage:" in r.stdout


# -- URLs, over a real HTTP server on loopback ----------------------------------------
@pytest.fixture
def server() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = ARTICLE_HTML.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/ferry"
    httpd.shutdown()


def test_url_on_loopback_needs_allow_private(server: str) -> None:
    refused = run_cli("brief", server)
    assert refused.returncode != 0
    assert_one_line_error(refused.stderr)
    ok = run_cli("brief", server, "--allow-private", "--format", "json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["title"] == "Ferry service resumes after storm"


def test_summarize_leaves_out_an_empty_document_with_a_warning(
    article: Path, tmp_path: Path
) -> None:
    junk = tmp_path / "junk.txt"
    junk.write_text("Share\n\n|\n\nRead more\n", encoding="utf-8")
    r = run_cli("summarize", str(article), str(junk), "--sentences", "2")
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.strip().splitlines()) == 2
    assert r.stderr.startswith("warning:") and "junk.txt" in r.stderr
    missing = run_cli("summarize", str(article), str(tmp_path / "nope.txt"))
    assert missing.returncode == 1 and missing.stdout.strip()
