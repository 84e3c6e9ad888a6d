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
    """``{"decision": "approve" | "reject", "reason": code, "evidence": ..}``.

    A rejection needs a listed reason and evidence the server checks against the
    stored answer, else 422 naming the field: ``too_fast`` and ``failed_checks`` take
    no evidence (the server finds the figures, or the gold item this answer failed);
    ``low_effort`` takes ``{"quotes": [text found in the answer], "note": why}``;
    ``missing_parts`` takes ``{"parts": ["fields.sources", ..], "note": ..}``, each
    part empty in the answer. From the auto-approval deadline the work is approved
    and a rejection is a 409 ``review_deadline_passed``."""
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
    """Open appeals this admin may decide, oldest first, with the answer and the
    rejection's evidence (admin; none of the admin's own organisations' projects)."""
    return review.open_appeals(db, actor)


@router.post("/appeals/{appeal_id}/decision")
async def post_decision(appeal_id: Id, request: Request) -> dict[str, Any]:
    """``{"decision": "uphold" | "overturn", "note": ".."}`` (admin outside the
    project's organisation, else 403 ``not_independent``); an uphold needs a note the
    worker reads; an overturn pays; an appeal past its deadline was decided for the
    worker (409 ``appeal_closed``)."""
    body = require_object(await json_body(request, limit=20_000))
    return await call_as_actor(
        request,
        lambda db, actor: review.decide_appeal(
            db, actor, appeal_id, body.get("decision"), body.get("note", "")
        ),
    )
