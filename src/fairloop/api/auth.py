from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from fairloop.api.body import json_body, require_object
from fairloop.api.deps import get_db
from fairloop.api.ratelimit import check_login_rate
from fairloop.errors import InvalidInput
from fairloop.services.accounts import token_for_password

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post("/token")
async def create_token(request: Request) -> dict[str, str]:
    """A new API token for an email and password."""
    body = require_object(await json_body(request, limit=10_000))
    email, password = body.get("email"), body.get("password")
    for name, value in (("email", email), ("password", password)):
        if not isinstance(value, str) or not value:
            raise InvalidInput(f"{name} is required", field=name)
    check_login_rate(email, request.client.host if request.client else "")
    token = await run_in_threadpool(token_for_password, get_db(request), email, password)
    return {"token": token}
