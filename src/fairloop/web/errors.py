"""Errors on pages: a login redirect, or a page that says what went wrong."""

from __future__ import annotations

import re
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from fairloop.errors import FairloopError
from fairloop.web.render import page
from fairloop.web.session import LoginRequired


def render_page_error(request: Request, exc: FairloopError) -> Response:
    if isinstance(exc, LoginRequired):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    return page(request, "error.html", status=exc.status, error=exc, back=_back(request))


_TASK = re.compile(r"^/work/assignments/(\d+)")


def _back(request: Request) -> str:
    """Where "Back" leads: to the task a refused post came from (the browser's own Back
    keeps what was entered there), else to the person's home page."""
    if request.method == "POST" and (match := _TASK.match(request.url.path)):
        return f"/work/assignments/{match[1]}"
    actor = getattr(request.state, "actor", None)
    if actor is None:
        return "/login"
    return "/work" if actor.role == "worker" else "/projects"
