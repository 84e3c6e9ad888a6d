"""Agreement metrics against published values and independent implementations."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.csv as pv
import pytest

from fairloop.quality import (
    QualityInputError,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    percent_agreement,
)
from tests.factories.refdata import refdata

FILES = {
    "wikipedia": "wikipedia.csv",
    "krippendorff_2018_p290": "krippendorff-2018-p290.csv",
    "krippendorff_2018_p306": "krippendorff-2018-p306.csv",
    "krippendorff_2018_p310": "krippendorff-2018-p310.csv",
    "hayes_krippendorff_2007": "hayes-krippendorff-2007.csv",
}


def _cases() -> list[dict]:
    path = refdata("krippendorff", "expected.json")
    return json.loads(path.read_text())["cases"]


def test_alpha_matches_every_published_value() -> None:
    for case in _cases():
        name = case["case"].split(" ")[0]
        table = pv.read_csv(
            refdata("krippendorff", FILES[name]),
            convert_options=pv.ConvertOptions(column_types={"label": pa.string()}),
        )
        labels = np.array(table["label"].to_pylist())
        if case["level"] != "nominal":
            labels = labels.astype(float)
        got = krippendorff_alpha(
            table["item"].to_numpy(), table["worker"].to_numpy(), labels, level=case["level"]
        )
        assert abs(got.value - case["expected"]) <= case["tol"], (case, got.value)


def _wide_to_long(matrix: list[list[float]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(workers x items) with NaN for missing, as long rows."""
    data = np.array(matrix, dtype=float)
    workers, items = np.indices(data.shape)
    return items.ravel(), workers.ravel(), data.ravel()


def test_missing_labels_are_dropped_not_counted() -> None:
    nan = np.nan
    items, workers, labels = _wide_to_long(
        [[nan, nan, nan, nan, nan, 3, 4, 1, 2, 1, 1, 3, 3, nan, 3],
         [1, nan, 2, 1, 3, 3, 4, 3, nan, nan, nan, nan, nan, nan, nan],
         [nan, nan, 2, 1, 3, 4, 4, nan, 2, 1, 1, 3, 3, nan, 4]]
    )  # fmt: skip
    got = krippendorff_alpha(items, workers, labels, level="nominal")
    assert got.value == pytest.approx(0.691358, abs=1e-6)
    assert got.items == 12  # items with two or more labels
    assert got.labels == 27


def test_fleiss_matches_the_textbook_example() -> None:
    # Fleiss (1971) as on Wikipedia: 10 subjects, 14 raters, 5 categories, kappa 0.210
    table = [
        [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
    ]  # fmt: skip
    items, labels = [], []
    for i, row in enumerate(table):
        for category, count in enumerate(row):
            items += [i] * count
            labels += [category] * count
    workers = [n % 14 for n in range(len(items))]
    got = fleiss_kappa(items, workers, labels)
    assert got.value == pytest.approx(0.2099, abs=5e-4)
    assert percent_agreement(items, workers, labels).value == pytest.approx(0.378, abs=1e-3)


@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_cohen_matches_scikit_learn(weights: str | None) -> None:
    metrics = pytest.importorskip("sklearn.metrics", reason="scikit-learn (via crowd-kit) absent")
    rng = np.random.default_rng(3)
    a = rng.integers(0, 5, 300)
    b = np.where(rng.random(300) < 0.6, a, rng.integers(0, 5, 300))
    items = np.r_[np.arange(300), np.arange(300)]
    got = cohen_kappa(items, np.repeat([0, 1], 300), np.r_[a, b], weights=weights)
    assert got.value == pytest.approx(metrics.cohen_kappa_score(a, b, weights=weights), abs=1e-12)


def test_bootstrap_interval_brackets_the_value_and_is_seeded() -> None:
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 3, 200)
    items = np.repeat(np.arange(200), 3)
    labels = np.where(rng.random(600) < 0.8, truth[items], rng.integers(0, 3, 600))
    workers = np.tile([0, 1, 2], 200)
    first = krippendorff_alpha(items, workers, labels, bootstrap=200, seed=4)
    again = krippendorff_alpha(items, workers, labels, bootstrap=200, seed=4)
    assert first.lower < first.value < first.upper
    assert (first.lower, first.upper) == (again.lower, again.upper)
    assert fleiss_kappa(items, workers, labels, bootstrap=50).lower is not None


def test_one_worker_is_refused() -> None:
    with pytest.raises(QualityInputError, match="two workers") as err:
        krippendorff_alpha([1, 2, 3], ["w", "w", "w"], ["a", "b", "a"])
    assert err.value.field == "worker"


def test_numeric_levels_need_numbers() -> None:
    with pytest.raises(QualityInputError, match="numeric"):
        krippendorff_alpha([1, 1], ["v", "w"], ["a", "b"], level="interval")


def test_cohen_needs_exactly_two_workers() -> None:
    with pytest.raises(QualityInputError, match="exactly two"):
        cohen_kappa([1, 1, 1], ["u", "v", "w"], [1, 2, 1])


def test_undefined_kappa_is_nan_and_json_null() -> None:
    got = fleiss_kappa([1, 1, 2, 2], ["v", "w", "v", "w"], ["a", "a", "a", "a"])
    assert np.isnan(got.value)
    assert got.as_dict()["value"] is None
