"""GLAD: worker ability and item difficulty, learnt together by EM.

Whitehill et al. (2009): worker `w` labels item `i` correctly with probability
`sigmoid(alpha_w * beta_i)`, and otherwise picks one of the other K-1 labels
uniformly. `alpha_w` is the worker's ability (negative for a worker who is wrong on
purpose), `beta_i = exp(b_i) > 0` the item's easiness. Priors: `alpha ~ N(1, 1)`,
`b ~ N(1, 1)`, as in the original code, and uniform class priors unless given.

The M-step is not a generic optimiser: given the posteriors, the objective separates
into one-dimensional problems per worker (given b) and per item (given alpha), so a few
alternating Fisher-scoring (Newton) steps, each a handful of `np.bincount` calls,
replace the conjugate-gradient search over all parameters at once.
"""

from __future__ import annotations

import numpy as np

from fairloop.quality.dawid_skene import EPS, trivial
from fairloop.quality.responses import (
    Aggregation,
    ArrayLike,
    Responses,
    encode,
    finish,
    softmax_classes,
)

PRIOR_MEAN = 1.0  # of alpha and of b = log(beta), with unit variance


def _softplus(x: np.ndarray) -> np.ndarray:
    """log(1 + exp(x)) without overflow."""
    out: np.ndarray = np.logaddexp(0.0, x)
    return out


class _Model:
    """GLAD parameters over one set of encoded responses."""

    def __init__(self, resp: Responses, log_priors: np.ndarray) -> None:
        self.resp = resp
        self.log_priors = log_priors
        self.alpha = np.full(resp.n_workers, PRIOR_MEAN)
        self.b = np.full(resp.n_items, PRIOR_MEAN)
        self.key = resp.class_item_key()
        self.log_wrong_share = np.log(resp.n_classes - 1)

    def _logit(self) -> tuple[np.ndarray, np.ndarray]:
        """Per row: x = alpha * beta, and beta."""
        beta = np.exp(self.b)[self.resp.item]
        return self.alpha[self.resp.worker] * beta, beta

    def penalty(self) -> float:
        """Log-density of the Gaussian priors on alpha and b (up to a constant)."""
        return -0.5 * float(
            ((self.alpha - PRIOR_MEAN) ** 2).sum() + ((self.b - PRIOR_MEAN) ** 2).sum()
        )

    def e_step(self) -> tuple[np.ndarray, float]:
        """Posteriors (K, n_items) and the log-posterior of the parameters."""
        r, k, n = self.resp, self.resp.n_classes, self.resp.n_items
        x, _ = self._logit()
        log_right, log_wrong = -_softplus(-x), -_softplus(x) - self.log_wrong_share
        base = r.item_sums(log_wrong)
        bonus = np.bincount(self.key, weights=log_right - log_wrong, minlength=k * n)
        logits = bonus.reshape(k, n) + base + self.log_priors[:, None]
        post, log_norm = softmax_classes(logits)
        return post, float(log_norm.sum()) + self.penalty()

    def m_step(self, post: np.ndarray, rounds: int) -> None:
        """Alternate Fisher-scoring steps on alpha (per worker) and b (per item)."""
        r = self.resp
        right = post.reshape(-1)[self.key]  # P(the row's label is the true one)
        for _ in range(rounds):
            x, beta = self._logit()
            sig = 1.0 / (1.0 + np.exp(-x))
            resid, curv = right - sig, sig * (1.0 - sig)
            grad = r.worker_sums(resid * beta) - (self.alpha - PRIOR_MEAN)
            hess = r.worker_sums(curv * beta * beta) + 1.0
            self.alpha += np.clip(grad / hess, -2.0, 2.0)
            x, beta = self._logit()
            sig = 1.0 / (1.0 + np.exp(-x))
            a = self.alpha[r.worker]
            grad = r.item_sums((right - sig) * a * beta) - (self.b - PRIOR_MEAN)
            hess = r.item_sums(sig * (1.0 - sig) * (a * beta) ** 2) + 1.0
            self.b += np.clip(grad / hess, -2.0, 2.0)


def glad(
    items: ArrayLike,
    workers: ArrayLike,
    labels: ArrayLike,
    *,
    n_iter: int = 100,
    tol: float = 1e-5,
    m_step_rounds: int = 3,
    priors: np.ndarray | None = None,
) -> Aggregation:
    """GLAD by EM, from abilities 1 and easiness e (the prior means).

    Args:
        n_iter: at most this many EM iterations.
        tol: stop once the log-posterior per label gains less than this.
        m_step_rounds: alternating Newton rounds per M-step.
        priors: class priors in the order of the sorted labels; uniform by default.

    Reliability is the worker's mean modelled accuracy over the items they labelled,
    `mean sigmoid(alpha_w * beta_i)`; `params` holds `alpha` (per worker) and `beta`
    (per item).
    """
    resp = encode(items, workers, labels)
    if resp.n_classes == 1:
        return trivial("glad", resp)
    k = resp.n_classes
    p = np.full(k, 1.0 / k) if priors is None else np.asarray(priors, dtype=float)
    model = _Model(resp, np.log(np.maximum(p, EPS)))
    post, last = model.e_step()
    done, obj = 0, last
    while done < n_iter:
        model.m_step(post, m_step_rounds)
        post, obj = model.e_step()
        done += 1
        if (obj - last) / resp.n_rows < tol:
            break
        last = obj
    x, _ = model._logit()
    accuracy = 1.0 / (1.0 + np.exp(-x))
    reliability = resp.worker_sums(accuracy) / np.bincount(resp.worker, minlength=resp.n_workers)
    params = {"alpha": model.alpha, "beta": np.exp(model.b)}
    return finish(
        "glad", resp, post, reliability, iterations=done, log_likelihood=obj, params=params
    )
