"""The login cookie and CSRF checks for pages."""

from __future__ import annotations

import hmac
from typing import Annotated, Literal

from fastapi import Depends, Request, Response

from fairloop.domain.actors import Actor
from fairloop.errors import FairloopError, Forbidden
from fairloop.http.deps import get_db
from fairloop.services.accounts import actor_for_session
from fairloop.services.inbox import unread_count

COOKIE = "fairloop_session"
LOGIN_CSRF = "fairloop_login_csrf"
SESSION_SECONDS = 14 * 24 * 3600


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def cookie_name(request: Request, base: str) -> str:
    """Over HTTPS the ``__Host-`` prefix makes the browser refuse the cookie unless it
    is Secure, host-only and for path /: no subdomain or plain-HTTP page can plant it."""
    return f"__Host-{base}" if _secure(request) else base


def read_cookie(request: Request, base: str) -> str | None:
    return request.cookies.get(cookie_name(request, base))


def set_cookie(
    response: Response,
    request: Request,
    base: str,
    value: str,
    *,
    samesite: Literal["lax", "strict"] = "lax",
    max_age: int | None = None,
) -> None:
    response.set_cookie(
        cookie_name(request, base),
        value,
        httponly=True,
        samesite=samesite,
        secure=_secure(request),
        path="/",
        max_age=max_age,
    )


def clear_cookie(response: Response, request: Request, base: str) -> None:
    response.delete_cookie(
        cookie_name(request, base), path="/", secure=_secure(request), httponly=True
    )


class LoginRequired(FairloopError):
    """Raised on a page when nobody is logged in; rendered as a redirect to /login."""

    status = 303
    code = "login_required"


def page_actor(request: Request) -> Actor:
    secret = read_cookie(request, COOKIE)
    if not secret:
        raise LoginRequired("please log in")
    try:
        actor, csrf, locale = actor_for_session(get_db(request), secret)
    except FairloopError:
        raise LoginRequired("please log in") from None
    request.state.actor = actor
    request.state.csrf = csrf
    request.state.locale = locale  # the pages' language (web/i18n.py), if set
    # The inbox count shown on every page.
    request.state.inbox_unread = unread_count(get_db(request), actor.id)
    return actor


PageActor = Annotated[Actor, Depends(page_actor)]


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = getattr(request.state, "csrf", None)
    if not expected or not submitted or not hmac.compare_digest(expected, submitted):
        raise Forbidden(
            "the form expired; reload the page and try again", code="csrf", field="csrf"
        )


def set_session_cookie(response: Response, secret: str, request: Request) -> None:
    set_cookie(response, request, COOKIE, secret, max_age=SESSION_SECONDS)
