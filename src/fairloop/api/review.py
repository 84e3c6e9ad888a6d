"""Reviews of submissions and appeals against rejections."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from fairloop.http.body import json_body, require_object
from fairloop.http.deps import ActorDep, DatabaseDep, Id, call_as_actor
from fairloop.services.pay import review

router = APIRouter(prefix="/api/v1", tags=["review"])


@router.post("/submissions/{submission_id}/review")
async def post_review(submission_id: Id, request: Request) -> dict[str, Any]:
    """``{"decision": "approve" | "reject", "reason": code, "evidence": ".."}``: a
    rejection needs a listed reason (``too_fast``, ``failed_checks``,
    ``missing_parts``, ``low_effort``) and, for the last three, evidence; else 422."""
    body = require_object(await json_body(request, limit=20_000))
    return await call_as_actor(
        request, lambda db, actor: review.review(db, actor, submission_id, body)
    )


@router.post("/submissions/{submission_id}/appeal", status_code=201)
async def post_appeal(submission_id: Id, request: Request) -> dict[str, Any]:
    """``{"text": ".."}``: the worker's answer to a rejection of their own work."""
    body = require_object(await json_body(request, limit=20_000))
    return await call_as_actor(
        request, lambda db, actor: review.appeal(db, actor, submission_id, body.get("text"))
    )


@router.get("/appeals")
def get_appeals(db: DatabaseDep, actor: ActorDep) -> list[dict[str, Any]]:
    """Open appeals, oldest first (admin)."""
    return review.open_appeals(db, actor)


@router.post("/appeals/{appeal_id}/decision")
async def post_decision(appeal_id: Id, request: Request) -> dict[str, Any]:
    """``{"decision": "uphold" | "overturn", "note": ".."}`` (admin); an overturn pays."""
    body = require_object(await json_body(request, limit=20_000))
    return await call_as_actor(
        request,
        lambda db, actor: review.decide_appeal(
            db, actor, appeal_id, body.get("decision"), body.get("note", "")
        ),
    )
