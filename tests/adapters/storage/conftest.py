"""Fixtures for the storage suite: every test runs on SQLite and on PostgreSQL.

PostgreSQL runs when ``NEWSBRIEF_TEST_PG_URL`` is set (``.ci/postgres.sh`` prints one); each
test gets a fresh schema of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from newsbrief.adapters.storage import SqlStorage, open_storage

PG_ENV = "NEWSBRIEF_TEST_PG_URL"
PG_SKIP = "NEWSBRIEF_TEST_PG_URL not set (CI sets it via .ci/postgres.sh)"


class FakeClock:
    """A clock that moves one second forward each time it is read."""

    def __init__(self, start: datetime = datetime(2025, 1, 1, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def _pg_admin_engine(url: str) -> sa.Engine:
    return sa.create_engine(sa.make_url(url).set(drivername="postgresql+psycopg"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    """A URL to an empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/store.db"
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(PG_SKIP)
    schema = f"nb_test_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        url = sa.make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def open_store(db_url: str, clock: FakeClock) -> Iterator[Callable[[], SqlStorage]]:
    """Opens stores on the test database (all closed at the end)."""
    opened: list[SqlStorage] = []

    def _open() -> SqlStorage:
        store = open_storage(db_url, clock=clock)
        opened.append(store)
        return store

    yield _open
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store: Callable[[], SqlStorage]) -> SqlStorage:
    return open_store()
