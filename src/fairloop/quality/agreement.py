"""How much workers agree: Krippendorff's alpha, Fleiss' and Cohen's kappa, percent.

All metrics take long-format rows (item, worker, label), drop rows without a label
(missing data), and can add a percentile bootstrap interval that resamples items, the
unit of analysis. Alpha is delegated to the `krippendorff` package, fed the
(items x values) count matrix so that no (workers x items) matrix is ever built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

import krippendorff
import numpy as np

from fairloop.quality.errors import QualityInputError
from fairloop.quality.responses import ArrayLike, Responses, encode

LEVELS = ("nominal", "ordinal", "interval", "ratio")
KAPPA_WEIGHTS = {"nominal": None, "ordinal": "linear", "interval": "quadratic"}


@dataclass(frozen=True)
class Agreement:
    """One agreement figure.

    `value` is NaN when the metric is undefined (e.g. every label is the same);
    `items` counts the items with labels from at least two workers (the ones that
    carry information), `workers` and `labels` the workers and labelled rows used;
    `lower`/`upper` bound the bootstrap interval when one was asked for.
    """

    metric: str
    level: str
    value: float
    items: int
    workers: int
    labels: int
    lower: float | None = None
    upper: float | None = None
    rounds: int = 0

    def as_dict(self) -> dict[str, object]:
        """JSON-ready: NaN becomes None."""
        out = asdict(self)
        for key, val in out.items():
            if isinstance(val, float) and np.isnan(val):
                out[key] = None
        return out


def _prepare(items: ArrayLike, workers: ArrayLike, labels: ArrayLike, level: str) -> Responses:
    if level not in LEVELS:
        raise QualityInputError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    resp = encode(items, workers, labels)
    if level != "nominal" and resp.classes.dtype.kind not in "iuf":
        raise QualityInputError(f"the {level} level needs numeric labels", field="label")
    if resp.n_workers < 2:
        raise QualityInputError(
            f"agreement needs labels from at least two workers; found {resp.n_workers}",
            field="worker",
        )
    return resp


def _value_counts(resp: Responses) -> np.ndarray:
    """(n_items, n_classes) count of each label per item."""
    counts = np.bincount(resp.class_item_key(), minlength=resp.n_classes * resp.n_items)
    return np.ascontiguousarray(counts.reshape(resp.n_classes, resp.n_items).T)


def _pairable(counts: np.ndarray) -> np.ndarray:
    """Only items labelled at least twice say anything about agreement."""
    kept: np.ndarray = counts[counts.sum(axis=1) >= 2]
    if kept.shape[0] == 0:
        raise QualityInputError("no item has labels from two workers", field="item")
    return kept


def _bootstrap(
    stat: Callable[[np.ndarray], float], units: int, rounds: int, confidence: float, seed: int
) -> tuple[float | None, float | None]:
    """Percentile interval of `stat(resampled unit indices)` over `rounds` resamples."""
    if rounds <= 0:
        return None, None
    rng = np.random.default_rng(seed)
    draws = np.array([stat(rng.integers(0, units, units)) for _ in range(rounds)])
    draws = draws[~np.isnan(draws)]
    if draws.size == 0:
        return float("nan"), float("nan")
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(draws, [tail, 1.0 - tail])
    return float(low), float(high)


def krippendorff_alpha(
    items: ArrayLike,
    workers: ArrayLike,
    labels: ArrayLike,
    *,
    level: str = "nominal",
    bootstrap: int = 0,
    confidence: float = 0.95,
    seed: int = 0,
) -> Agreement:
    """Krippendorff's alpha at `level` (nominal, ordinal, interval or ratio).

    Non-nominal levels need numeric labels; their order and distances come from the
    values. `bootstrap` > 0 adds a percentile interval over that many item resamples.
    """
    resp = _prepare(items, workers, labels, level)
    counts = _pairable(_value_counts(resp))
    domain = resp.classes if level != "nominal" else np.arange(resp.n_classes)

    def alpha(rows: np.ndarray) -> float:
        sub = counts[rows]
        if np.count_nonzero(sub.sum(axis=0)) < 2:
            return float("nan")  # one value only: no disagreement to expect
        return float(
            krippendorff.alpha(
                value_counts=sub,
                value_domain=domain,
                level_of_measurement=level,  # type: ignore[arg-type]  # checked in _prepare
            )
        )

    value = alpha(np.arange(counts.shape[0]))
    low, high = _bootstrap(alpha, counts.shape[0], bootstrap, confidence, seed)
    return Agreement(
        "alpha", level, value, counts.shape[0], resp.n_workers, resp.n_rows, low, high, bootstrap
    )


def _fleiss_parts(counts: np.ndarray) -> tuple[float, float]:
    """(observed pairwise agreement P-bar, chance agreement P_e) over items."""
    n = counts.sum(axis=1).astype(float)
    per_item = ((counts * counts).sum(axis=1) - n) / (n * (n - 1))
    shares = counts.sum(axis=0) / n.sum()
    return float(per_item.mean()), float((shares * shares).sum())


def fleiss_kappa(
    items: ArrayLike,
    workers: ArrayLike,
    labels: ArrayLike,
    *,
    bootstrap: int = 0,
    confidence: float = 0.95,
    seed: int = 0,
) -> Agreement:
    """Fleiss' kappa (nominal), allowing a different number of labels per item."""
    resp = _prepare(items, workers, labels, "nominal")
    counts = _pairable(_value_counts(resp))

    def kappa(rows: np.ndarray) -> float:
        observed, chance = _fleiss_parts(counts[rows])
        return float("nan") if chance >= 1.0 else (observed - chance) / (1.0 - chance)

    value = kappa(np.arange(counts.shape[0]))
    low, high = _bootstrap(kappa, counts.shape[0], bootstrap, confidence, seed)
    return Agreement(
        "fleiss",
        "nominal",
        value,
        counts.shape[0],
        resp.n_workers,
        resp.n_rows,
        low,
        high,
        bootstrap,
    )


