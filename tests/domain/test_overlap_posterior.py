"""Dynamic overlap's confidence from the quality library's one-coin Dawid-Skene model:
the per-item posterior agrees with the library's, given the library's fitted skills."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairloop.domain.scheduling import (
    OverlapRule,
    gold_accuracies,
    item_confidence,
    one_coin_posterior,
    wanted_submissions,
)
from fairloop.quality import one_coin_dawid_skene


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_classes=st.integers(2, 4),
    n_items=st.integers(5, 30),
)
def test_posterior_matches_the_library_given_its_skills(seed, n_classes, n_items):
    rng = np.random.default_rng(seed)
    workers = 6
    items, who, labels = [], [], []
    for i in range(n_items):
        for w in rng.choice(workers, size=3, replace=False):
            items.append(i)
            who.append(int(w))
            labels.append(int(rng.integers(n_classes)))
    fit = one_coin_dawid_skene(items, who, labels)
    classes = fit.classes.tolist()
    skill = dict(zip(fit.workers.tolist(), fit.params["skill"].tolist(), strict=True))
    priors = fit.params["priors"].tolist()
    for row, item in enumerate(fit.items.tolist()):
        rows = [n for n, i in enumerate(items) if i == item]
        ours = one_coin_posterior(
            [labels[n] for n in rows], [skill[who[n]] for n in rows], classes, priors
        )
        assert ours == pytest.approx(fit.posteriors[row].tolist(), abs=1e-6)


def test_careful_workers_settle_an_item_sooner_than_careless_ones():
    rule = OverlapRule(2, 5, 0.9)
    agree = ["toxic", "toxic"]
    # Two workers who got 19 of 20 gold items right: confident at two.
    careful = gold_accuracies([(20, 19), (20, 19)])
    assert item_confidence(agree, careful, 2) > 0.99
    assert wanted_submissions(rule, agree, careful, 2) == 2
    # Two who guess on gold: two agreeing answers prove little, ask a third.
    careless = gold_accuracies([(20, 11), (20, 10)])
    assert item_confidence(agree, careless, 2) < 0.9
    assert wanted_submissions(rule, agree, careless, 2) == 3
    # Without gold for everyone, the majority's share decides, as before.
    assert gold_accuracies([(20, 19), (0, 0)]) is None
    assert item_confidence(["a", "a", "b"]) == pytest.approx(2 / 3)
