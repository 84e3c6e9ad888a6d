"""Checks an answer needs beyond its own layout: what it refers to must exist for this
assignment (a recorded take; a red-team conversation). Called by ``submit``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from fairloop.db.models import Turn
from fairloop.errors import InvalidInput
from fairloop.services.work.media import check_answer_media
from fairloop.services.work.rows import SubmitAssignment


def check_references(
    session: Connection, assignment: SubmitAssignment, answer: dict[str, Any]
) -> None:
    task_type = assignment.spec["task"]["type"]
    if task_type == "record":
        check_answer_media(session, assignment, answer)
    elif task_type == "redteam":
        replied = session.execute(
            select(Turn.id)
            .where(Turn.assignment_id == assignment.id, Turn.role == "assistant")
            .limit(1)
        ).first()
        if replied is None:
            raise InvalidInput(
                "talk with the model before judging the attempt: no reply yet", field="answer"
            )
