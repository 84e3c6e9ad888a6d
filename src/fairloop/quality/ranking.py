"""Rank from pairwise preferences: Bradley-Terry by maximum likelihood, and online Elo.

Both report on the Elo scale of LMSYS Chatbot Arena: 400 points per factor of ten in
the odds of winning, mean 1000. Inputs are per-comparison arrays (left id, right id,
outcome = 1 left won, 0 right won, 0.5 tie), never Python objects per row: Bradley-
Terry first sums them into win counts per pair, so its cost after that depends on the
number of distinct pairs, not of comparisons.

Bradley-Terry is fitted by Newton's method (the log-likelihood is concave), which
converges to a gradient below 1e-9 in a few steps. Its interval is a percentile
bootstrap over comparisons; each resample is refitted from the full-data optimum by
re-using the full-data Hessian inverse (a chord method), which costs one gradient and
one matrix-vector product per step instead of a new factorisation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np

from fairloop.quality.errors import QualityInputError
from fairloop.quality.pairs import Pairs, encode_pairs
from fairloop.quality.responses import ArrayLike

ELO_PER_NAT = 400.0 / np.log(10.0)
MEAN = 1000.0


@dataclass(frozen=True)
class Ranking:
    """Scores on the Elo scale, best first.

    Attributes:
        method: "bt" or "elo".
        ids: the compared ids, sorted by score, best first; all arrays follow this order.
        score: the rating (mean 1000 over ids).
        lower, upper: the bootstrap percentile interval (NaN without bootstrap).
        comparisons: how many comparisons each id took part in.
        iterations: Newton iterations (bt) or 0.
        gradient: the largest absolute gradient of the log-likelihood at the end (bt).
    """

    method: str
    ids: np.ndarray
    score: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    comparisons: np.ndarray
    iterations: int = 0
    gradient: float = 0.0


def _gradient(
    pairs: Pairs, theta: np.ndarray, wins: np.ndarray, games: np.ndarray, prior: float
) -> tuple[np.ndarray, np.ndarray]:
    """Gradient of the (penalised) log-likelihood and the per-pair curvature."""
    p = 1.0 / (1.0 + np.exp(theta[pairs.b] - theta[pairs.a]))  # P(a beats b)
    resid = wins - games * p
    n = theta.size
    grad = np.bincount(pairs.a, resid, n) - np.bincount(pairs.b, resid, n) - prior * theta
    return grad, games * p * (1.0 - p)


DENSE_LIMIT = 3000  # ids up to which the Hessian is a dense matrix (72 MB)


class _PairHessian:
    """The negative Hessian (plus ones) as products over pairs, for many ids."""

    def __init__(self, pairs: Pairs, curv: np.ndarray, n: int, prior: float) -> None:
        self.a, self.b, self.curv, self.n = pairs.a, pairs.b, curv, n
        self.diag = np.bincount(pairs.a, curv, n) + np.bincount(pairs.b, curv, n) + prior + 1.0
        self.prior = prior

    def __matmul__(self, v: np.ndarray) -> np.ndarray:
        flow = self.curv * (v[self.a] - v[self.b])
        lap = np.bincount(self.a, flow, self.n) - np.bincount(self.b, flow, self.n)
        out: np.ndarray = lap + self.prior * v + v.sum()
        return out

    def diagonal(self) -> np.ndarray:
        return self.diag


def _neg_hessian(pairs: Pairs, curv: np.ndarray, n: int, prior: float) -> np.ndarray | _PairHessian:
    """Negative Hessian plus the all-ones matrix, which pins the free mean: dense up to
    DENSE_LIMIT ids, as pair products beyond."""
    if n > DENSE_LIMIT:
        return _PairHessian(pairs, curv, n, prior)
    h = np.bincount(pairs.a * n + pairs.b, curv, n * n).reshape(n, n)
    h = -(h + h.T)
    h[np.diag_indices(n)] = np.bincount(pairs.a, curv, n) + np.bincount(pairs.b, curv, n) + prior
    return h + 1.0


def _check_identifiable(pairs: Pairs, ids: np.ndarray) -> None:
    """A finite MLE needs every id to have won and lost something (ties count as both)."""
    won = np.bincount(pairs.a, pairs.wins, ids.size) + np.bincount(
        pairs.b, pairs.games - pairs.wins, ids.size
    )
    played = np.bincount(pairs.a, pairs.games, ids.size) + np.bincount(
        pairs.b, pairs.games, ids.size
    )
    for bad, what in ((won <= 0, "lost every comparison"), (won >= played, "won every comparison")):
        if bad.any():
            raise QualityInputError(
                f"{ids[np.argmax(bad)]} {what}, so its Bradley-Terry strength has no finite "
                "maximum-likelihood estimate; add comparisons or use a prior > 0",
                field="winner",
            )


def _solve(hess: np.ndarray | _PairHessian, rhs: np.ndarray, rtol: float = 1e-12) -> np.ndarray:
    """Solve `hess x = rhs` by Jacobi-preconditioned conjugate gradients.

    The Bradley-Terry Hessian is a weighted graph Laplacian (plus the ones that pin the
    mean): well conditioned when the comparisons connect ids well, so CG needs a few
    dozen O(n^2) products where a factorisation costs O(n^3).
    """
    diag = hess.diagonal().copy()
    x = np.zeros_like(rhs)
    resid = rhs.copy()
    z = resid / diag
    direction = z.copy()
    rz = resid @ z
    limit = rtol * float(np.abs(rhs).max())
    for _ in range(4 * rhs.size):
        if float(np.abs(resid).max()) <= limit:
            break
        hd = hess @ direction
        step = rz / (direction @ hd)
        x += step * direction
        resid -= step * hd
        z = resid / diag
        rz, rz_old = resid @ z, rz
        direction = z + (rz / rz_old) * direction
    return x


def _newton(
    pairs: Pairs, theta: np.ndarray, prior: float, tol: float, max_iter: int
) -> tuple[np.ndarray, int, float]:
    """Newton's method to `max|grad| < tol` (the log-likelihood is concave)."""
    n, size = theta.size, np.inf
    for step in range(1, max_iter + 1):
        grad, curv = _gradient(pairs, theta, pairs.wins, pairs.games, prior)
        size = float(np.abs(grad).max())
        if size < tol:
            return theta, step - 1, size
        theta = theta + _solve(_neg_hessian(pairs, curv, n, prior), grad)
        theta -= theta.mean()
        if np.abs(theta).max() > 40.0:  # odds of e^40: the optimum is at infinity
            raise QualityInputError(
                "the comparisons split into groups where one always beats the other, so the "
                "Bradley-Terry MLE is infinite; use a prior > 0",
                field="winner",
            )
    return theta, max_iter, size


