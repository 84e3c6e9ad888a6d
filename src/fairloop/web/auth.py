"""Login and logout pages."""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from fairloop.errors import RateLimited, Unauthorized
from fairloop.http.client import client_address
from fairloop.http.deps import get_db
from fairloop.http.ratelimit import PasswordAttempt
from fairloop.services.accounts import end_session, start_session
from fairloop.services.wellbeing import exposure
from fairloop.web.render import _, page
from fairloop.web.session import (
    COOKIE,
    LOGIN_CSRF,
    PageActor,
    check_csrf,
    clear_cookie,
    read_cookie,
    set_cookie,
    set_session_cookie,
)

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None, role: str) -> str:
    # Only local paths. Browsers read "//evil.example" and "/\\evil.example" as another
    # host, and drop tabs and newlines before parsing, so any of those leaves the site.
    if (
        target
        and target.startswith("/")
        and target[1:2] not in ("/", "\\")
        and not any(c == "\\" or ord(c) < 0x20 or ord(c) == 0x7F for c in target)
    ):
        return target
    return "/work" if role == "worker" else "/projects"


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    token = secrets.token_urlsafe(24)
    response = page(
        request,
        "login.html",
        login_csrf=token,
        next=next or "",
        message=None,
        can_register=request.app.state.settings.self_registration,
    )
    set_cookie(response, request, LOGIN_CSRF, token, samesite="strict")
    return response


@router.post("/login")
async def login(
    request: Request,
    email: str = Form(""),
    password: str = Form(""),
    csrf: str = Form(""),
    next: str = Form(""),
    time_zone: str = Form(""),
) -> Response:
    cookie = read_cookie(request, LOGIN_CSRF) or ""
    if not cookie or not hmac.compare_digest(cookie, csrf):
        return page(
            request,
            "login.html",
            403,
            login_csrf=cookie,
            next=next,
            message=_("The form expired; please try again."),
        )
    try:
        attempt = PasswordAttempt(email, client_address(request))
    except RateLimited as exc:
        return page(request, "login.html", 429, login_csrf=cookie, next=next, message=exc.message)
    try:
        secret, _csrf, actor = await run_in_threadpool(
            start_session, get_db(request), email, password
        )
    except Unauthorized:
        attempt.failed()
        return page(
            request,
            "login.html",
            401,
            login_csrf=cookie,
            next=next,
            message=_("Wrong email or password."),
        )
    attempt.succeeded()
    await run_in_threadpool(exposure.default_time_zone, get_db(request), actor, time_zone)
    response = RedirectResponse(safe_next(next, actor.role), status_code=303)
    set_session_cookie(response, secret, request)
    clear_cookie(response, request, LOGIN_CSRF)
    return response


@router.get("/logout")
def logout_form(request: Request, actor: PageActor) -> Response:
    """A page with the logout button: a link alone must not log anyone out."""
    return page(request, "logout.html")


@router.post("/logout")
async def logout(request: Request, actor: PageActor) -> Response:
    form = await request.form()
    submitted = form.get("csrf")
    check_csrf(request, submitted if isinstance(submitted, str) else None)
    secret = read_cookie(request, COOKIE)
    if secret:
        await run_in_threadpool(end_session, get_db(request), secret)
    response = RedirectResponse("/login", status_code=303)
    clear_cookie(response, request, COOKIE)
    return response