def percent_agreement(
    items: ArrayLike,
    workers: ArrayLike,
    labels: ArrayLike,
    *,
    bootstrap: int = 0,
    confidence: float = 0.95,
    seed: int = 0,
) -> Agreement:
    """Share of agreeing pairs of labels on an item, averaged over items."""
    resp = _prepare(items, workers, labels, "nominal")
    counts = _pairable(_value_counts(resp))

    def share(rows: np.ndarray) -> float:
        return _fleiss_parts(counts[rows])[0]

    value = share(np.arange(counts.shape[0]))
    low, high = _bootstrap(share, counts.shape[0], bootstrap, confidence, seed)
    return Agreement(
        "percent",
        "nominal",
        value,
        counts.shape[0],
        resp.n_workers,
        resp.n_rows,
        low,
        high,
        bootstrap,
    )


def _kappa_from_pairs(a: np.ndarray, b: np.ndarray, k: int, weights: str | None) -> float:
    """Cohen's kappa of paired label codes; weights use the codes' rank distance."""
    observed = np.bincount(a * k + b, minlength=k * k).reshape(k, k).astype(float)
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / observed.sum()
    i, j = np.indices((k, k))
    if weights is None:
        w = (i != j).astype(float)
    elif weights == "linear":
        w = np.abs(i - j).astype(float)
    else:
        w = ((i - j) ** 2).astype(float)
    chance = float((w * expected).sum())
    return float("nan") if chance == 0.0 else 1.0 - float((w * observed).sum()) / chance


def cohen_kappa(
    items: ArrayLike,
    workers: ArrayLike,
    labels: ArrayLike,
    *,
    weights: str | None = None,
    bootstrap: int = 0,
    confidence: float = 0.95,
    seed: int = 0,
) -> Agreement:
    """Cohen's kappa between exactly two workers, over the items both labelled.

    `weights` is None (unweighted), "linear" or "quadratic"; weighted kappa needs
    ordered labels and uses their rank distance, as is usual (and as scikit-learn does).
    A worker labelling the same item twice is an error: the pair would be ambiguous.
    """
    if weights not in (None, "linear", "quadratic"):
        raise QualityInputError(f"weights must be None, 'linear' or 'quadratic', not {weights!r}")
    level = {None: "nominal", "linear": "ordinal", "quadratic": "interval"}[weights]
    resp = _prepare(items, workers, labels, level)
    if resp.n_workers != 2:
        raise QualityInputError(
            f"Cohen's kappa compares exactly two workers; found {resp.n_workers} "
            "(use alpha or fleiss for more)",
            field="worker",
        )
    n, k = resp.n_items, resp.n_classes
    seen = np.bincount(resp.worker * n + resp.item, minlength=2 * n)
    if seen.max() > 1:
        twice = int(np.argmax(seen))
        raise QualityInputError(
            f"worker {resp.workers[twice // n]} labelled item {resp.items[twice % n]} twice",
            field="item",
        )
    code = np.full(2 * n, -1)
    code[resp.worker * n + resp.item] = resp.label
    a, b = code[:n], code[n:]
    both = (a >= 0) & (b >= 0)
    a, b = a[both], b[both]
    if a.size == 0:
        raise QualityInputError("the two workers labelled no item in common", field="item")

    def kappa(rows: np.ndarray) -> float:
        return _kappa_from_pairs(a[rows], b[rows], k, weights)

    value = kappa(np.arange(a.size))
    low, high = _bootstrap(kappa, a.size, bootstrap, confidence, seed)
    metric_level = "nominal" if weights is None else level
    return Agreement(
        "cohen", metric_level, value, int(a.size), 2, int(2 * a.size), low, high, bootstrap
    )
