"""``raw``: every submission, with the worker's pseudonym, the time spent and the
order the responses were shown in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import String, Text, cast, select, type_coerce

from fairloop.db.engine import Database
from fairloop.db.models import Assignment, Item, Submission
from fairloop.db.stream import stream
from fairloop.io.writers import RawJson
from fairloop.services.exports.common import pseudonyms

COLUMNS = {
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


def _sqlite_iso(stored: str) -> str:
    """SQLite's stored UTC time ('2026-11-01 09:30:00.250000') as ``isoformat()`` gives
    it, without building a datetime for each of a million rows."""
    micro = stored[20:26]
    return f"{stored[:10]}T{stored[11:19]}{'.' + micro if micro.strip('0') else ''}+00:00"


def raw_rows(db: Database, project_id: int) -> Iterator[dict[str, Any]]:
    sqlite = db.is_sqlite
    submitted = type_coerce(Submission.submitted_at, String) if sqlite else Submission.submitted_at
    query = (
        select(
            Submission.id,
            Submission.item_id,
            Item.external_id,
            Submission.worker_id,
            cast(Submission.answer, Text),
            Submission.active_seconds,
            submitted,
            Submission.assignment_id,
            cast(Assignment.shown, Text),
            Submission.late,
            Submission.counted,
            Submission.review_state,
        )
        .join(Item, Item.id == Submission.item_id)
        .join(Assignment, Assignment.id == Submission.assignment_id)
        # Gold and qualification answers measure workers; they are never data.
        .where(Submission.project_id == project_id, Item.gold.is_(None))
        .order_by(Submission.id)
    )
    with db.core_transaction(readonly=True) as conn:
        names = pseudonyms(conn, project_id)
        for r in stream(conn, query):
            yield {
                "submission_id": r[0],
                "item_id": r[1],
                "external_id": r[2],
                "worker": names.get(r[3]),
                "answer": RawJson(r[4]),
                "active_seconds": r[5],
                "submitted_at": _sqlite_iso(r[6]) if sqlite else r[6].isoformat(),
                "assignment_id": r[7],
                "shown": RawJson(r[8]) if r[8] is not None else None,
                "late": r[9],
                "counted": r[10],
                "review_state": r[11],
            }
