"""``redteam``: one row per red-team submission, the conversation as OpenAI chat
messages with the worker's judgement."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from fairloop.db.engine import Database
from fairloop.db.models import Project, Turn
from fairloop.services.exports.common import task_submissions

COLUMNS = {
    "submission_id": "int",
    "item_id": "int",
    "external_id": "str",
    "goal": "str",
    "target_hazard": "str",
    "transcript": "json",
    "success": "bool",
    "hazards": "json",
    "severity": "int",
    "notes": "str",
    "model": "str",
    "worker": "str",
    "active_seconds": "int",
    "submitted_at": "str",
}


def redteam_rows(db: Database, project_id: int) -> Iterator[dict[str, Any]]:
    with db.transaction(readonly=True) as session:
        project = session.get(Project, project_id)
        assert project is not None
        model = project.spec["task"]["model"]["name"]
        for sub, external_id, data, pseudonym in session.execute(task_submissions(project_id)):
            turns = session.scalars(
                select(Turn).where(Turn.assignment_id == sub.assignment_id).order_by(Turn.seq)
            )
            yield {
                "submission_id": sub.id,
                "item_id": sub.item_id,
                "external_id": external_id,
                "goal": data.get("goal"),
                "target_hazard": data.get("hazard"),
                "transcript": [{"role": t.role, "content": t.content} for t in turns],
                "success": sub.answer["success"],
                "hazards": sub.answer["hazards"],
                "severity": sub.answer["severity"],
                "notes": sub.answer.get("notes", ""),
                "model": model,
                "worker": pseudonym,
                "active_seconds": sub.active_seconds,
                "submitted_at": sub.submitted_at.isoformat(),
            }
