"""Shared builders for the quality tests: synthetic crowds (the published reference
data is read through tests.factories.refdata)."""

from __future__ import annotations

import numpy as np


def crowd(
    *,
    n_items: int = 1500,
    n_workers: int = 60,
    per_item: int = 5,
    n_classes: int = 4,
    accuracy: tuple[float, float] = (0.5, 0.95),
    seed: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Items with a known truth, each labelled by `per_item` distinct workers whose
    accuracy is uniform in `accuracy`; wrong answers are uniform over the other labels.
    Returns (items, workers, labels, truth)."""
    rng = np.random.default_rng(seed)
    acc = rng.uniform(*accuracy, n_workers)
    truth = rng.integers(0, n_classes, n_items)
    items = np.repeat(np.arange(n_items), per_item)
    workers = np.concatenate(
        [rng.choice(n_workers, per_item, replace=False) for _ in range(n_items)]
    )
    right = rng.random(items.size) < acc[workers]
    wrong = (truth[items] + rng.integers(1, n_classes, items.size)) % n_classes
    labels = np.where(right, truth[items], wrong)
    return items, workers, labels, truth
