"""Dawid-Skene: learn each worker's confusion matrix and each item's true label by EM.

Dawid & Skene (1979) model worker `w` answering `l` for an item of true class `k`
with probability `confusion[w, k, l]`. EM alternates the posterior of every item's
class (E-step) with the priors and confusion matrices those posteriors imply
(M-step). The one-coin variant gives each worker a single accuracy `s_w`, with the
errors spread evenly over the other classes: far fewer parameters, so it is the
better choice when workers have few labels each.

Both loops are vectorised: a few `np.bincount` calls per class and step, never a
Python loop over rows. Posteriors are kept class-major, (K, n_items).
"""

from __future__ import annotations

import numpy as np

from fairloop.quality.responses import (
    Aggregation,
    ArrayLike,
    Responses,
    encode,
    finish,
    softmax_classes,
)
from fairloop.quality.voting import vote_shares

EPS = 1e-10  # floor for probabilities before a log: keeps log(0) out of the sums


def _confusions(resp: Responses, key: np.ndarray, post: np.ndarray, smoothing: float) -> np.ndarray:
    """M-step: (n_workers, true, observed) confusion matrices from posteriors (K, items).

    `key` is `worker * K + label` per row.
    """
    k, nw = resp.n_classes, resp.n_workers
    counts = np.stack([resp.spread_sums(p, key, nw * k) for p in post])
    counts = counts.reshape(k, nw, k).transpose(1, 0, 2) + smoothing
    np.maximum(counts, EPS, out=counts)
    confusion: np.ndarray = counts / counts.sum(axis=2, keepdims=True)
    return confusion


def _posteriors_full(
    resp: Responses, key: np.ndarray, priors: np.ndarray, confusion: np.ndarray
) -> tuple[np.ndarray, float]:
    """E-step: class-major posteriors (K, n_items) and the marginal log-likelihood."""
    k, n = resp.n_classes, resp.n_items
    log_conf = np.log(confusion).transpose(1, 0, 2).reshape(k, -1)  # (true, w*obs)
    logits = np.empty((k, n))
    for c in range(k):  # loop over classes, never over rows
        logits[c] = resp.item_sums(np.take(log_conf[c], key))
    logits += np.log(np.maximum(priors, EPS))[:, None]
    post, log_norm = softmax_classes(logits)
    return post, float(log_norm.sum())


def _posteriors_one_coin(
    resp: Responses, priors: np.ndarray, skill: np.ndarray
) -> tuple[np.ndarray, float]:
    """E-step of one-coin DS: two bincounts, whatever the number of classes."""
    k, n = resp.n_classes, resp.n_items
    wrong = np.log((1.0 - skill) / (k - 1))  # log-probability of one given wrong label
    bonus = np.log(skill) - wrong  # what answering the item's class adds to it
    base = np.bincount(resp.item, weights=wrong[resp.worker], minlength=n)
    right = np.bincount(resp.class_item_key(), weights=bonus[resp.worker], minlength=k * n)
    logits = right.reshape(k, n) + base
    logits += np.log(np.maximum(priors, EPS))[:, None]
    post, log_norm = softmax_classes(logits)
    return post, float(log_norm.sum())


def _skills(resp: Responses, post: np.ndarray) -> np.ndarray:
    """M-step of one-coin DS: each worker's expected share of right answers."""
    right = post.reshape(-1)[resp.class_item_key()]
    n = np.bincount(resp.worker, minlength=resp.n_workers)
    return np.clip(resp.worker_sums(right) / np.maximum(n, 1), EPS, 1.0 - EPS)


def trivial(method: str, resp: Responses) -> Aggregation:
    """One class only: every item has it, with certainty."""
    return finish(method, resp, np.ones((1, resp.n_items)), np.ones(resp.n_workers))


def dawid_skene(
    items: ArrayLike,
    workers: ArrayLike,
    labels: ArrayLike,
    *,
    n_iter: int = 100,
    tol: float = 1e-5,
    smoothing: float = 0.0,
) -> Aggregation:
    """Dawid-Skene with full confusion matrices, started from the majority vote.

    Args:
        n_iter: at most this many EM iterations (at least one is run).
        tol: stop once the log-likelihood per label gains less than this; 0 runs all
            `n_iter` iterations.
        smoothing: pseudo-count added to every confusion cell (0 is the published
            maximum-likelihood EM; a little helps workers with very few labels).

    Reliability is the worker's expected accuracy, `sum_k prior[k] * confusion[w, k, k]`;
    `params` holds `priors` (K,) and `confusion` (workers, true, observed), the
    parameters under which the returned posteriors were computed.
    """
    resp = encode(items, workers, labels)
    if resp.n_classes == 1:
        return trivial("ds", resp)
    post = vote_shares(resp)
    key = resp.worker * resp.n_classes + resp.label
    last, done = -np.inf, 0
    while True:
        priors = post.mean(axis=1)
        confusion = _confusions(resp, key, post, smoothing)
        post, ll = _posteriors_full(resp, key, priors, confusion)
        done += 1
        if done >= n_iter or (ll - last) / resp.n_rows < tol:
            break
        last = ll
    reliability = np.einsum("k,wkk->w", priors, confusion)
    params = {"priors": priors, "confusion": confusion}
    return finish("ds", resp, post, reliability, iterations=done, log_likelihood=ll, params=params)


def one_coin_dawid_skene(
    items: ArrayLike,
    workers: ArrayLike,
    labels: ArrayLike,
    *,
    n_iter: int = 100,
    tol: float = 1e-5,
) -> Aggregation:
    """Dawid-Skene where each worker has one accuracy `s_w` and errs uniformly.

    Same EM and stopping rule as `dawid_skene`. Reliability is `s_w`; `params` holds
    `priors` and `skill`.
    """
    resp = encode(items, workers, labels)
    if resp.n_classes == 1:
        return trivial("onecoin", resp)
    post = vote_shares(resp)
    last, done = -np.inf, 0
    while True:
        priors, skill = post.mean(axis=1), _skills(resp, post)
        post, ll = _posteriors_one_coin(resp, priors, skill)
        done += 1
        if done >= n_iter or (ll - last) / resp.n_rows < tol:
            break
        last = ll
    params = {"priors": priors, "skill": skill}
    return finish("onecoin", resp, post, skill, iterations=done, log_likelihood=ll, params=params)
