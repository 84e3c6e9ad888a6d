"""``rankings``: per item, the aggregated order (best first, by mean place) with each
response's mean place."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby
from typing import Any

from sqlalchemy import select

from fairloop.db.engine import Database
from fairloop.db.models import Submission
from fairloop.domain.preferences import aggregate_order, mean_positions
from fairloop.services.exports.common import stream
from fairloop.services.exports.merge import with_items

COLUMNS = {
    "item_id": "int",
    "external_id": "str",
    "order": "json",
    "mean_place": "json",
    "submissions": "int",
}
TASK_TYPES = ("rank",)


def rankings_rows(db: Database, project_id: int, spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    query = (
        select(Submission.item_id, Submission.answer)
        .where(Submission.project_id == project_id, Submission.counted.is_(True))
        .order_by(Submission.item_id, Submission.id)
    )
    with db.core_transaction(readonly=True) as conn:
        rows = stream(conn, query)
        orders = ((i, [r[1]["order"] for r in g]) for i, g in groupby(rows, key=lambda r: r[0]))
        for item, item_orders in with_items(conn, project_id, orders):
            means = mean_positions(item_orders)
            yield {
                "item_id": item.id,
                "external_id": item.external_id,
                "order": aggregate_order(item_orders),
                "mean_place": {k: round(v, 6) for k, v in sorted(means.items())},
                "submissions": len(item_orders),
            }
