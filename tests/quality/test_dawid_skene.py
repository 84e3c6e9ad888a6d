"""Dawid-Skene against the published 1979 anaesthetist results."""

from __future__ import annotations

import json

import numpy as np
import pyarrow.csv as pv
import pytest

from fairloop.quality import dawid_skene
from tests.factories.refdata import refdata


@pytest.fixture(scope="module")
def published() -> tuple[dict, object]:
    expected = json.loads(refdata("dawid_skene", "expected.json").read_text())
    table = pv.read_csv(refdata("dawid_skene", "ds1979_anaesthetists.csv"))
    items, workers, labels = (table[c].to_numpy() for c in ("item", "worker", "label"))
    # the published stopping rule: the log-likelihood gains less than 1e-5
    result = dawid_skene(items, workers, labels, tol=1e-5 / labels.size)
    return expected, result


def test_priors_match(published) -> None:
    expected, result = published
    np.testing.assert_allclose(result.params["priors"], expected["class_priors"], atol=0.01)


def test_error_rates_match(published) -> None:
    expected, result = published
    np.testing.assert_allclose(result.params["confusion"], expected["error_rates"], atol=0.01)


def test_every_patient_gets_the_published_class(published) -> None:
    expected, result = published
    assert result.items.tolist() == list(range(1, 46))
    assert result.labels.tolist() == expected["map_class_per_patient"]


def test_uncertain_posteriors_and_likelihood_match(published) -> None:
    expected, result = published
    for patient, posterior in expected["uncertain_posteriors"].items():
        np.testing.assert_allclose(result.posteriors[int(patient) - 1], posterior, atol=1e-3)
    assert result.log_likelihood == pytest.approx(expected["final_log_likelihood"], abs=1e-3)
