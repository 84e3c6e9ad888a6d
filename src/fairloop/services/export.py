"""Datasets out of a project, as row iterators that stream from the database."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby
from typing import Any

from sqlalchemy import Select, and_, func, select

from fairloop.db.engine import Database
from fairloop.db.models import Assignment, Item, Project, ProjectWorker, Submission
from fairloop.domain.actors import Actor
from fairloop.domain.consensus import majority
from fairloop.domain.questions import primary_answer, primary_question
from fairloop.errors import InvalidInput
from fairloop.services import export_tasks
from fairloop.services.access import project_for_requester
from fairloop.services.aggregation import decide
from fairloop.services.votes import project_votes

RAW_COLUMNS = {
    "submission_id": "int",
    "item_id": "int",
    "external_id": "str",
    "worker": "str",
    "answer": "json",
    "active_seconds": "int",
    "submitted_at": "str",
    "assignment_id": "int",
    "shown": "json",
    "late": "bool",
    "counted": "bool",
    "review_state": "str",
}
AGGREGATED_COLUMNS = {
    "item_id": "int",
    "external_id": "str",
    "answer": "json",
    "confidence": "float",
    "submissions": "int",
    "method": "str",
}
FORMATS = {
    "raw": RAW_COLUMNS,
    "aggregated": AGGREGATED_COLUMNS,
    "redteam": export_tasks.REDTEAM_COLUMNS,
    "record": export_tasks.RECORD_COLUMNS,
}
TASK_ROWS = {"redteam": export_tasks.redteam_rows, "record": export_tasks.record_rows}
YIELD_PER = 2_000


def columns_for(fmt: str) -> dict[str, str]:
    if fmt not in FORMATS:
        raise InvalidInput(
            f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}", field="format"
        )
    return FORMATS[fmt]


def export_rows(db: Database, actor: Actor, project_id: int, fmt: str) -> Iterator[dict[str, Any]]:
    """Check access now (so errors come before any byte is sent), then stream rows."""
    columns_for(fmt)
    with db.transaction(readonly=True) as session:
        project = project_for_requester(session, actor, project_id)
        if fmt in TASK_ROWS and project.task_type != fmt:
            raise InvalidInput(
                f"the {fmt} export is for {fmt} projects; this one is {project.task_type}",
                field="format",
            )
    if fmt in TASK_ROWS:
        return TASK_ROWS[fmt](db, project_id)
    return _raw(db, project_id) if fmt == "raw" else _aggregated(db, project_id)


def _raw(db: Database, project_id: int) -> Iterator[dict[str, Any]]:
    query = (
        select(Submission, Item.external_id, ProjectWorker.pseudonym, Assignment.shown)
        .join(Item, Item.id == Submission.item_id)
        .join(Assignment, Assignment.id == Submission.assignment_id)
        .join(
            ProjectWorker,
            and_(
                ProjectWorker.project_id == Submission.project_id,
                ProjectWorker.user_id == Submission.worker_id,
            ),
        )
        .where(Submission.project_id == project_id)
        .order_by(Submission.id)
        .execution_options(yield_per=YIELD_PER)
    )
    with db.transaction(readonly=True) as session:
        for sub, external_id, pseudonym, shown in session.execute(query):
            yield {
                "submission_id": sub.id,
                "item_id": sub.item_id,
                "external_id": external_id,
                "worker": pseudonym,
                "answer": sub.answer,
                "active_seconds": sub.active_seconds,
                "submitted_at": sub.submitted_at.isoformat(),
                "assignment_id": sub.assignment_id,
                "shown": shown,
                "late": sub.late,
                "counted": sub.counted,
                "review_state": sub.review_state,
            }


def _aggregated(db: Database, project_id: int) -> Iterator[dict[str, Any]]:
    """One row per data item with at least one counted submission, decided by the
    project's aggregation method (see services.aggregation)."""
    with db.transaction(readonly=True) as session:
        project = session.get(Project, project_id)
        assert project is not None
        task, configured = (
            project.spec["task"],
            project.spec.get("quality", {}).get("method", "auto"),
        )
    question = primary_question(task)
    if question is None:
        yield from _majority_rows(db, project_id, task)
        return
    decisions = decide(project_votes(db, project_id, task), question, configured)
    with db.core_transaction(readonly=True) as conn:
        for item_id, external_id, count in conn.execute(_counted_per_item(project_id)):
            value, confidence = decisions.values.get(item_id, (None, None))
            yield {
                "item_id": item_id,
                "external_id": external_id,
                "answer": primary_answer(task, value) if value is not None else None,
                "confidence": round(confidence, 6) if confidence is not None else None,
                "submissions": count,
                "method": decisions.method,
            }


def _counted_per_item(project_id: int) -> Select[tuple[int, str | None, int]]:
    return (
        select(Item.id, Item.external_id, func.count(Submission.id))
        .join(Submission, and_(Submission.item_id == Item.id, Submission.counted.is_(True)))
        .where(Item.project_id == project_id, Item.gold.is_(None))
        .group_by(Item.id, Item.external_id, Item.seq)
        .order_by(Item.seq)
        .execution_options(yield_per=YIELD_PER)
    )


def _majority_rows(db: Database, project_id: int, task: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Multi-label and free-form answers: a vote per whole answer, item by item."""
    query = (
        select(Item.id, Item.external_id, Submission.answer)
        .join(Submission, and_(Submission.item_id == Item.id, Submission.counted.is_(True)))
        .where(Item.project_id == project_id, Item.gold.is_(None))
        .order_by(Item.seq, Submission.id)
        .execution_options(yield_per=YIELD_PER)
    )
    labels = task.get("labels", [])
    with db.core_transaction(readonly=True) as conn:
        rows = conn.execute(query)
        for (item_id, external_id), group in groupby(rows, key=lambda r: (r[0], r[1])):
            answers = [r[2] for r in group]
            answer, confidence = majority(answers, labels)
            yield {
                "item_id": item_id,
                "external_id": external_id,
                "answer": answer,
                "confidence": round(confidence, 6) if confidence is not None else None,
                "submissions": len(answers),
                "method": "mv",
            }
