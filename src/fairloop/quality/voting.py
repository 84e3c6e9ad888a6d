"""Majority vote and weighted majority vote: the baselines every other method beats.

They need no iterations, so they are what the platform uses on small item sets, and
what the EM methods start from.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from fairloop.quality.errors import QualityInputError
from fairloop.quality.responses import Aggregation, ArrayLike, Responses, encode, finish


def vote_shares(resp: Responses, weights: np.ndarray | None = None) -> np.ndarray:
    """Class-major (K, n_items) share of the (weighted) votes each label got per item."""
    k, n = resp.n_classes, resp.n_items
    w = None if weights is None else weights[resp.worker]
    votes = np.bincount(resp.class_item_key(), weights=w, minlength=k * n)
    votes = votes.reshape(k, n).astype(float)
    total = votes.sum(axis=0)
    empty = total <= 0
    votes[:, empty] = 1.0  # every vote on the item weighs 0: no evidence, uniform
    total[empty] = k
    shares: np.ndarray = votes / total
    return shares


def accuracy_against(resp: Responses, item_labels: np.ndarray) -> np.ndarray:
    """Share of each worker's labels that equal `item_labels` (codes per item)."""
    hits = (resp.label == item_labels[resp.item]).astype(float)
    n = np.bincount(resp.worker, minlength=resp.n_workers)
    return resp.worker_sums(hits) / np.maximum(n, 1)


def majority_vote(items: ArrayLike, workers: ArrayLike, labels: ArrayLike) -> Aggregation:
    """Each item gets its most frequent label; confidence is that label's vote share.

    Reliability is each worker's agreement with the majority labels. A tie goes to the
    smallest label, so the result never depends on row order.

        >>> r = majority_vote(["a", "a", "a"], ["w1", "w2", "w3"], ["x", "y", "x"])
        >>> r.labels.tolist(), r.confidence.round(2).tolist()
        (['x'], [0.67])
    """
    resp = encode(items, workers, labels)
    shares = vote_shares(resp)
    best = np.argmax(shares, axis=0)
    return finish("mv", resp, shares, accuracy_against(resp, best))


def agreement_weights(resp: Responses) -> np.ndarray:
    """Per-worker leave-one-out agreement: the share of the *other* votes on the same
    items that match the worker's, i.e. a first majority-vote pass that does not count
    the worker's own vote (otherwise everyone agrees with themselves). Workers with no
    co-labelled item get the mean weight."""
    key = resp.class_item_key()
    votes = np.bincount(key, minlength=resp.n_classes * resp.n_items)
    per_item = np.bincount(resp.item, minlength=resp.n_items)
    others = per_item[resp.item] - 1
    agree = votes[key] - 1
    shared = others > 0
    share = np.where(shared, agree / np.maximum(others, 1), 0.0)
    n = np.bincount(resp.worker[shared], minlength=resp.n_workers)
    weights = resp.worker_sums(share) / np.maximum(n, 1)
    known = n > 0
    weights[~known] = weights[known].mean() if known.any() else 1.0
    return weights


def weighted_majority_vote(
    items: ArrayLike,
    workers: ArrayLike,
    labels: ArrayLike,
    *,
    weights: Mapping[object, float] | None = None,
) -> Aggregation:
    """Majority vote where each worker's vote counts `weights[worker]`.

    Pass the workers' accuracy on gold items as `weights`; workers missing from it get
    the mean of the given weights. Without `weights`, each worker's weight is their
    leave-one-out agreement with the other workers (see `agreement_weights`).
    Confidence is the label's share of the item's weight; reliability is the worker's
    agreement with the weighted labels; `params["weights"]` holds the weights used.
    """
    resp = encode(items, workers, labels)
    if weights is None:
        w = agreement_weights(resp)
    else:
        given = np.array([float(weights.get(x, np.nan)) for x in resp.workers.tolist()])
        if np.any(given < 0) or np.any(np.isinf(given)):
            raise QualityInputError("weights must be finite and non-negative", field="weight")
        known = ~np.isnan(given)
        fill = float(np.mean(list(weights.values()))) if weights else 1.0
        w = np.where(known, given, fill)
    shares = vote_shares(resp, w)
    best = np.argmax(shares, axis=0)
    return finish("wmv", resp, shares, accuracy_against(resp, best), params={"weights": w})
