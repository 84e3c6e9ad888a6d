"""From many workers' picks to one preference per item: what the ``dpo`` export is
built on. One function, :func:`aggregate_preference`, so that a better model (for
example Dawid-Skene over workers, from :mod:`fairloop.quality`) replaces majority
vote in one place."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from statistics import median
from typing import NamedTuple

TIE = "tie"


class Vote(NamedTuple):
    """One worker's pick on one item: a response id, or ``"tie"``."""

    item_id: int
    worker_id: int
    pick: str


@dataclass(frozen=True, slots=True)
class Preference:
    """The aggregated pick of an item; ``winner`` is None when the item is a tie."""

    item_id: int
    winner: str | None
    votes: int
    agreement: float


def aggregate_preference(votes: Iterable[tuple[int, int, str]]) -> Iterator[Preference]:
    """Majority of picks per item, for votes (:class:`Vote` or plain tuples) sorted by
    item. A tie (``"tie"`` most chosen, or two picks equally often) gives
    ``winner=None``: the export leaves it out."""
    # A plain loop: this runs once per submission of a million-row export.
    current: int | None = None
    counts: dict[str, int] = {}
    for item_id, _worker, pick in votes:
        if item_id != current:
            if current is not None:
                yield _majority(current, counts)
            current, counts = item_id, {}
        counts[pick] = counts.get(pick, 0) + 1
    if current is not None:
        yield _majority(current, counts)


def _majority(item_id: int, counts: dict[str, int]) -> Preference:
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    best, n = ranked[0]
    tied = best == TIE or (len(ranked) > 1 and ranked[1][1] == n)
    return Preference(
        item_id, None if tied else best, sum(counts.values()), n / sum(counts.values())
    )


Order = Sequence[str | Sequence[str]]


def mean_positions(
    orders: Sequence[Order], weights: Sequence[float] | None = None
) -> dict[str, float]:
    """Each response's mean 1-based place over workers' orders (best first), each
    order weighted by its worker's reliability when ``weights`` are given; a tied
    group shares the mean of the places it spans."""
    totals: dict[str, float] = {}
    counts: dict[str, float] = {}
    for n, order in enumerate(orders):
        # A worker the model gives no weight at all still counts a little, so that an
        # item answered only by such workers has an order.
        weight = 1.0 if weights is None else max(weights[n], 1e-6)
        place = 1
        for entry in order:
            group = [entry] if isinstance(entry, str) else list(entry)
            shared = place + (len(group) - 1) / 2
            for rid in group:
                totals[rid] = totals.get(rid, 0.0) + weight * shared
                counts[rid] = counts.get(rid, 0.0) + weight
            place += len(group)
    return {rid: totals[rid] / counts[rid] for rid in totals}


def aggregate_order(
    orders: Sequence[Order], weights: Sequence[float] | None = None
) -> list[str | list[str]]:
    """Workers' orders as one order, best first, by (weighted) mean place; equal
    means stay tied."""
    means = mean_positions(orders, weights)
    result: list[str | list[str]] = []
    for _mean, group in groupby(sorted(means, key=lambda r: (means[r], r)), key=means.get):
        ids = list(group)
        result.append(ids[0] if len(ids) == 1 else ids)
    return result


def summary(values: Sequence[int]) -> tuple[float, float, int]:
    """(mean, median, count) of one criterion's ratings of one item."""
    return sum(values) / len(values), float(median(values)), len(values)


def lead_with(order: list[str | list[str]], winner: str | None) -> list[str | list[str]]:
    """``order`` with ``winner`` moved to the front on its own: where a model over
    workers decided the best response, the order agrees with it."""
    if winner is None:
        return order
    rest: list[str | list[str]] = []
    for entry in order:
        if entry == winner:
            continue
        if isinstance(entry, list) and winner in entry:
            left = [r for r in entry if r != winner]
            rest.append(left[0] if len(left) == 1 else left)
        else:
            rest.append(entry)
    return [winner, *rest]
