"""``ratings``: per item and criterion, the mean, the median and the count; and per
item and flag, how many workers raised it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from itertools import groupby
from typing import Any

from sqlalchemy import select

from fairloop.db.engine import Database
from fairloop.db.models import Submission
from fairloop.db.stream import stream
from fairloop.domain.preferences import summary
from fairloop.services.exports.merge import with_items

COLUMNS = {
    "item_id": "int",
    "external_id": "str",
    "criterion": "str",
    "mean": "float",
    "median": "float",
    "count": "int",
    "flagged": "int",
}
TASK_TYPES = ("rate",)


def ratings_rows(db: Database, project_id: int, spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    criteria = [c["name"] for c in spec["task"]["criteria"]]
    flags = spec["task"].get("flags", [])
    query = (
        select(Submission.item_id, Submission.answer)
        .where(Submission.project_id == project_id, Submission.counted.is_(True))
        .order_by(Submission.item_id, Submission.id)
    )
    with db.core_transaction(readonly=True) as conn:
        rows = stream(conn, query)
        answers = ((i, [r[1] for r in g]) for i, g in groupby(rows, key=lambda r: r[0]))
        for item, given in with_items(conn, project_id, answers):
            base = {"item_id": item.id, "external_id": item.external_id}
            for name in criteria:
                mean, median, count = summary([a["ratings"][name] for a in given])
                yield {**base, "criterion": name, "mean": round(mean, 6), "median": median,
                       "count": count, "flagged": None}  # fmt: skip
            raised = Counter(f for a in given for f in a.get("flags", []))
            for flag in flags:
                yield {**base, "criterion": f"flag:{flag}", "mean": None, "median": None,
                       "count": len(given), "flagged": raised[flag]}  # fmt: skip
