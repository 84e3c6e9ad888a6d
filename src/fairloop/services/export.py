"""Datasets out of a project, as row iterators that stream from the database."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby
from typing import Any

from sqlalchemy import and_, select

from fairloop.db.engine import Database
from fairloop.db.models import Item, Project, Submission
from fairloop.domain.actors import Actor
from fairloop.domain.consensus import majority
from fairloop.errors import InvalidInput
from fairloop.services.access import project_for_requester
from fairloop.services.exports import DATASETS, FEEDBACK_TYPES, check_fits, dataset_rows
from fairloop.services.exports.raw import raw_rows

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
    **{name: d.columns for name, d in DATASETS.items()},
}
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
    """One row per item with at least one counted submission, by majority vote."""
    query = (
        select(Item.id, Item.external_id, Submission.answer)
        .join(Submission, and_(Submission.item_id == Item.id, Submission.counted.is_(True)))
        .where(Item.project_id == project_id, Item.gold.is_(None))
        .order_by(Item.seq, Submission.id)
        .execution_options(yield_per=YIELD_PER)
    )
    with db.transaction(readonly=True) as session:
        project = session.get(Project, project_id)
        assert project is not None
        labels = project.spec["task"].get("labels", [])
        rows = session.execute(query)
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
