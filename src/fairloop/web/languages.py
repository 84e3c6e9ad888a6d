"""The language picker on every page: the choice is kept in a cookie, and for a
signed-in user as their setting (``users.locale``), so it follows them to any device."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from fairloop.domain import languages
from fairloop.domain.actors import Actor
from fairloop.errors import InvalidInput
from fairloop.http.deps import get_db
from fairloop.services.accounts import set_locale
from fairloop.web.auth import safe_next
from fairloop.web.i18n import COOKIE
from fairloop.web.session import COOKIE as SESSION
from fairloop.web.session import LoginRequired, check_csrf, page_actor, read_cookie, set_cookie

router = APIRouter(include_in_schema=False)
YEAR = 365 * 24 * 3600


def _signed_in(request: Request) -> Actor | None:
    if not read_cookie(request, SESSION):
        return None
    try:
        return page_actor(request)
    except LoginRequired:
        return None


@router.post("/language")
async def choose_language(request: Request) -> Response:
    """``locale`` (a code of domain/languages.py), ``next`` (the page to go back to) and,
    when signed in, ``csrf``: the choice becomes the user's setting too."""
    form = await request.form()
    values = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    code = languages.known(values.get("locale"))
    if code is None:
        raise InvalidInput(
            "locale must be one of " + ", ".join(languages.LANGUAGES), field="locale"
        )
    actor = await run_in_threadpool(_signed_in, request)
    if actor is not None:
        check_csrf(request, values.get("csrf"))
        await run_in_threadpool(set_locale, get_db(request), actor, code)
    target = safe_next(values.get("next"), actor.role if actor else "worker")
    response = RedirectResponse(target if actor or target != "/work" else "/login", 303)
    set_cookie(response, request, COOKIE, code, max_age=YEAR)
    return response
