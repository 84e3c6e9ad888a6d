"""Bradley-Terry against a converged scipy MLE, and online Elo."""

from __future__ import annotations

import numpy as np
import pytest

from fairloop.quality import QualityInputError, bradley_terry, elo, outcomes
from fairloop.quality import ranking as ranking_module


def _arena(n: int = 40, rows: int = 20000, seed: int = 0):
    rng = np.random.default_rng(seed)
    strength = rng.normal(0.0, 1.0, n)
    left = rng.integers(0, n, rows)
    right = (left + rng.integers(1, n, rows)) % n
    p = 1.0 / (1.0 + np.exp(strength[right] - strength[left]))
    u = rng.random(rows)
    outcome = np.where(u < 0.9 * p, 1.0, np.where(u < 0.9 * p + 0.1, 0.5, 0.0))
    return left, right, outcome


def test_bt_matches_a_converged_scipy_mle() -> None:
    optimize = pytest.importorskip("scipy.optimize", reason="scipy (dev extra) not installed")
    left, right, outcome = _arena()
    n = 40

    def negative_log_likelihood(theta: np.ndarray) -> tuple[float, np.ndarray]:
        diff = theta[left] - theta[right]
        p = 1.0 / (1.0 + np.exp(-diff))
        value = -(outcome * np.log(p) + (1 - outcome) * np.log1p(-p)).sum()
        resid = outcome - p
        grad = -(np.bincount(left, resid, n) - np.bincount(right, resid, n))
        return value, grad

    fit = optimize.minimize(
        negative_log_likelihood, np.zeros(n), jac=True, method="BFGS", options={"gtol": 1e-10}
    )
    reference = (fit.x - fit.x.mean()) * 400 / np.log(10) + 1000
    ours = bradley_terry(left, right, outcome, rounds=0)
    got = np.empty(n)
    got[ours.ids] = ours.score
    assert np.abs(got - reference).max() < 0.5
    assert ours.gradient < 1e-6
    assert got.mean() == pytest.approx(1000.0)


def test_bt_ranks_best_first_with_intervals() -> None:
    left, right, outcome = _arena(n=10, rows=3000)
    result = bradley_terry(left, right, outcome, rounds=50, seed=1)
    assert (np.diff(result.score) <= 0).all()
    assert (result.lower <= result.score).all() and (result.score <= result.upper).all()
    assert result.comparisons.sum() == 2 * 3000
    again = bradley_terry(left, right, outcome, rounds=50, seed=1)
    assert np.array_equal(result.lower, again.lower)


def test_bt_large_id_sets_use_pair_products(monkeypatch: pytest.MonkeyPatch) -> None:
    left, right, outcome = _arena(n=30, rows=5000)
    dense = bradley_terry(left, right, outcome, rounds=10)
    monkeypatch.setattr(ranking_module, "DENSE_LIMIT", 5)
    sparse = bradley_terry(left, right, outcome, rounds=10)
    np.testing.assert_allclose(dense.score, sparse.score, atol=1e-6)
    np.testing.assert_allclose(dense.upper, sparse.upper, atol=1e-3)


def test_ties_count_half() -> None:
    result = bradley_terry(["a", "a"], ["b", "b"], [0.5, 0.5], rounds=0)
    assert result.score.tolist() == pytest.approx([1000.0, 1000.0])


def test_an_unbeaten_id_has_no_mle_unless_a_prior_is_given() -> None:
    left, right, winner = ["a", "a", "b"], ["b", "c", "c"], outcomes(["left", "left", "tie"])
    with pytest.raises(QualityInputError, match="a won every comparison"):
        bradley_terry(left, right, winner, rounds=0)
    result = bradley_terry(left, right, winner, rounds=0, prior=0.1)
    assert result.ids[0] == "a"


def test_elo_updates_by_k() -> None:
    result = elo(["a"], ["b"], [1.0])
    assert result.ids.tolist() == ["a", "b"]
    assert result.score.tolist() == pytest.approx([1002.0, 998.0])
    assert np.isnan(result.lower).all()


def test_elo_keeps_the_mean_and_bootstraps() -> None:
    left, right, outcome = _arena(n=8, rows=2000)
    result = elo(left, right, outcome, rounds=20)
    assert result.score.mean() == pytest.approx(1000.0)
    assert (result.lower <= result.upper).all()


def test_bad_winners_and_self_comparisons_are_refused() -> None:
    with pytest.raises(QualityInputError, match="row 1: winner"):
        outcomes(["left", "draw"])
    with pytest.raises(QualityInputError, match="compared with itself"):
        bradley_terry(["a", "b"], ["b", "b"], [1.0, 0.0])
