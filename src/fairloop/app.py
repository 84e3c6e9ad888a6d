"""The ASGI application: API, pages and static files over one Database."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from fairloop import __version__
from fairloop.api import assignments, auth, health, me, media, projects, redteam, submissions
from fairloop.api.errors import API_ERRORS, install_error_handlers
from fairloop.api.headers import SecurityHeaders
from fairloop.db.engine import Database
from fairloop.settings import Settings, get_settings
from fairloop.web import auth as web_auth
from fairloop.web import errors as web_errors
from fairloop.web import me as web_me
from fairloop.web import projects as web_projects
from fairloop.web import register as web_register
from fairloop.web import tasks as web_tasks
from fairloop.web import work as web_work

STATIC = Path(__file__).parent / "web" / "static"
API_MODULES = (health, auth, projects, assignments, submissions, redteam, media, me)
PAGE_MODULES = (web_auth, web_register, web_work, web_tasks, web_projects, web_me)


def create_app(db: Database | None = None, settings: Settings | None = None) -> FastAPI:
    app = FastAPI(title="fairloop", version=__version__, docs_url="/docs", redoc_url=None)
    app.state.settings = settings or get_settings()
    app.state.db = db or Database(app.state.settings.database_url)
    install_error_handlers(app, render_page_error=web_errors.render_page_error)
    for module in API_MODULES:
        app.include_router(module.router, responses=API_ERRORS)
    for module in PAGE_MODULES:
        app.include_router(module.router)
    app.include_router(web_me.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(SecurityHeaders)
    return app
