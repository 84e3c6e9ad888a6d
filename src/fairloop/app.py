"""The ASGI application: API, pages and static files over one Database."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import anyio
import anyio.to_thread
from fastapi import FastAPI

from fairloop import __version__
from fairloop.api import (
    assignments,
    auth,
    health,
    me,
    media,
    pay,
    projects,
    redteam,
    review,
    skills,
    voice,
)
from fairloop.api.errors import API_ERRORS, install_error_handlers
from fairloop.api.headers import SecurityHeaders
from fairloop.db.engine import Database
from fairloop.settings import Settings, get_settings
from fairloop.web import auth as web_auth
from fairloop.web import errors as web_errors
from fairloop.web import languages as web_languages
from fairloop.web import me as web_me
from fairloop.web import projects as web_projects
from fairloop.web import register as web_register
from fairloop.web import tasks as web_tasks
from fairloop.web import voice as web_voice
from fairloop.web import work as web_work
from fairloop.web.assets import ASSETS

API_MODULES = (health, auth, projects, assignments, review, pay, redteam, media, me, skills, voice)
PAGE_MODULES = (
    web_auth, web_register, web_work, web_tasks, web_projects, web_me, web_voice, web_languages
)  # fmt: skip


log = logging.getLogger("fairloop")


def create_app(
    db: Database | None = None,
    settings: Settings | None = None,
    *,
    settle_every_minutes: int = 0,
    threads: int | None = None,
) -> FastAPI:
    """The application; with ``settle_every_minutes``, it also settles pay on a timer
    (``serve`` turns that on; tests and embedders settle when they choose); with
    ``threads``, at most that many requests run their database work at once."""
    lifespan = _serving(settle_every_minutes, threads)
    # No Swagger page: it loads its script from a CDN, which many of our users cannot
    # reach and our CSP refuses. /openapi.json is the API's description.
    app = FastAPI(
        title="fairloop", version=__version__, docs_url=None, redoc_url=None, lifespan=lifespan
    )
    app.state.settings = settings or get_settings()
    app.state.db = db or Database(app.state.settings.database_url)
    install_error_handlers(app, render_page_error=web_errors.render_page_error)
    for module in API_MODULES:
        app.include_router(module.router, responses=API_ERRORS)
    for module in PAGE_MODULES:
        app.include_router(module.router)
    # Compressed, fingerprinted, cached for a year (web/assets.py).
    app.mount("/static", ASSETS, name="static")
    app.add_middleware(SecurityHeaders)
    return app


def create_served_app() -> FastAPI:
    """What ``fairloop serve`` runs: the app, settling every ``settle_interval_minutes``."""
    settings = get_settings()
    # The event loop shares the GIL with the thread pool's database work; at Python's
    # 5 ms switch interval a busy pool holds the loop back. At 1 ms, five alternating
    # red-team runs: overhead p50 21 -> 13 ms, p99 190 -> 159 ms (bench/README.md).
    sys.setswitchinterval(0.001)
    app = create_app(
        settings=settings,
        settle_every_minutes=settings.settle_interval_minutes,
        threads=settings.threads or default_threads(settings.database_url),
    )
    # The app's own objects (modules, routes, table metadata: most of the heap) live
    # as long as the process; frozen, a full collection no longer walks them. Unfrozen,
    # that walk stopped every request for 70-97 ms: the red-team bench's p99.
    gc.collect()
    gc.freeze()
    return app


def default_threads(database_url: str) -> int:
    """Twice the cores on PostgreSQL; on SQLite, whose single writer more threads only
    queue for, one a core. 32 red-teamers starting in one instant on SQLite, 2 cores:
    turn overhead p99 46-47 ms with 4 threads, 14-19 ms with 2; leases the same."""
    cores = os.cpu_count() or 1
    return cores if database_url.startswith("sqlite") else 2 * cores


def _serving(
    settle_minutes: int, threads: int | None
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if threads:
            # Requests past the limit wait their turn in the event loop, in order,
            # holding no connection or lock. 32 workers leasing on PostgreSQL (2 cores):
            # anyio's 40 threads gave lease p99 186-272 ms, 4 threads 91-96 ms.
            anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        task = None
        if settle_minutes > 0:
            task = asyncio.create_task(_settle_periodically(app.state.db, settle_minutes))
        yield
        if task is not None:
            task.cancel()

    return lifespan


async def _settle_periodically(db: Database, minutes: int) -> None:
    """Settle now and every ``minutes``. Each run is idempotent and takes the settle
    lock, so any number of server processes may run this."""
    from fairloop.services.pay.settle import settle

    # A thread of its own: a long settlement takes none of the requests' threads.
    own_thread = anyio.CapacityLimiter(1)
    while True:
        try:
            result = await anyio.to_thread.run_sync(settle, db, limiter=own_thread)
            log.info("settled: %s", result.as_json())
        except Exception:  # a failed run must not stop the next one
            log.exception("settlement failed; retrying in %s minutes", minutes)
        await asyncio.sleep(minutes * 60)
