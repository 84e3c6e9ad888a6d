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


def mean_positions(orders: Sequence[Sequence[str | Sequence[str]]]) -> dict[str, float]:
    """Each response's mean 1-based place over workers' orders (best first); a tied
    group shares the mean of the places it spans."""
    totals: dict[str, float] = {}
    counts: dict[str, int] = {}
    for order in orders:
        place = 1
        for entry in order:
            group = [entry] if isinstance(entry, str) else list(entry)
            shared = place + (len(group) - 1) / 2
            for rid in group:
                totals[rid] = totals.get(rid, 0.0) + shared
                counts[rid] = counts.get(rid, 0) + 1
            place += len(group)
    return {rid: totals[rid] / counts[rid] for rid in totals}


def aggregate_order(orders: Sequence[Sequence[str | Sequence[str]]]) -> list[str | list[str]]:
    """Workers' orders as one order, best first, by mean place; equal means stay tied."""
    means = mean_positions(orders)
    result: list[str | list[str]] = []
    for _mean, group in groupby(sorted(means, key=lambda r: (means[r], r)), key=means.get):
        ids = list(group)
        result.append(ids[0] if len(ids) == 1 else ids)
    return result


def summary(values: Sequence[int]) -> tuple[float, float, int]:
    """(mean, median, count) of one criterion's ratings of one item."""
    return sum(values) / len(values), float(median(values)), len(values)
