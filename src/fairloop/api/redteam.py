"""Red-team turns over the API: one message to the project's model, its reply back."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from fairloop.http.body import json_body, require_object
from fairloop.http.deps import Id, call_as_actor
from fairloop.http.turns import MAX_TURN_BODY, ndjson, turn_request
from fairloop.services.work import redteam

router = APIRouter(prefix="/api/v1/assignments", tags=["assignments"])


@router.post("/{assignment_id}/turns", status_code=201, response_model=None)
async def post_turn(assignment_id: Id, request: Request, stream: bool = False) -> Response:
    """Send the worker's message to the model; 201 with the reply
    ``{"role": "assistant", "content", "seq", "turns_used"}``. ``{"retry": true}`` asks
    again for the last unanswered message. ``?stream=true`` answers with JSON lines:
    ``{"delta"}`` pieces, then ``{"done": turn}`` or ``{"error", "retry": true}``."""
    content, retry = turn_request(require_object(await json_body(request, limit=MAX_TURN_BODY)))
    db = request.app.state.db
    pending = await call_as_actor(
        request,
        lambda db, actor: redteam.begin_turn(db, actor, assignment_id, content, retry=retry),
        limiter=redteam.turn_limiter(),
    )
    if stream:
        return StreamingResponse(
            ndjson(redteam.turn_events(db, pending)), media_type="application/x-ndjson"
        )
    return JSONResponse(await redteam.take_turn(db, pending), status_code=201)


@router.get("/{assignment_id}/turns")
async def get_turns(assignment_id: Id, request: Request) -> list[dict[str, Any]]:
    """The transcript so far, oldest first."""
    return await call_as_actor(
        request, lambda db, actor: redteam.transcript(db, actor, assignment_id)
    )
