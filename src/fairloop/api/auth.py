from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from fairloop.errors import InvalidInput, Unauthorized
from fairloop.http.body import json_body, require_object
from fairloop.http.client import client_address
from fairloop.http.deps import current_actor, get_db
from fairloop.http.ratelimit import PasswordAttempt
from fairloop.services import accounts
from fairloop.services.accounts import token_for_password

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


def _required(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise InvalidInput(f"{name} is required", field=name)
    return value


@router.post("/token")
async def create_token(request: Request) -> dict[str, str]:
    """A new API token for an email and password."""
    body = require_object(await json_body(request, limit=10_000))
    email, password = _required(body, "email"), _required(body, "password")
    attempt = PasswordAttempt(email, client_address(request))
    try:
        token = await run_in_threadpool(token_for_password, get_db(request), email, password)
    except Unauthorized:
        attempt.failed()
        raise
    attempt.succeeded()
    return {"token": token}


@router.post("/password")
async def change_password(request: Request) -> dict[str, str]:
    """Change the caller's password: every session and API token ends, and a new
    token comes back."""
    db = get_db(request)
    actor = await run_in_threadpool(current_actor, request, db)
    body = require_object(await json_body(request, limit=10_000))
    current, new = _required(body, "current"), _required(body, "new")
    attempt = PasswordAttempt(actor.email, client_address(request))
    try:
        token = await run_in_threadpool(accounts.change_password, db, actor, current, new)
    except Unauthorized:
        attempt.failed()
        raise
    attempt.succeeded()
    return {"token": token}
