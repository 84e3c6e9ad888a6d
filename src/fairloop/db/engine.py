"""The database handle: an engine set up for durability, and the one way to open a
transaction (``Database.transaction``), which only ``services/`` calls."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, exc, make_url
from sqlalchemy.orm import Session

PING_AFTER_IDLE_SECONDS = 1.0
"""A PostgreSQL connection idle this long is checked before use."""


class Database:
    """One engine per process; sessions come only from :meth:`transaction`.

    On SQLite every write transaction starts with ``BEGIN IMMEDIATE``: the single
    writer is taken up front, so two writers never deadlock upgrading a read lock.
    """

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        pool_size: int = 10,
        ping_after_idle: float = PING_AFTER_IDLE_SECONDS,
    ):
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
            kwargs["pool_size"] = pool_size
            create_private(url)
        else:
            kwargs.update(pool_size=pool_size, max_overflow=pool_size)
        self.engine: Engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            _set_up_sqlite(self.engine)
        else:
            _ping_when_idle(self.engine, ping_after_idle)
        self._readonly = self.engine.execution_options(fairloop_readonly=True)
        # One statement needs no BEGIN and COMMIT around it. On SQLite our own BEGIN is
        # skipped (the driver issues none); SQLAlchemy's AUTOCOMMIT there would reset
        # the connection with a PRAGMA at every check-in.
        self._one_statement = self.engine.execution_options(
            **{"fairloop_one_statement": True}
            if self.is_sqlite
            else {"isolation_level": "AUTOCOMMIT"}
        )
        # SQLite has one writer. Queueing our own writers on a lock is fair and instant;
        # leaving it to SQLite's busy handler makes them sleep and retry (p99 of 100s of ms).
        self._write_lock: threading.Lock | None = threading.Lock() if self.is_sqlite else None

    @contextmanager
    def transaction(self, *, readonly: bool = False) -> Iterator[Session]:
        """One unit of work: committed on a clean exit, rolled back on any error."""
        bind = self._readonly if readonly else self.engine
        queue = self._write_lock if self._write_lock is not None and not readonly else nullcontext()
        with (
            queue,
            Session(bind, expire_on_commit=False, autoflush=False) as session,
            session.begin(),
        ):
            yield session

    @contextmanager
    def core_transaction(self, *, readonly: bool = False) -> Iterator[Connection]:
        """As :meth:`transaction`, on a bare Core connection: for the hot paths (lease,
        submit, token check), where an ORM session's bookkeeping is most of the cost."""
        bind = self._readonly if readonly else self.engine
        queue = self._write_lock if self._write_lock is not None and not readonly else nullcontext()
        with queue, bind.begin() as conn:
            yield conn

    @contextmanager
    def lookup(self) -> Iterator[Connection]:
        """A connection for one read statement (the API token check on every request,
        a red-team turn's check before it resolves the model host).

        It runs in autocommit: a single statement is its own snapshot, and on
        PostgreSQL the BEGIN and COMMIT round trips were a tenth of a work-loop cycle."""
        with self._one_statement.connect() as conn:
            yield conn

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def dispose(self) -> None:
        self.engine.dispose()


def _ping_when_idle(engine: Engine, seconds: float) -> None:
    """Check a connection that sat idle before handing it out; a dead one is replaced.

    SQLAlchemy's ``pool_pre_ping`` pings on every checkout: four round trips of a
    work-loop cycle's 25 on PostgreSQL. A connection in steady use was just seen alive;
    one idle for a while may have outlived a database restart."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)  # leaves no transaction open behind it
        except Exception as error:  # any failure: the pool opens a fresh connection
            raise exc.DisconnectionError(str(error)) from error


def create_private(url: str) -> None:
    """Create a new SQLite file readable by its owner only (0600): it holds password
    hashes and every worker's pay. SQLite gives its -wal and -shm files the same mode."""
    path = make_url(url).database
    if not path or path == ":memory:" or path.startswith("file:") or os.path.exists(path):
        return
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def _set_up_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # We issue BEGIN ourselves (below); the driver must not.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        # FULL: an acknowledged submission survives a power cut, not only a crash.
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        if options.get("fairloop_one_statement", False):
            return  # its own implicit transaction (Database.lookup)
        readonly = options.get("fairloop_readonly", False)
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")
