"""Preferences decided by the project's aggregation method, not by a plain count.

Each worker's top pick becomes a label that means the same on every item: the
position of the picked response in the item's ``responses`` (or ``tie``). Over those
labels Dawid-Skene and the other methods of :mod:`fairloop.quality` learn how far to
trust each worker, so a careless worker's pick weighs less in ``dpo`` and
``rankings``. Majority vote keeps the streaming count of
:func:`fairloop.domain.preferences.aggregate_preference`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from sqlalchemy import Connection, func, select

from fairloop.db.models import Item, Submission
from fairloop.domain.consensus import choose_method
from fairloop.domain.preferences import TIE, Order, aggregate_order, lead_with
from fairloop.services.aggregation import run_method
from fairloop.services.exports.common import stream
from fairloop.services.votes import QuestionVotes


@dataclass(frozen=True, slots=True)
class ModelledPick:
    """An item's top pick by the model: a response id, or None for a tie."""

    winner: str | None
    confidence: float
    votes: int
    agreement: float


@dataclass(frozen=True, slots=True)
class PickModel:
    """Per item the modelled pick; per worker the method's reliability."""

    method: str
    picks: dict[int, ModelledPick]
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


def top_pick(task_type: str, answer: dict[str, Any]) -> str:
    """A worker's first choice: the preferred id, or the first of a ranked order."""
    if task_type == "compare":
        return str(answer["preferred"])
    first = answer["order"][0]
    return first if isinstance(first, str) else TIE


def model_picks(conn: Connection, project_id: int, task_type: str, method: str) -> PickModel:
    """Run ``method`` over every worker's top pick of the project's non-gold items."""
    positions = _response_positions(conn, project_id)
    votes = QuestionVotes("nominal")
    # The database picks the one field out of each answer: parsing a million whole
    # answers in Python was most of the dataset's time.
    field = "preferred" if task_type == "compare" else "order"
    query = (
        select(Submission.item_id, Submission.worker_id, Submission.answer[field])
        .where(Submission.project_id == project_id, Submission.counted.is_(True))
        .order_by(Submission.item_id, Submission.id)
    )
    for item_id, worker_id, value in stream(conn, query):
        ids = positions.get(item_id)
        if ids is None:
            continue  # a gold item: it measures workers, it is not data
        pick = top_pick(task_type, {field: value})
        votes.items.append(item_id)
        votes.workers.append(worker_id)
        # Strings throughout: the quality library refuses a label column of mixed types.
        votes.values.append(TIE if pick == TIE else str(ids.index(pick)))
    if not votes.items:
        return PickModel(method, {}, {})
    result = run_method(method, votes, {})
    labels = dict(zip(result.items.tolist(), result.labels.tolist(), strict=True))
    confidence = dict(zip(result.items.tolist(), result.confidence.tolist(), strict=True))
    counts: dict[int, list[int]] = {item: [0, 0] for item in labels}
    for item, value in zip(votes.items, votes.values, strict=True):
        counts[item][0] += 1
        counts[item][1] += value == labels[item]
    picks = {
        item: ModelledPick(
            None if label == TIE else positions[item][int(label)],
            float(confidence[item]),
            counts[item][0],
            counts[item][1] / counts[item][0],
        )
        for item, label in labels.items()
    }
    reliability = dict(zip(result.workers.tolist(), result.reliability.tolist(), strict=True))
    return PickModel(method, picks, reliability)


def _response_positions(conn: Connection, project_id: int) -> dict[int, list[str]]:
    query = select(Item.id, Item.data["responses"]).where(
        Item.project_id == project_id, Item.gold.is_(None)
    )
    return {
        item_id: [str(r["id"]) for r in responses or []]
        for item_id, responses in stream(conn, query)
    }


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
