"""Fixtures of the web tests: a store holding the sample corpus, apps over it, a live server."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from newsbrief import Engine, make_engine
from newsbrief.web import create_app
from tests.conftest import SAMPLE

TOKEN = "test-token-5f1c"


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store with the bundled sample corpus ingested once per session (read-only)."""
    path = tmp_path_factory.mktemp("web-store") / "sample.db"
    with make_engine(f"sqlite:///{path}", ner="gazetteer") as engine:
        report = engine.ingest([str(SAMPLE)])
    assert report.counts["added"] >= 20, report.counts
    return f"sqlite:///{path}"


@pytest.fixture
def copy_db(sample_db: str, tmp_path: Path) -> str:
    """A private copy of the sample store, for tests that write."""
    src = Path(sample_db.removeprefix("sqlite:///"))
    dst = tmp_path / "copy.db"
    shutil.copy(src, dst)
    return f"sqlite:///{dst}"


@pytest.fixture
def engine(sample_db: str) -> Iterator[Engine]:
    with make_engine(sample_db, ner="gazetteer") as e:
        yield e


@pytest.fixture
def app(engine: Engine) -> Any:
    return create_app(engine, api_token=None)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(app) as c:
        yield c


def make_client(app: Any, client_ip: str = "127.0.0.1") -> httpx.AsyncClient:
    """An in-process client (no sockets) for ``app``."""
    transport = httpx.ASGITransport(app=app, client=(client_ip, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@contextmanager
def live_server(app: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port in a thread; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        assert server.started, "uvicorn did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
