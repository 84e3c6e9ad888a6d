"""Crowd responses as dense integer codes, and the result every aggregator returns.

Every aggregation method works on the same encoded form so that its EM loop indexes
small integer arrays instead of hashing ids: `np.unique` gives the sorted ids and the
row codes in one pass. Per-item and per-worker sums are then `np.bincount` calls or,
better, plain array additions: `encode` orders the rows in "slots" (slot `j` holds the
`j`-th label of every item, in item order) for as many slots as every item fills, so
summing over an item's labels is adding `full` aligned slices. That layout, not a
cleverer algorithm, is what keeps an EM iteration over a million labels near 25 ms:
the loops are bound by memory traffic, and slices need no index arrays.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from fairloop.quality.errors import QualityInputError

ArrayLike = np.ndarray | list | tuple  # type: ignore[type-arg]


@dataclass(frozen=True)
class Responses:
    """Rows of (item, worker, label) as codes into the sorted unique ids.

    `item`, `worker` and `label` are int64 arrays of one code per row; `items`,
    `workers` and `classes` are the sorted unique values the codes index. The first
    `full * n_items` rows are `full` slots of one row per item, in item order; the
    rest (items with more labels than the fewest any item has) follow.
    """

    item: np.ndarray
    worker: np.ndarray
    label: np.ndarray
    items: np.ndarray
    workers: np.ndarray
    classes: np.ndarray
    full: int = 0

    @property
    def n_rows(self) -> int:
        return int(self.item.size)

    @property
    def n_items(self) -> int:
        return int(self.items.size)

    @property
    def n_workers(self) -> int:
        return int(self.workers.size)

    @property
    def n_classes(self) -> int:
        return int(self.classes.size)

    def item_sums(self, values: np.ndarray) -> np.ndarray:
        """Sum per-row `values` over each item's rows: returns (n_items,)."""
        n, cut = self.n_items, self.full * self.n_items
        out = np.bincount(self.item[cut:], weights=values[cut:], minlength=n).astype(float)
        for j in range(self.full):  # one aligned slice per slot
            out += values[j * n : (j + 1) * n]
        return out

    def spread_sums(self, per_item: np.ndarray, key: np.ndarray, size: int) -> np.ndarray:
        """`sum over rows of per_item[row's item]`, grouped by `key` (per row) into `size` bins.

        The same as `np.bincount(key, weights=per_item[self.item])` without building the
        gathered array for the slotted rows.
        """
        n, cut = self.n_items, self.full * self.n_items
        rest = self.item[cut:]
        out = np.bincount(key[cut:], weights=per_item[rest], minlength=size).astype(float)
        for j in range(self.full):
            out += np.bincount(key[j * n : (j + 1) * n], weights=per_item, minlength=size)
        return out

    def class_item_key(self) -> np.ndarray:
        """Row index into a flattened class-major (K, n_items) array: label * n + item."""
        key: np.ndarray = self.label * self.n_items + self.item
        return key

    def worker_sums(self, values: np.ndarray) -> np.ndarray:
        """Sum per-row values (n_rows,) per worker: returns (n_workers,)."""
        return np.bincount(self.worker, weights=values, minlength=self.n_workers)


@dataclass(frozen=True)
class Aggregation:
    """What an aggregator found: one label per item, one reliability per worker.

    Attributes:
        method: the method's short name (`mv`, `wmv`, `ds`, `onecoin`, `glad`, `mace`).
        items: sorted unique item ids; every per-item array follows this order.
        labels: the chosen label of each item (a value of `classes`); among equally
            probable labels the smallest wins, so results never depend on row order.
        confidence: the posterior probability of the chosen label.
        classes: the label values, in the column order of `posteriors`.
        posteriors: (n_items, n_classes) probabilities; each row sums to 1.
        workers: sorted unique worker ids; `reliability` follows this order.
        reliability: per worker, in [0, 1]: the method's estimate of how often the
            worker gives the true label (see each method for its exact meaning).
        iterations: EM iterations run (0 for voting).
        log_likelihood: the final marginal log-likelihood, when the method has one.
        params: the method's fitted parameters (confusion matrices, priors, ...).
    """

    method: str
    items: np.ndarray
    labels: np.ndarray
    confidence: np.ndarray
    classes: np.ndarray
    posteriors: np.ndarray
    workers: np.ndarray
    reliability: np.ndarray
    iterations: int = 0
    log_likelihood: float | None = None
    params: Mapping[str, np.ndarray] = field(default_factory=dict)


