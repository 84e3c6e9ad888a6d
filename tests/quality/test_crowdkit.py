"""Agreement with crowd-kit (the reference implementation) on random crowds.

crowd-kit is a dev dependency only; these tests skip without it. Two of its quirks
are handled here rather than copied: its MACE indexes strategy counts by sorted worker
and label while indexing parameters by first appearance, so it is fed rows sorted by
(worker, label), where the two orders coincide; its GLAD stops after two EM iterations,
so its posteriors are compared loosely.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from fairloop.quality import (
    dawid_skene,
    glad,
    mace,
    majority_vote,
    one_coin_dawid_skene,
)
from tests.quality.conftest import crowd

ck = pytest.importorskip("crowdkit.aggregation", reason="crowd-kit not installed (dev extra)")
pd = pytest.importorskip("pandas", reason="pandas (via crowd-kit) not installed")

CASES = {
    "mv": (majority_vote, lambda: ck.MajorityVote(), 1e-12),
    "ds": (dawid_skene, lambda: ck.DawidSkene(n_iter=100), 0.01),
    "onecoin": (one_coin_dawid_skene, lambda: ck.OneCoinDawidSkene(n_iter=100), 0.01),
    "glad": (glad, lambda: ck.GLAD(), 0.03),
    "mace": (mace, lambda: ck.MACE(), 0.01),
}


def _reference(make, items, workers, labels):
    frame = pd.DataFrame({"task": items, "worker": workers, "label": labels})
    frame = frame.sort_values(["worker", "label"], kind="stable").reset_index(drop=True)
    with warnings.catch_warnings():  # third-party code: its deprecations are not ours
        warnings.simplefilter("ignore")
        model = make().fit(frame)
    return model


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("method", sorted(CASES))
def test_same_labels_and_close_posteriors(method: str, seed: int) -> None:
    ours_fn, make, mean_gap = CASES[method]
    items, workers, labels, truth = crowd(seed=seed, n_items=1000 if method == "glad" else 1500)
    ours = ours_fn(items, workers, labels)
    theirs = _reference(make, items, workers, labels)
    their_labels = theirs.labels_.reindex(ours.items).to_numpy()
    probas = theirs.probas_.reindex(index=ours.items, columns=ours.classes).fillna(0.0)
    if method == "mv":  # ties: both take the smallest label, so compare only clear winners
        clear = np.sort(ours.posteriors, axis=1)[:, -2] < ours.confidence
        assert (their_labels[clear] == ours.labels[clear]).all()
    else:
        assert (their_labels == ours.labels).mean() >= 0.995
    gap = np.abs(probas.to_numpy() - ours.posteriors)
    assert gap.mean() <= mean_gap
    # and at least as accurate against the truth
    assert (ours.labels == truth).mean() >= (their_labels == truth).mean() - 0.002
