"""Properties every aggregator keeps, whatever the input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairloop.quality import (
    METHODS,
    QualityInputError,
    aggregate,
    dawid_skene,
    glad,
    mace,
    majority_vote,
    weighted_majority_vote,
)
from fairloop.quality.mace import digamma
from tests.quality.conftest import crowd


@st.composite
def crowds(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Small random crowds: any item/worker/label pattern, repeats allowed."""
    n = draw(st.integers(1, 60))
    ints = st.lists(st.integers(0, 7), min_size=n, max_size=n)
    items, workers = draw(ints), draw(ints)
    labels = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    return np.array(items), np.array(workers), np.array(labels)


@settings(max_examples=40, deadline=None)
@given(data=crowds(), method=st.sampled_from(sorted(METHODS)))
def test_posteriors_are_distributions(data, method: str) -> None:
    result = aggregate(method, *data)
    assert np.allclose(result.posteriors.sum(axis=1), 1.0)
    assert (result.posteriors >= 0).all() and (result.posteriors <= 1 + 1e-12).all()
    assert np.allclose(result.confidence, result.posteriors.max(axis=1))
    assert set(result.labels.tolist()) <= set(result.classes.tolist())
    assert ((result.reliability >= 0) & (result.reliability <= 1)).all()
    assert result.items.tolist() == sorted(set(data[0].tolist()))


@settings(max_examples=30, deadline=None)
@given(data=crowds(), method=st.sampled_from(sorted(METHODS)), seed=st.integers(0, 2**16))
def test_row_order_does_not_matter(data, method: str, seed: int) -> None:
    order = np.random.default_rng(seed).permutation(data[0].size)
    first = aggregate(method, *data)
    shuffled = aggregate(method, *(column[order] for column in data))
    np.testing.assert_allclose(first.posteriors, shuffled.posteriors, atol=1e-7)
    np.testing.assert_allclose(first.reliability, shuffled.reliability, atol=1e-7)


@settings(max_examples=30, deadline=None)
@given(data=crowds(), method=st.sampled_from(["mv", "wmv", "ds", "onecoin", "glad"]))
def test_renaming_labels_permutes_posteriors(data, method: str) -> None:
    """Labels are names: renaming them (here reversing their order) moves the columns."""
    items, workers, labels = data
    first = aggregate(method, items, workers, labels)
    renamed = aggregate(method, items, workers, 10 - labels)
    np.testing.assert_allclose(first.posteriors, renamed.posteriors[:, ::-1], atol=1e-7)


def test_results_are_deterministic() -> None:
    items, workers, labels, _ = crowd(n_items=300, seed=5)
    a = mace(items, workers, labels, seed=3)
    b = mace(items, workers, labels, seed=3)
    assert np.array_equal(a.posteriors, b.posteriors)


def test_em_methods_beat_majority_vote_on_a_mixed_crowd() -> None:
    items, workers, labels, truth = crowd(n_items=2000, accuracy=(0.3, 0.95), seed=7)
    mv = (majority_vote(items, workers, labels).labels == truth).mean()
    for method in ("ds", "onecoin", "glad", "mace"):
        assert (aggregate(method, items, workers, labels).labels == truth).mean() > mv


def test_majority_vote_ties_go_to_the_smallest_label() -> None:
    result = majority_vote(["i", "i"], ["u", "v"], ["b", "a"])
    assert result.labels.tolist() == ["a"]
    assert result.confidence.tolist() == [0.5]


def test_weighted_vote_follows_the_given_weights() -> None:
    items, workers, labels = ["i"] * 3, ["good", "bad1", "bad2"], ["x", "y", "y"]
    assert majority_vote(items, workers, labels).labels.tolist() == ["y"]
    weighted = weighted_majority_vote(items, workers, labels, weights={"good": 0.95, "bad1": 0.3})
    assert weighted.labels.tolist() == ["x"]  # bad2 gets the mean weight, 0.625
    assert weighted.confidence[0] == pytest.approx(0.95 / (0.95 + 0.3 + 0.625))


def test_weighted_vote_without_weights_uses_leave_one_out_agreement() -> None:
    result = weighted_majority_vote(
        ["a", "a", "a", "b", "b", "b"], ["u", "v", "w"] * 2, ["x", "x", "y", "x", "x", "y"]
    )
    np.testing.assert_allclose(result.params["weights"], [0.5, 0.5, 0.0])


def test_missing_labels_are_dropped() -> None:
    with_gap = dawid_skene([1, 1, 2, 2], ["u", "v", "u", "v"], [1.0, np.nan, 2.0, 2.0])
    assert with_gap.items.tolist() == [1, 2]
    with pytest.raises(QualityInputError, match="no labelled rows"):
        glad([1], ["u"], [np.nan])


def test_one_class_is_certain() -> None:
    result = dawid_skene([1, 2], ["u", "v"], ["x", "x"])
    assert result.confidence.tolist() == [1.0, 1.0]


def test_unknown_method_is_refused() -> None:
    with pytest.raises(QualityInputError, match="method must be one of"):
        aggregate("median", [1], ["u"], ["x"])


def test_digamma_matches_scipy() -> None:
    special = pytest.importorskip("scipy.special", reason="scipy (dev extra) not installed")
    x = np.logspace(-3, 4, 500)
    np.testing.assert_allclose(digamma(x), special.digamma(x), rtol=1e-9, atol=1e-11)
