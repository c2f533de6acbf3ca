"""``newsbrief serve`` as a real process: it serves, obeys the token and private-address rules,
and stops cleanly on Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests.web.conftest import TOKEN
from tests.web.hostile import hostile_site

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(db: str, *flags: str, token: str | None = None) -> Iterator[str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "NEWSBRIEF_API_TOKEN"}
    env["NEWSBRIEF_NER"] = "gazetteer"
    env["NEWSBRIEF_CRAWL_INTERVAL"] = "0"
    if token:
        env["NEWSBRIEF_API_TOKEN"] = token
    cmd = [sys.executable, "-m", "newsbrief", "serve", "--db", db, "--port", str(port), *flags]
    proc = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, proc)
        yield base
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            code = proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
        stderr = proc.stderr.read() if proc.stderr else ""
        assert code == 0, stderr
        assert "Traceback" not in stderr


def _wait_until_up(base: str, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited: {proc.stderr.read() if proc.stderr else ''}")
        try:
            httpx.get(base + "/api/v1/health", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("serve did not start")


def test_serve_help(cli) -> None:
    r = cli("serve", "--help")
    assert r.returncode == 0
    for option in ("--db", "--host", "--port", "--allow-private"):
        assert option in r.stdout


def test_a_busy_port_is_one_error_line(cli, sample_db: str) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = cli("serve", "--db", sample_db, "--port", str(port), timeout=60)
    assert r.returncode == 1
    assert r.stderr.startswith("error: cannot listen on 127.0.0.1:") and "Traceback" not in r.stderr


def test_serve_reads_and_refuses_writes_without_a_token(sample_db: str) -> None:
    with serve(sample_db) as base:
        health = httpx.get(base + "/api/v1/health").json()
        front = httpx.get(base + "/")
        post = httpx.post(base + "/api/v1/ingest", json={"url": "https://a.example/"})
    assert health["writes_enabled"] is False
    assert front.status_code == 200 and "content-security-policy" in front.headers
    assert post.status_code == 403 and post.json()["error"]["code"] == "writes_disabled"


def test_private_addresses_need_allow_private(copy_db: str) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with hostile_site() as site:
        with serve(copy_db, token=TOKEN) as base:
            refused = httpx.post(
                base + "/api/v1/ingest", json={"url": f"{site}/council.html"}, headers=auth
            )
        with serve(copy_db, "--allow-private", token=TOKEN) as base:
            allowed = httpx.post(
                base + "/api/v1/ingest",
                json={"url": f"{site}/council.html"},
                headers=auth,
                timeout=60,
            )
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "blocked_address"
    assert allowed.status_code == 200, allowed.text
    assert allowed.json()["counts"] == {"added": 1}
