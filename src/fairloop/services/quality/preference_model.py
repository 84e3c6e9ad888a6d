"""Preferences decided by the project's aggregation method, not by a plain count.

Each worker's top pick becomes a label that means the same on every item: the
position of the picked response in the item's ``responses`` (or ``tie``). Over those
labels Dawid-Skene and the other methods of :mod:`fairloop.quality` learn how far to
trust each worker, so a careless worker's pick weighs less in ``dpo`` and
``rankings``. Majority vote keeps the streaming count of
:func:`fairloop.domain.preferences.aggregate_preference`.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import groupby
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select

from fairloop.db.models import Item, Submission
from fairloop.db.stream import stream
from fairloop.domain.consensus import choose_method
from fairloop.domain.preferences import Order, aggregate_order, lead_with

if TYPE_CHECKING:  # numpy loads only when a model runs
    import numpy as np


@dataclass(frozen=True, slots=True)
class ModelledPick:
    """An item's top pick by the model: a response id, or None for a tie."""

    winner: str | None
    confidence: float
    votes: int
    agreement: float


class Picks(Mapping[int, ModelledPick]):
    """Per item (by id) the modelled pick, kept as arrays: a dict of a third of a
    million pick objects was a fifth of a large export's memory."""

    def __init__(
        self,
        positions: dict[int, tuple[str, ...]],
        items: np.ndarray,
        codes: np.ndarray,
        confidence: np.ndarray,
        votes: np.ndarray,
        agreed: np.ndarray,
    ):
        self._positions = positions
        self._items, self._codes, self._confidence = items, codes, confidence
        self._votes, self._agreed = votes, agreed

    def _at(self, k: int) -> ModelledPick:
        item, code = int(self._items[k]), int(self._codes[k])
        return ModelledPick(
            None if code == TIE_CODE else self._positions[item][code],
            float(self._confidence[k]),
            int(self._votes[k]),
            float(self._agreed[k] / self._votes[k]),
        )

    def __getitem__(self, item_id: int) -> ModelledPick:
        k = int(self._items.searchsorted(item_id))
        if k == len(self._items) or self._items[k] != item_id:
            raise KeyError(item_id)
        return self._at(k)

    def __iter__(self) -> Iterator[int]:
        return iter(self._items.tolist())

    def __len__(self) -> int:
        return len(self._items)

    def items(self) -> Iterator[tuple[int, ModelledPick]]:  # type: ignore[override]
        """In item id order."""
        return ((int(self._items[k]), self._at(k)) for k in range(len(self._items)))


@dataclass(frozen=True, slots=True)
class PickModel:
    """Per item the modelled pick; per worker the method's reliability."""

    method: str
    picks: Mapping[int, ModelledPick]
    reliability: dict[int, float]


def project_method(conn: Connection, project_id: int, spec: dict[str, Any]) -> str:
    """The method the spec chose, with ``auto`` resolved by the number of items answered."""
    configured = spec.get("quality", {}).get("method", "auto")
    answered = conn.scalar(
        select(func.count(func.distinct(Submission.item_id))).where(
            Submission.project_id == project_id, Submission.counted.is_(True)
        )
    )
    return choose_method(configured, int(answered or 0))


# Labels are positions 0-8, and this code for a tie: after every position, as "tie"
# sorts after "0".."8", so the method's smallest-label rule breaks even odds alike.
TIE_CODE = 9


def model_picks(conn: Connection, project_id: int, task_type: str, method: str) -> PickModel:
    """Run ``method`` over every worker's top pick of the project's non-gold items."""
    import numpy as np

    from fairloop.quality import aggregate

    positions = _response_positions(conn, project_id, 2 if task_type == "compare" else 9)
    # The database takes the one value out of each answer, as text (no JSON parsing
    # here): the preferred id, or the first place of an order, which is JSON text when
    # it is a tied group, so it matches no id and counts as a tie.
    first = Submission.answer["preferred"] if task_type == "compare" else Submission.answer[("order", 0)]  # fmt: skip
    query = (
        select(Submission.item_id, Submission.worker_id, first.as_string())
        .where(Submission.project_id == project_id, Submission.counted.is_(True))
        .order_by(Submission.item_id, Submission.id)
    )
    items, workers, codes = array("q"), array("q"), array("b")
    for item_id, worker_id, pick in stream(conn, query):
        ids = positions.get(item_id)
        if ids is None:
            continue  # a gold item: it measures workers, it is not data
        pick = str(pick)
        items.append(item_id)
        workers.append(worker_id)
        codes.append(ids.index(pick) if pick in ids else TIE_CODE)
    if not items:
        return PickModel(method, {}, {})
    item_arr = np.frombuffer(items, dtype=np.int64)
    code_arr = np.frombuffer(codes, dtype=np.int8)
    result = aggregate(method, item_arr, np.frombuffer(workers, dtype=np.int64), code_arr)
    row_item = np.searchsorted(result.items, item_arr)
    n = len(result.items)
    votes = np.bincount(row_item, minlength=n)
    agreed = np.bincount(row_item, weights=code_arr == result.labels[row_item], minlength=n)
    picks = Picks(positions, result.items, result.labels, result.confidence, votes, agreed)
    reliability = dict(zip(result.workers.tolist(), result.reliability.tolist(), strict=True))
    return PickModel(method, picks, reliability)


def _response_positions(conn: Connection, project_id: int, most: int) -> dict[int, tuple[str, ...]]:
    """Per non-gold item, its response ids in order; the database takes the ids out
    of the data, so the responses' texts are never parsed."""
    columns = [Item.data[("responses", k, "id")].as_string() for k in range(most)]
    query = select(Item.id, *columns).where(Item.project_id == project_id, Item.gold.is_(None))
    # Most projects reuse ids ("a", "b") on every item: one shared tuple for each set
    # of ids keeps a large project's map a third of the size.
    shared: dict[tuple[str, ...], tuple[str, ...]] = {}
    positions: dict[int, tuple[str, ...]] = {}
    for row in stream(conn, query):
        ids = tuple(str(v) for v in row[1:] if v is not None)
        positions[row[0]] = shared.setdefault(ids, ids)
    return positions


def modelled_order(
    orders: list[Order], weights: list[float] | None, pick: ModelledPick | None
) -> list[str | list[str]]:
    """The item's order by weighted mean place, led by the model's pick."""
    order = aggregate_order(orders, weights)
    return order if pick is None else lead_with(order, pick.winner)


def ranked_orders(
    conn: Connection, project_id: int, reliability: dict[int, float] | None
) -> Iterator[tuple[int, tuple[list[Order], list[float] | None]]]:
    """Per item (by id) the workers' orders, and their weights when a model gave
    reliabilities (majority vote gives none: every order counts the same)."""
    query = (
        select(Submission.item_id, Submission.worker_id, Submission.answer["order"])
        .where(Submission.project_id == project_id, Submission.counted.is_(True))
        .order_by(Submission.item_id, Submission.id)
    )
    for item_id, group in groupby(stream(conn, query), key=lambda r: r[0]):
        rows = list(group)
        weights = None if reliability is None else [reliability.get(r[1], 0.0) for r in rows]
        yield item_id, ([r[2] for r in rows], weights)
