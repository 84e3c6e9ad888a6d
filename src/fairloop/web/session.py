"""The login cookie and CSRF checks for pages."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from fairloop.api.deps import get_db
from fairloop.domain.actors import Actor
from fairloop.errors import FairloopError, Forbidden
from fairloop.services.accounts import actor_for_session

COOKIE = "fairloop_session"


class LoginRequired(FairloopError):
    """Raised on a page when nobody is logged in; rendered as a redirect to /login."""

    status = 303
    code = "login_required"


def page_actor(request: Request) -> Actor:
    secret = request.cookies.get(COOKIE)
    if not secret:
        raise LoginRequired("please log in")
    try:
        actor, csrf = actor_for_session(get_db(request), secret)
    except FairloopError:
        raise LoginRequired("please log in") from None
    request.state.actor = actor
    request.state.csrf = csrf
    return actor


PageActor = Annotated[Actor, Depends(page_actor)]


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = getattr(request.state, "csrf", None)
    if not expected or not submitted or not hmac.compare_digest(expected, submitted):
        raise Forbidden(
            "the form expired; reload the page and try again", code="csrf", field="csrf"
        )


def set_session_cookie(response, secret: str, request: Request) -> None:  # type: ignore[no-untyped-def]
    response.set_cookie(
        COOKIE,
        secret,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
        max_age=14 * 24 * 3600,
    )
