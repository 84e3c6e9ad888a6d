"""Datasets out of a project, as row iterators that stream from the database."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby
from typing import Any

from sqlalchemy import Select, and_, func, select

from fairloop.db.engine import Database
from fairloop.db.models import Item, Project, Submission
from fairloop.domain.actors import Actor
from fairloop.domain.consensus import majority
from fairloop.domain.questions import primary_answer, primary_question
from fairloop.errors import InvalidInput
from fairloop.services import export_tasks
from fairloop.services.access import project_for_requester
from fairloop.services.aggregation import decide
from fairloop.services.exports import DATASETS, FEEDBACK_TYPES, check_fits, dataset_rows
from fairloop.services.exports.raw import COLUMNS as RAW_COLUMNS
from fairloop.services.exports.raw import raw_rows
from fairloop.services.votes import project_votes

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
    **{name: d.columns for name, d in DATASETS.items()},
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
        spec = project.spec
    if fmt == "raw":
        return raw_rows(db, project_id)
    if fmt in TASK_ROWS:
        if spec["task"]["type"] != fmt:
            raise InvalidInput(
                f"the {fmt} export is for {fmt} projects; this one is {spec['task']['type']}",
                field="format",
            )
        return TASK_ROWS[fmt](db, project_id)
    if fmt in DATASETS:
        check_fits(fmt, spec["task"]["type"])
        if fmt == "dpo" and spec["task"]["type"] == "rate" and not spec["task"].get("pairs"):
            raise InvalidInput(
                "a dpo dataset from a rate project needs task.pairs in the spec", field="format"
            )
        if fmt == "sft" and spec["task"].get("mode") == "prompt":
            raise InvalidInput(
                "prompts written without a reply are not SFT data; export raw", field="format"
            )
        return dataset_rows(db, fmt, project_id, spec)
    if spec["task"]["type"] in FEEDBACK_TYPES:
        raise InvalidInput(
            f"aggregated is for label projects; a {spec['task']['type']} project exports "
            "raw, dpo, sft, ratings or rankings",
            field="format",
        )
    return _aggregated(db, project_id)


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