def _missing(labels: np.ndarray) -> np.ndarray:
    """Rows whose label is absent: NaN for numbers; None, NaN or '' for objects."""
    if labels.dtype.kind == "f":
        nan: np.ndarray = np.isnan(labels)
        return nan
    if labels.dtype.kind == "O":
        return np.fromiter(
            (v is None or v == "" or (isinstance(v, float) and v != v) for v in labels),
            dtype=bool,
            count=labels.size,
        )
    if labels.dtype.kind == "U":
        blank: np.ndarray = labels == ""
        return blank
    return np.zeros(labels.size, dtype=bool)


def unique_codes(values: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique values and each value's index into them (`np.unique`'s inverse).

    Integers in a compact range (ids already numbered, as the CLI passes them) take an
    O(n) counting path instead of a sort: a million rows in milliseconds.
    """
    if values.dtype.kind in "iu" and values.size:
        low, high = int(values.min()), int(values.max())
        if high - low <= 2 * values.size + 1024:
            shifted = values.astype(np.int64) - low
            present = np.bincount(shifted, minlength=high - low + 1) > 0
            rank = np.cumsum(present) - 1
            return (np.flatnonzero(present) + low).astype(values.dtype), rank[shifted]
    try:
        uniq, codes = np.unique(values, return_inverse=True)
    except TypeError as exc:  # e.g. an object column holding both str and int
        raise QualityInputError(f"{name} values mix types ({exc})", field=name) from None
    return uniq, codes.reshape(-1).astype(np.int64, copy=False)


def encode(items: ArrayLike, workers: ArrayLike, labels: ArrayLike) -> Responses:
    """Encode parallel arrays of rows; rows with a missing label are dropped.

    Raises QualityInputError when the arrays differ in length or no labelled row is
    left.
    """
    it, wk, lb = (np.asarray(a) for a in (items, workers, labels))
    if not it.ndim == wk.ndim == lb.ndim == 1 or not it.size == wk.size == lb.size:
        raise QualityInputError("items, workers and labels must be 1-D and of equal length")
    keep = ~_missing(lb)
    if not keep.all():
        it, wk, lb = it[keep], wk[keep], lb[keep]
    if lb.size == 0:
        raise QualityInputError("no labelled rows", field="label")
    item_ids, item = unique_codes(it, "item")
    worker_ids, worker = unique_codes(wk, "worker")
    classes, label = unique_codes(lb, "label")
    order, full = _slot_order(item, item_ids.size)
    return Responses(item[order], worker[order], label[order], item_ids, worker_ids, classes, full)


def _slot_order(item: np.ndarray, n_items: int) -> tuple[np.ndarray, int]:
    """Row order putting the `j`-th row of every item at `j * n_items + item`, for every
    `j` below the smallest per-item count; the remaining rows follow, by item."""
    by_item = np.argsort(item, kind="stable")
    counts = np.bincount(item, minlength=n_items)
    full = int(counts.min())
    starts = np.cumsum(counts) - counts
    slot = np.arange(item.size) - np.repeat(starts, counts)  # rank of the row in its item
    sorted_item = item[by_item]
    in_slots = slot < full
    position = np.empty(item.size, dtype=np.int64)
    position[in_slots] = slot[in_slots] * n_items + sorted_item[in_slots]
    position[~in_slots] = full * n_items + np.arange(int((~in_slots).sum()))
    order = np.empty_like(by_item)
    order[position] = by_item
    return order, full


def finish(
    method: str,
    resp: Responses,
    post: np.ndarray,
    reliability: np.ndarray,
    *,
    iterations: int = 0,
    log_likelihood: float | None = None,
    params: Mapping[str, np.ndarray] | None = None,
) -> Aggregation:
    """Pick each item's most probable label (the smallest on a tie) and pack the result.

    `post` is class-major, (K, n_items): the layout the EM loops use because numpy
    reduces over a short leading axis far faster than over short rows.
    """
    best = np.argmax(post, axis=0)
    posteriors = np.ascontiguousarray(post.T)
    return Aggregation(
        method=method,
        items=resp.items,
        labels=resp.classes[best],
        confidence=posteriors[np.arange(resp.n_items), best],
        classes=resp.classes,
        posteriors=posteriors,
        workers=resp.workers,
        reliability=reliability,
        iterations=iterations,
        log_likelihood=log_likelihood,
        params=dict(params or {}),
    )


def softmax_classes(logits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Normalise class-major log-scores (K, n_items) in place.

    Returns (probabilities, per-item log-normaliser): the normaliser summed over items
    is the marginal log-likelihood, which the EM loops use to stop.
    """
    top = logits.max(axis=0)
    logits -= top
    np.exp(logits, out=logits)
    total = logits.sum(axis=0)
    logits /= total
    return logits, np.log(total) + top