def _resample_fit(
    pairs: Pairs,
    theta: np.ndarray,
    inverse: Callable[[np.ndarray], np.ndarray],
    games: np.ndarray,
    wins: np.ndarray,
    prior: float,
) -> np.ndarray:
    """Refit on resampled counts by chord steps from the full-data optimum."""
    th = theta.copy()
    for _ in range(100):
        grad, _ = _gradient(pairs, th, wins, games, prior)
        move = inverse(grad)
        th += move
        th -= th.mean()
        if np.abs(move).max() < 1e-5:  # 1e-5 log-odds: 0.002 Elo points
            break
    return th


def bradley_terry(
    left: ArrayLike,
    right: ArrayLike,
    outcome: ArrayLike,
    *,
    rounds: int = 100,
    confidence: float = 0.95,
    seed: int = 0,
    prior: float = 0.0,
    tol: float = 1e-9,
    max_iter: int = 100,
) -> Ranking:
    """Bradley-Terry maximum-likelihood ratings with a bootstrap interval.

    Args:
        outcome: per comparison, 1 if `left` won, 0 if `right` won, 0.5 for a tie
            (a tie counts as half a win for each side).
        rounds: bootstrap resamples of the comparisons (0: no interval).
        prior: a Gaussian prior (ridge) on strengths in log-odds units; 0 is the plain
            MLE, which does not exist when an id won or lost every comparison (an
            error says so); resamples use at least 1e-6 so they always have one.
        tol: stop Newton once the largest gradient component is below this.

    Raises QualityInputError when the MLE is infinite and `prior` is 0.
    """
    pairs = encode_pairs(left, right, outcome)
    n = pairs.ids.size
    if prior <= 0.0:
        _check_identifiable(pairs, pairs.ids)
    theta, steps, size = _newton(pairs, np.zeros(n), prior, tol, max_iter)
    lower = upper = np.full(n, np.nan)
    if rounds > 0:
        _, curv = _gradient(pairs, theta, pairs.wins, pairs.games, prior)
        hess = _neg_hessian(pairs, curv, n, max(prior, 1e-6))
        if isinstance(hess, np.ndarray):
            dense = np.linalg.inv(hess)
            inverse = dense.__matmul__
        else:
            inverse = partial(_solve, hess, rtol=1e-8)
        draws = np.empty((rounds, n))
        rng = np.random.default_rng(seed)
        boot_prior = max(prior, 1e-6)
        for r in range(rounds):
            games, wins = pairs.resample(rng)
            draws[r] = _resample_fit(pairs, theta, inverse, games, wins, boot_prior)
        tail = (1.0 - confidence) / 2.0
        lower, upper = np.quantile(draws, [tail, 1.0 - tail], axis=0) * ELO_PER_NAT + MEAN
    return _ranked("bt", pairs, theta * ELO_PER_NAT + MEAN, lower, upper, steps, size)


