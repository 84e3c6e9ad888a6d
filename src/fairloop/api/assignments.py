from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from fairloop.api.body import json_body, require_object
from fairloop.api.deps import current_actor, get_db
from fairloop.services import assign
from fairloop.services.submit import submit

router = APIRouter(prefix="/api/v1/assignments", tags=["assignments"])


@router.post("/{assignment_id}/submission", status_code=201)
async def post_submission(
    assignment_id: int,
    request: Request,
    idempotency_key: str | None = Header(default=None),
) -> JSONResponse:
    """Store the answer: 201 the first time, 200 with the same body on a replay."""
    db = get_db(request)
    actor = await run_in_threadpool(current_actor, request, db)
    body = require_object(await json_body(request))
    stored, replayed = await run_in_threadpool(
        lambda: submit(
            db,
            actor,
            assignment_id,
            body.get("answer"),
            active_seconds=body.get("active_seconds", 0),
            idempotency_key=idempotency_key,
        )
    )
    return JSONResponse(stored, status_code=200 if replayed else 201)


@router.post("/{assignment_id}/release")
async def post_release(assignment_id: int, request: Request) -> dict[str, Any]:
    db = get_db(request)
    actor = await run_in_threadpool(current_actor, request, db)
    raw = await request.body()
    body = require_object(await json_body(request)) if raw.strip() else {}
    seconds = body.get("active_seconds", 0)
    return await run_in_threadpool(
        lambda: assign.release(
            db, actor, assignment_id, active_seconds=seconds if isinstance(seconds, int) else 0
        )
    )
