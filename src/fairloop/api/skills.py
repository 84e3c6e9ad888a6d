"""Skills: admins grant them; a worker reads their own."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from fairloop.http.body import json_body, require_object
from fairloop.http.deps import ActorDep, DatabaseDep, call_as_actor
from fairloop.services.work import skills

router = APIRouter(prefix="/api/v1", tags=["skills"])


@router.post("/skills")
async def post_skill(request: Request) -> dict[str, Any]:
    """Admin: ``{"email", "skill", "level"}`` grants a worker a skill (``language:sw``)."""
    body = require_object(await json_body(request))
    return await call_as_actor(
        request,
        lambda db, actor: skills.grant_skill(
            db, actor, body.get("email"), body.get("skill"), level=body.get("level")
        ),
    )


@router.get("/me/skills")
def get_my_skills(db: DatabaseDep, actor: ActorDep) -> dict[str, int]:
    """The signed-in worker's skills and levels."""
    return skills.my_skills(db, actor)
