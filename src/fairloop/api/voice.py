"""Workers' voice: a project's question thread, and rating its requester."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from fairloop.http.body import json_body, require_object
from fairloop.http.deps import ActorDep, DatabaseDep, Id, call_as_actor
from fairloop.services import voice

router = APIRouter(prefix="/api/v1", tags=["voice"])

MAX_BODY = 20_000


@router.get("/projects/{project_id}/questions")
def get_questions(
    project_id: Id,
    db: DatabaseDep,
    actor: ActorDep,
    cursor: str | None = None,
    limit: int = 20,
) -> dict[str, Any]:
    """The project's questions, newest first, each with the requester's answers:
    ``{"items": [{"id", "pseudonym", "mine", "text", "created_at", "answers": [{"id",
    "by", "text", "created_at"}]}], "next_cursor"}``. Workers appear by pseudonym only.
    For the project's workers and its requesters."""
    return voice.questions(db, actor, project_id, cursor=cursor, limit=limit)


@router.post("/projects/{project_id}/questions", status_code=201)
async def post_question(project_id: Id, request: Request) -> dict[str, Any]:
    """``{"text": ".."}`` (1-2,000 characters): a worker who consented asks the
    requester, shown under their pseudonym; at most 5 an hour (429 past that)."""
    body = require_object(await json_body(request, limit=MAX_BODY))
    return await call_as_actor(
        request, lambda db, actor: voice.ask(db, actor, project_id, body.get("text"))
    )


@router.post("/questions/{question_id}/answers", status_code=201)
async def post_answer(question_id: Id, request: Request) -> dict[str, Any]:
    """``{"text": ".."}`` (1-2,000 characters): the project's requester answers."""
    body = require_object(await json_body(request, limit=MAX_BODY))
    return await call_as_actor(
        request, lambda db, actor: voice.answer(db, actor, question_id, body.get("text"))
    )


@router.get("/projects/{project_id}/rating")
def get_rating(project_id: Id, db: DatabaseDep, actor: ActorDep) -> dict[str, Any]:
    """The worker's own rating of the project's requester (``rating``: null if none)
    and whether they may rate (``may_rate``: after working on the project)."""
    return voice.my_rating(db, actor, project_id)


@router.put("/projects/{project_id}/rating")
async def put_rating(project_id: Id, request: Request) -> dict[str, Any]:
    """``{"clarity", "fairness", "pay"}``, each 1-5: rate the requester, once per
    project (a second PUT changes it). Anonymous: the requester record shows only
    averages over at least 5 workers, from the Monday after a rating is given."""
    body = require_object(await json_body(request, limit=MAX_BODY))
    return await call_as_actor(request, lambda db, actor: voice.rate(db, actor, project_id, body))
