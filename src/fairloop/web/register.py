"""Self-registration: off unless the instance turns it on, and only ever for workers."""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from fairloop.errors import FairloopError, NotFound, RateLimited
from fairloop.http.client import client_address
from fairloop.http.deps import get_db
from fairloop.http.ratelimit import check_registration_rate
from fairloop.services.accounts import create_user, start_session
from fairloop.web.render import _, page
from fairloop.web.session import (
    LOGIN_CSRF,
    clear_cookie,
    read_cookie,
    set_cookie,
    set_session_cookie,
)

router = APIRouter(include_in_schema=False)


def _open(request: Request) -> None:
    if not request.app.state.settings.self_registration:
        raise NotFound("this instance does not take sign-ups; ask its admin for an account")


@router.get("/register")
def register_form(request: Request) -> Response:
    _open(request)
    token = secrets.token_urlsafe(24)
    response = page(request, "register.html", login_csrf=token, message=None)
    set_cookie(response, request, LOGIN_CSRF, token, samesite="strict")
    return response


@router.post("/register")
async def register(
    request: Request,
    email: str = Form(""),
    password: str = Form(""),
    csrf: str = Form(""),
) -> Response:
    """Any other form field (role, org, ...) is ignored: the role is always worker."""
    _open(request)
    cookie = read_cookie(request, LOGIN_CSRF) or ""
    if not cookie or not hmac.compare_digest(cookie, csrf):
        message = _("The form expired; please try again.")
        return page(request, "register.html", 403, login_csrf=cookie, message=message)
    db = get_db(request)
    try:
        check_registration_rate(client_address(request))
        await run_in_threadpool(create_user, db, email, role="worker", password=password or "")
    except RateLimited as exc:
        return page(request, "register.html", 429, login_csrf=cookie, message=exc.message)
    except FairloopError as exc:
        return page(request, "register.html", exc.status, login_csrf=cookie, message=exc.message)
    secret, _csrf, _actor = await run_in_threadpool(start_session, db, email, password)
    response = RedirectResponse("/work", status_code=303)
    set_session_cookie(response, secret, request)
    clear_cookie(response, request, LOGIN_CSRF)
    return response
