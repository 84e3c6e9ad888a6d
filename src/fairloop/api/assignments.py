from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse

from fairloop.http.body import json_body, require_object
from fairloop.http.deps import Id, call_as_actor
from fairloop.services.work import assign, worktime
from fairloop.services.work.submit import submit

router = APIRouter(prefix="/api/v1/assignments", tags=["assignments"])


@router.post("/{assignment_id}/submission", status_code=201)
async def post_submission(
    assignment_id: Id,
    request: Request,
    idempotency_key: str | None = Header(default=None),
) -> JSONResponse:
    """Store the answer: 201 the first time, 200 with the same body on a replay."""
    body = require_object(await json_body(request))
    stored, replayed = await call_as_actor(
        request,
        lambda db, actor: submit(
            db,
            actor,
            assignment_id,
            body.get("answer"),
            active_seconds=body.get("active_seconds"),
            idempotency_key=idempotency_key,
        ),
    )
    return JSONResponse(stored, status_code=200 if replayed else 201)


@router.post("/{assignment_id}/release")
async def post_release(assignment_id: Id, request: Request) -> dict[str, Any]:
    """Give the item back; the time worked is still paid."""
    seconds = (await _optional_body(request)).get("active_seconds")
    return await call_as_actor(
        request, lambda db, actor: assign.release(db, actor, assignment_id, active_seconds=seconds)
    )


async def _optional_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    return require_object(await json_body(request)) if raw.strip() else {}


@router.post("/{assignment_id}/heartbeat")
async def post_heartbeat(assignment_id: Id, request: Request) -> dict[str, Any]:
    """The worker is there: the server credits the time since the last heartbeat, at
    most 30 s, or with ``{"present_ms": N}`` (the client's cumulative count of time
    present) what it counted since its last report, bounded by the wall time."""
    present = (await _optional_body(request)).get("present_ms")
    return await call_as_actor(
        request,
        lambda db, actor: worktime.heartbeat(db, actor, assignment_id, present_ms=present),
    )


@router.post("/{assignment_id}/extension")
async def post_extension(assignment_id: Id, request: Request) -> dict[str, Any]:
    """More time: the lease runs a full lease length from now."""
    return await call_as_actor(request, lambda db, actor: worktime.extend(db, actor, assignment_id))