def _ranked(
    method: str,
    pairs: Pairs,
    score: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    iterations: int = 0,
    gradient: float = 0.0,
) -> Ranking:
    order = np.lexsort((pairs.ids, -score))
    return Ranking(
        method,
        pairs.ids[order],
        score[order],
        lower[order],
        upper[order],
        pairs.comparisons[order],
        iterations,
        gradient,
    )


def _replay(
    left: np.ndarray, right: np.ndarray, outcome: np.ndarray, n: int, k: float
) -> np.ndarray:
    """Sequential Elo over code arrays, in chunks so rows never all become Python objects."""
    rating = [MEAN] * n
    chunk = 1 << 16
    for start in range(0, left.size, chunk):
        stop = start + chunk
        rows = zip(
            left[start:stop].tolist(),
            right[start:stop].tolist(),
            outcome[start:stop].tolist(),
            strict=True,
        )
        for a, b, s in rows:
            expected = 1.0 / (1.0 + 10.0 ** ((rating[b] - rating[a]) / 400.0))
            delta = k * (s - expected)
            rating[a] += delta
            rating[b] -= delta
    return np.array(rating)


def elo(
    left: ArrayLike,
    right: ArrayLike,
    outcome: ArrayLike,
    *,
    k: float = 4.0,
    rounds: int = 0,
    confidence: float = 0.95,
    seed: int = 0,
) -> Ranking:
    """Online Elo in row order (every id starts at 1000; K=4 as in Chatbot Arena).

    The result depends on the order of the rows, which is why Bradley-Terry is the
    better estimate; Elo is here for comparison. `rounds` > 0 adds a bootstrap
    interval, each round replaying a resample in random order (a Python loop: about
    half a second per million comparisons per round).
    """
    pairs = encode_pairs(left, right, outcome)
    n = pairs.ids.size
    score = _replay(pairs.left, pairs.right, pairs.outcome, n, k)
    lower = upper = np.full(n, np.nan)
    if rounds > 0:
        rng = np.random.default_rng(seed)
        size = pairs.left.size
        draws = np.empty((rounds, n))
        for r in range(rounds):
            idx = rng.integers(0, size, size)
            draws[r] = _replay(pairs.left[idx], pairs.right[idx], pairs.outcome[idx], n, k)
        tail = (1.0 - confidence) / 2.0
        lower, upper = np.quantile(draws, [tail, 1.0 - tail], axis=0)
    return _ranked("elo", pairs, score, lower, upper)
