"""From many workers' picks to one preference per item: what the ``dpo`` export is
built on. One function, :func:`aggregate_preference`, so that a better model (for
example Dawid-Skene over workers, from :mod:`fairloop.quality`) replaces majority
vote in one place."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from statistics import median

TIE = "tie"


@dataclass(frozen=True, slots=True)
class Vote:
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


def aggregate_preference(votes: Iterable[Vote]) -> Iterator[Preference]:
    """Majority of picks per item, for votes sorted by item. A tie (``"tie"`` most
    chosen, or two picks equally often) gives ``winner=None``: the export leaves it out."""
    for item_id, group in groupby(votes, key=lambda v: v.item_id):
        counts = Counter(v.pick for v in group)
        total = sum(counts.values())
        (best, n), *rest = counts.most_common(2)
        tied = best == TIE or (rest and rest[0][1] == n)
        yield Preference(item_id, None if tied else best, total, n / total)


def mean_positions(orders: Sequence[Sequence[str | Sequence[str]]]) -> dict[str, float]:
    """Each response's mean 1-based place over workers' orders (best first); a tied
    group shares the mean of the places it spans."""
    totals: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    for order in orders:
        place = 1
        for entry in order:
            group = [entry] if isinstance(entry, str) else list(entry)
            shared = place + (len(group) - 1) / 2
            for rid in group:
                totals[rid] += shared
                counts[rid] += 1
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
