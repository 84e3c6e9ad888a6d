"""The database handle on PostgreSQL: connections the server dropped are replaced."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from fairloop.db.engine import Database
from tests.conftest import PG_URL


def _backend_pids(db: Database, count: int) -> list[int]:
    """Open ``count`` pooled connections at once and return their server pids."""
    conns = [db.engine.connect() for _ in range(count)]
    try:
        return [c.execute(text("SELECT pg_backend_pid()")).scalar_one() for c in conns]
    finally:
        for c in conns:
            c.close()


def _terminate(pids: list[int]) -> None:
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        for pid in pids:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


@pytest.mark.postgres
def test_idle_connections_killed_by_the_server_are_replaced(postgres_backend) -> None:
    db = Database(postgres_backend.db.url, ping_after_idle=0.2)
    try:
        killed = _backend_pids(db, 3)
        _terminate(killed)
        time.sleep(0.3)  # idle past the threshold: each is checked before use
        for _ in range(3):
            with db.core_transaction() as conn:
                pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
                assert pid not in killed
    finally:
        db.dispose()


@pytest.mark.postgres
def test_a_connection_in_steady_use_is_not_pinged(postgres_backend) -> None:
    """The trade-off, shown: a connection dropped while in steady use fails the one
    transaction that meets it, and the pool is renewed for the next."""
    db = Database(postgres_backend.db.url, ping_after_idle=60)
    try:
        killed = _backend_pids(db, 1)
        _terminate(killed)
        with pytest.raises(DBAPIError) as caught, db.core_transaction() as conn:
            conn.execute(text("SELECT 1"))
        assert caught.value.connection_invalidated
        with db.core_transaction() as conn:
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() not in killed
    finally:
        db.dispose()
