"""Pairwise comparisons as codes and per-pair win counts.

Bradley-Terry only needs, per unordered pair of ids, how often they met and how often
the first won; summing a million comparison rows into those counts is one
`np.bincount`, after which nothing scales with the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fairloop.quality.errors import QualityInputError
from fairloop.quality.responses import ArrayLike, unique_codes

WINNERS = {"left": 1.0, "right": 0.0, "tie": 0.5}


def outcomes(winner: ArrayLike) -> np.ndarray:
    """Map `left`/`right`/`tie` strings to 1/0/0.5; anything else is an error naming the row."""
    values = np.asarray(winner)
    out = np.full(values.size, np.nan)
    for name, score in WINNERS.items():
        out[values == name] = score
    bad = np.isnan(out)
    if bad.any():
        row = int(np.argmax(bad))
        raise QualityInputError(
            f"row {row}: winner must be left, right or tie, not {values[row]!r}", field="winner"
        )
    return out


@dataclass(frozen=True)
class Pairs:
    """Comparisons as codes into `ids`, and their per-pair counts.

    Rows: `left`, `right` (codes), `outcome` (1, 0, 0.5) and `cell` (the row's
    (pair, result) cell). Pairs: `a` < `b` codes, `games`, `wins` (of `a`, ties as
    half). `cells` holds the (pair, result) cell of every row kind for resampling.
    """

    ids: np.ndarray
    left: np.ndarray
    right: np.ndarray
    outcome: np.ndarray
    a: np.ndarray
    b: np.ndarray
    games: np.ndarray
    wins: np.ndarray
    cell: np.ndarray
    comparisons: np.ndarray

    def resample(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Per-pair (games, wins) of one bootstrap resample of the rows."""
        counts = np.bincount(
            self.cell[rng.integers(0, self.cell.size, self.cell.size)], minlength=3 * self.a.size
        ).reshape(-1, 3)
        games = counts.sum(axis=1).astype(float)
        return games, counts[:, 0] + 0.5 * counts[:, 2]


def encode_pairs(left: ArrayLike, right: ArrayLike, outcome: ArrayLike) -> Pairs:
    """Encode ids with `np.unique` and sum the rows into per-pair counts."""
    lf, rt = np.asarray(left), np.asarray(right)
    oc = np.asarray(outcome, dtype=float)
    if not lf.ndim == rt.ndim == oc.ndim == 1 or not lf.size == rt.size == oc.size:
        raise QualityInputError("left, right and outcome must be 1-D and of equal length")
    if lf.size == 0:
        raise QualityInputError("no comparisons")
    valid = (oc == 0.0) | (oc == 0.5) | (oc == 1.0)
    if not valid.all():
        row = int(np.argmax(~valid))
        raise QualityInputError(f"row {row}: outcome must be 1, 0 or 0.5", field="winner")
    ids, codes = unique_codes(np.concatenate([lf, rt]), "left")
    lc, rc = codes[: lf.size], codes[lf.size :]
    same = lc == rc
    if same.any():
        row = int(np.argmax(same))
        raise QualityInputError(f"row {row}: {ids[lc[row]]} is compared with itself", field="right")
    n = ids.size
    a, b = np.minimum(lc, rc), np.maximum(lc, rc)
    a_won = np.where(lc == a, oc, 1.0 - oc)
    kind = np.where(oc == 0.5, 2, np.where(a_won == 1.0, 0, 1))  # a won, b won, tie
    pair_ids, pair_code = unique_codes(a * n + b, "pair")
    cell = pair_code * 3 + kind
    counts = np.bincount(cell, minlength=3 * pair_ids.size).reshape(-1, 3)
    comparisons = np.bincount(lc, minlength=n) + np.bincount(rc, minlength=n)
    return Pairs(
        ids=ids,
        left=lc,
        right=rc,
        outcome=oc,
        a=pair_ids // n,
        b=pair_ids % n,
        games=counts.sum(axis=1).astype(float),
        wins=counts[:, 0] + 0.5 * counts[:, 2],
        cell=cell,
        comparisons=comparisons,
    )
