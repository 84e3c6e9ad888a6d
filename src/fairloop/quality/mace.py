"""MACE: which workers know, and which ones spam.

Hovy et al. (2013), Multi-Annotator Competence Estimation: for each label, worker `w`
either knows the item (probability `knows_w`) and gives its true label, or spams and
draws a label from their own strategy `strategy_w` (a distribution over labels). True
labels are uniform a priori. Training is EM or, by default, variational Bayes with
Beta(0.5, 0.5) priors on knowing and symmetric Dirichlet(10) priors on strategies, as
in the paper; several random restarts, keeping the one with the best likelihood.

Each E-step is two `np.bincount` passes over the rows, whatever the number of labels.
"""

from __future__ import annotations

import numpy as np

from fairloop.quality.dawid_skene import trivial
from fairloop.quality.responses import (
    Aggregation,
    ArrayLike,
    Responses,
    encode,
    finish,
    softmax_classes,
)

# Bernardo's asymptotic series for digamma, valid once x >= 6; smaller x are shifted up
# with psi(x) = psi(x + 1) - 1/x. Accurate to ~1e-12, without a scipy dependency.
_SERIES = (1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132)


def digamma(x: np.ndarray) -> np.ndarray:
    """The digamma function for positive `x` (numpy only)."""
    x = np.array(x, dtype=float)
    shift = np.zeros_like(x)
    while True:
        small = x < 6.0
        if not small.any():
            break
        shift[small] -= 1.0 / x[small]
        x[small] += 1.0
    inv2 = 1.0 / (x * x)
    series = np.zeros_like(x)
    for coef in reversed(_SERIES):
        series = (series + coef) * inv2
    psi: np.ndarray = shift + np.log(x) - 0.5 / x - series
    return psi


def _vb_normalise(counts: np.ndarray, prior: float) -> np.ndarray:
    """Variational M-step: exp(psi(count + prior) - psi(row total + priors))."""
    total = (counts + prior).sum(axis=1, keepdims=True)
    weights: np.ndarray = np.exp(digamma(counts + prior) - digamma(total))
    return weights


def _em_normalise(counts: np.ndarray, smoothing: float) -> np.ndarray:
    counts = counts + smoothing
    shares: np.ndarray = counts / counts.sum(axis=1, keepdims=True)
    return shares


class _Run:
    """One restart: the parameters and the E- and M-steps over them."""

    def __init__(self, resp: Responses, rng: np.random.Generator) -> None:
        self.resp = resp
        self.key = resp.class_item_key()
        self.obs = resp.worker * resp.n_classes + resp.label
        # columns: (spams, knows); random start as in the reference implementation
        self.spam = rng.uniform(1.0, 2.5, size=(resp.n_workers, 2))
        self.spam /= self.spam.sum(axis=1, keepdims=True)
        self.strategy = rng.uniform(1.0, 2.5, size=(resp.n_workers, resp.n_classes))
        self.strategy /= self.strategy.sum(axis=1, keepdims=True)

    def e_step(self) -> tuple[np.ndarray, float, np.ndarray]:
        """Posteriors (K, n_items), log marginal likelihood, P(knows) per row."""
        r, k, n = self.resp, self.resp.n_classes, self.resp.n_items
        w = r.worker
        spammed = self.spam[w, 0] * self.strategy.reshape(-1)[self.obs]  # P(label | spams)
        knew = spammed + self.spam[w, 1]  # P(label | label is the truth)
        log_spammed = np.log(spammed)
        base = r.item_sums(log_spammed)
        bonus = np.bincount(self.key, weights=np.log(knew) - log_spammed, minlength=k * n)
        logits = bonus.reshape(k, n) + base
        post, log_norm = softmax_classes(logits)
        knows = post.reshape(-1)[self.key] * self.spam[w, 1] / knew
        return post, float(log_norm.sum()) - n * np.log(k), knows

    def m_step(self, knows: np.ndarray, variational: bool, smoothing: float) -> None:
        r = self.resp
        knew = r.worker_sums(knows)
        spammed = np.bincount(r.worker, minlength=r.n_workers) - knew
        counts = np.column_stack([spammed, knew])
        strategy = np.bincount(self.obs, weights=1.0 - knows, minlength=self.strategy.size)
        strategy = strategy.reshape(self.strategy.shape)
        if variational:
            self.spam = _vb_normalise(counts, 0.5)
            self.strategy = _vb_normalise(strategy, 10.0)
        else:
            self.spam = _em_normalise(counts, smoothing)
            self.strategy = _em_normalise(strategy, smoothing)


def mace(
    items: ArrayLike,
    workers: ArrayLike,
    labels: ArrayLike,
    *,
    n_restarts: int = 10,
    n_iter: int = 50,
    tol: float = 1e-7,
    method: str = "vb",
    seed: int = 0,
) -> Aggregation:
    """MACE by variational Bayes (`method="vb"`) or plain EM (`"em"`).

    Args:
        n_restarts: random starts; the one with the best log-likelihood is kept.
        n_iter: at most this many iterations per start.
        tol: stop a start once the log-likelihood per label gains less than this.
        seed: seeds the random starts, so equal inputs give equal results.

    Reliability is the worker's competence, `P(knows) / (P(knows) + P(spams))`;
    `params` holds `competence` and `strategy` (workers, K).
    """
    if method not in ("vb", "em"):
        raise ValueError(f"method must be 'vb' or 'em', not {method!r}")
    resp = encode(items, workers, labels)
    if resp.n_classes == 1:
        return trivial("mace", resp)
    rng = np.random.default_rng(seed)
    smoothing = 0.01 / resp.n_classes
    best: tuple[float, np.ndarray, _Run, int] | None = None
    for _ in range(max(1, n_restarts)):
        run = _Run(resp, rng)
        post, ll, knows = run.e_step()
        done = 0
        while done < n_iter:
            run.m_step(knows, method == "vb", smoothing)
            last = ll
            post, ll, knows = run.e_step()
            done += 1
            if abs(ll - last) / resp.n_rows < tol:
                break
        if best is None or ll > best[0]:
            best = (ll, post, run, done)
    ll, post, run, done = best  # type: ignore[misc]
    competence = run.spam[:, 1] / run.spam.sum(axis=1)
    params = {"competence": competence, "strategy": run.strategy}
    return finish("mace", resp, post, competence, iterations=done, log_likelihood=ll, params=params)
