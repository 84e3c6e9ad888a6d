"""Fixtures: one database per backend (SQLite file, PostgreSQL schema) for the whole
run, wiped before each test; a real server on loopback over the same database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from fairloop.db.engine import Database
from fairloop.db.migrate import upgrade
from fairloop.db.models import Base
from tests.servers import serving

# Fixtures kept with their builders: model_server (the scripted chat model on
# loopback, red-team tests), cli (the command line over the test's database) and
# media_dir (recording tests).
pytest_plugins = ["tests.factories.model", "tests.factories.cli", "tests.factories.media"]

IN_CI = os.environ.get("CI") == "true"
PG_URL = os.environ.get(
    "FAIRLOOP_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
HOW_TO_PG = (
    "PostgreSQL not reachable at {url} ({why}); start one or set FAIRLOOP_TEST_POSTGRES "
    "to a database URL to run these tests"
)


def pg_unavailable() -> str | None:
    try:
        engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any failure to connect means "not available"
        return HOW_TO_PG.format(url=PG_URL, why=type(exc).__name__)
    return None


def clean(db: Database) -> None:
    """Empty every table, children first, so each test starts from nothing."""
    with db.engine.begin() as conn:
        if db.is_sqlite:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
        else:
            names = ", ".join(t.name for t in Base.metadata.sorted_tables)
            conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


class Backend:
    """A migrated database and, on first use, a uvicorn server over it."""

    def __init__(self, db: Database):
        self.db = db
        self._serving: ExitStack | None = None
        self.url = ""

    def server_url(self) -> str:
        if not self.url:
            from fairloop.app import create_app

            self._serving = ExitStack()
            self.url = self._serving.enter_context(serving(create_app(self.db)))
        return self.url

    def stop(self) -> None:
        if self._serving is not None:
            self._serving.close()
        self.db.dispose()


@pytest.fixture(scope="session")
def sqlite_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    path: Path = tmp_path_factory.mktemp("sqlite") / "fairloop.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    backend = Backend(Database(url))
    yield backend
    backend.stop()


@pytest.fixture(scope="session")
def postgres_backend() -> Iterator[Backend]:
    if reason := pg_unavailable():
        if IN_CI:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    schema = f"fl_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    upgrade(url)
    backend = Backend(Database(url))
    yield backend
    backend.stop()
    with admin.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    admin.dispose()


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Backend:
    chosen: Backend = request.getfixturevalue(f"{request.param}_backend")
    clean(chosen.db)
    return chosen


@pytest.fixture
def db(backend: Backend) -> Database:
    return backend.db


@pytest.fixture
def server(backend: Backend) -> str:
    """Base URL of a real server on loopback over this test's database."""
    return backend.server_url()


@pytest.fixture
def http(server: str) -> Iterator:
    """``http(token)``: an httpx client on the test server, closed after the test."""
    import httpx

    clients: list[httpx.Client] = []

    def make(token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        clients.append(httpx.Client(base_url=server, headers=headers, timeout=30))
        return clients[-1]

    yield make
    for c in clients:
        c.close()


@pytest.fixture(autouse=True)
def fresh_login_budget() -> None:
    """Every test starts with the login rate limits unspent: all tests log in from
    127.0.0.1 to one server process, and their attempts must not add up."""
    from fairloop.http import ratelimit

    for limit in (ratelimit.pair_failures, ratelimit.address_failures, ratelimit.registrations):
        limit.clear()
