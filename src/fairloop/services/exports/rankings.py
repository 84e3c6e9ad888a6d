"""``rankings``: per item, the aggregated order with each response's mean place. The
order is by mean place, each worker weighted by the reliability the project's
aggregation method gives them, and led by that method's pick of the best response."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fairloop.db.engine import Database
from fairloop.domain.preferences import mean_positions
from fairloop.services.exports.merge import with_items
from fairloop.services.quality.preference_model import (
    model_picks,
    modelled_order,
    project_method,
    ranked_orders,
)

COLUMNS = {
    "item_id": "int",
    "external_id": "str",
    "order": "json",
    "mean_place": "json",
    "submissions": "int",
    "confidence": "float",
}
TASK_TYPES = ("rank",)


def rankings_rows(db: Database, project_id: int, spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    with db.core_transaction(readonly=True) as conn:
        method = project_method(conn, project_id, spec)
        model = None if method == "mv" else model_picks(conn, project_id, "rank", method)
        orders = ranked_orders(conn, project_id, model.reliability if model else None)
        for item, (item_orders, weights) in with_items(conn, project_id, orders):
            means = mean_positions(item_orders, weights)
            order = modelled_order(item_orders, weights, model.picks[item.id] if model else None)
            top_share = sum(1 for o in item_orders if o[0] == order[0]) / len(item_orders)
            yield {
                "item_id": item.id,
                "external_id": item.external_id,
                "order": order,
                "mean_place": {k: round(v, 6) for k, v in sorted(means.items())},
                "submissions": len(item_orders),
                "confidence": model.picks[item.id].confidence if model else top_share,
            }
