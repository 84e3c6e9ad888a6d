"""Pay beyond the task's own: bonuses from a requester, adjustments from an admin."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Header, Request

from fairloop.http.body import json_body, require_object
from fairloop.http.deps import Id, call_as_actor
from fairloop.services.pay import bonus

router = APIRouter(prefix="/api/v1", tags=["pay"])


@router.post("/projects/{project_id}/bonuses", status_code=201)
async def post_bonus(
    project_id: Id, request: Request, idempotency_key: str | None = Header(default=None)
) -> dict[str, Any]:
    """``{"worker": pseudonym, "amount": "1.50", "note": ".."}`` (requester); on top of
    pay, never counted toward the floor."""
    body = require_object(await json_body(request, limit=10_000))
    return await call_as_actor(
        request, lambda db, actor: bonus.bonus(db, actor, project_id, body, key=idempotency_key)
    )


@router.post("/users/{user_id}/adjustments", status_code=201)
async def post_adjustment(
    user_id: Id, request: Request, idempotency_key: str | None = Header(default=None)
) -> dict[str, Any]:
    """``{"amount": "-0.50", "currency": "USD", "note": ".."}`` (admin): a correction."""
    body = require_object(await json_body(request, limit=10_000))
    return await call_as_actor(
        request, lambda db, actor: bonus.adjust(db, actor, user_id, body, key=idempotency_key)
    )
