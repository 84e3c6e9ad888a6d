"""Agreement, label aggregation and preference ranking over any crowd data.

A library on numpy arrays that imports nothing else of fairloop, so it serves the
platform's exports and reports and `fairloop quality ...` alike. Rows come in as
parallel arrays (item, worker, label) or (left, right, outcome); results come out as
small frozen dataclasses of arrays.

    >>> from fairloop.quality import majority_vote, dawid_skene
    >>> r = dawid_skene(items, workers, labels)        # doctest: +SKIP
    >>> r.items, r.labels, r.confidence, r.reliability  # doctest: +SKIP

Aggregation (`Aggregation` results): `majority_vote`, `weighted_majority_vote`,
`dawid_skene`, `one_coin_dawid_skene`, `glad`, `mace`; `aggregate(method, ...)` picks
one by its CLI name. Agreement (`Agreement`): `krippendorff_alpha`, `fleiss_kappa`,
`cohen_kappa`, `percent_agreement`. Ranking (`Ranking`): `bradley_terry`, `elo`, with
`outcomes` to turn left/right/tie into 1/0/0.5. Bad input raises
`QualityInputError` (a `ValueError`).
"""

from __future__ import annotations

from fairloop.quality.aggregate import METHODS, aggregate
from fairloop.quality.agreement import (
    Agreement,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    percent_agreement,
)
from fairloop.quality.dawid_skene import dawid_skene, one_coin_dawid_skene
from fairloop.quality.errors import QualityInputError
from fairloop.quality.glad import glad
from fairloop.quality.mace import mace
from fairloop.quality.pairs import outcomes
from fairloop.quality.ranking import Ranking, bradley_terry, elo
from fairloop.quality.responses import Aggregation
from fairloop.quality.voting import majority_vote, weighted_majority_vote

__all__ = [
    "METHODS",
    "Aggregation",
    "Agreement",
    "QualityInputError",
    "Ranking",
    "aggregate",
    "bradley_terry",
    "cohen_kappa",
    "dawid_skene",
    "elo",
    "fleiss_kappa",
    "glad",
    "krippendorff_alpha",
    "mace",
    "majority_vote",
    "one_coin_dawid_skene",
    "outcomes",
    "percent_agreement",
    "weighted_majority_vote",
]
