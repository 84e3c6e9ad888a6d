"""``aggregated``: one row per data item of a ``label`` or ``review`` project, its answer
decided by the project's aggregation method."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby
from typing import Any

from sqlalchemy import Select, and_, func, select

from fairloop.db.engine import Database
from fairloop.db.models import Item, Project, Submission
from fairloop.domain.consensus import majority
from fairloop.domain.questions import primary_answer, primary_question
from fairloop.services.quality.aggregation import decide
from fairloop.services.quality.votes import project_votes

COLUMNS = {
    "item_id": "int",
    "external_id": "str",
    "answer": "json",
    "confidence": "float",
    "submissions": "int",
    "method": "str",
}
YIELD_PER = 2_000


def aggregated_rows(db: Database, project_id: int) -> Iterator[dict[str, Any]]:
    """One row per data item with at least one counted submission, decided by the
    project's aggregation method (see services.quality.aggregation)."""
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


def _counted_per_item(project_id: int) -> Select[int, str | None, int]:
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
