"""Errors on pages: a login redirect, or a page that says what went wrong."""

from __future__ import annotations

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
    return page(request, "error.html", status=exc.status, error=exc)
