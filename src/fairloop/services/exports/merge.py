"""Per-item results joined to their items by one ordered pass over each, instead of
reading an item's data once for every submission to it."""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection, select

from fairloop.db.models import Item
from fairloop.db.stream import stream

T = TypeVar("T")


class ItemData(Protocol):
    """A row of :func:`items_in_order` (streamed as it comes: exports read millions)."""

    id: int
    external_id: str | None
    data: dict[str, Any]


def items_in_order(conn: Connection, project_id: int) -> Generator[ItemData, None, None]:
    """The project's items that are not gold, by id: ``(id, external_id, data)``."""
    query = (
        select(Item.id, Item.external_id, Item.data)
        .where(Item.project_id == project_id, Item.gold.is_(None))
        .order_by(Item.id)
    )
    return stream(conn, query)


def with_items(
    conn: Connection, project_id: int, results: Iterable[tuple[int, T]]
) -> Iterator[tuple[ItemData, T]]:
    """Pair each ``(item_id, result)`` (sorted by item id) with its item row; results of
    gold or unknown items are dropped."""
    items = items_in_order(conn, project_id)
    try:
        item = next(items, None)
        for item_id, result in results:
            while item is not None and item.id < item_id:
                item = next(items, None)
            if item is None:
                return
            if item.id == item_id:
                yield item, result
    finally:
        items.close()
