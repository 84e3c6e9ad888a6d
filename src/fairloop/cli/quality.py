"""`fairloop quality ...`: agreement, aggregation and ranking over any crowd data.

Thin: read the CSV into arrays (`fairloop.quality.tables`), call the library, write
the result. The library's QualityInputError becomes the platform's InvalidInput, which
the CLI prints as one line with exit 1.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypedDict

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv
import typer

from fairloop.errors import InvalidInput
from fairloop.quality import (
    METHODS,
    QualityInputError,
    bradley_terry,
    cohen_kappa,
    elo,
    fleiss_kappa,
    krippendorff_alpha,
    percent_agreement,
)
from fairloop.quality import (
    aggregate as run_aggregation,
)
from fairloop.quality.pairs import WINNERS
from fairloop.quality.tables import Column, empty_cells, label_kind, read_table, require_cells

app = typer.Typer(no_args_is_help=True, help="Agreement, label aggregation and ranking.")

LEVELS = ("nominal", "ordinal", "interval", "ratio")


class _Interval(TypedDict):
    """The bootstrap options every agreement metric takes."""

    bootstrap: int
    confidence: float
    seed: int


COHEN_WEIGHTS = {"nominal": None, "ordinal": "linear", "interval": "quadratic"}


@contextmanager
def _as_invalid_input() -> Iterator[None]:
    try:
        yield
    except QualityInputError as exc:
        raise InvalidInput(exc.message, field=exc.field) from None


def _choice(value: str, allowed: tuple[str, ...] | list[str], field: str) -> str:
    if value not in allowed:
        raise InvalidInput(
            f"--{field} must be one of {', '.join(allowed)}, not {value!r}", field=field
        )
    return value


def _labelled_rows(path: Path) -> tuple[dict[str, Column], np.ndarray, np.ndarray, str]:
    """Read item,worker,label; returns the columns, rows kept (label not empty), the
    label array the library gets (codes for text, numbers otherwise) and its kind."""
    cols = read_table(path, ("item", "worker", "label"))
    require_cells(path, cols["item"], "item")
    require_cells(path, cols["worker"], "worker")
    kind = label_kind(path, cols["label"])
    keep = ~empty_cells(cols["label"])
    if kind == "text":
        return cols, keep, cols["label"].codes[keep], kind
    numbers = cols["label"].numbers()[keep]
    if np.all(numbers == np.round(numbers)) and np.abs(numbers).max() < 2**53:
        numbers = numbers.astype(np.int64)
    return cols, keep, numbers, kind


def _write(table: pa.Table, out: Path) -> None:
    pv.write_csv(table, out, pv.WriteOptions(quoting_style="needed"))
    typer.echo(f"wrote {table.num_rows} rows to {out}")


def _weights(path: Path, workers: Column) -> dict[object, float]:
    """worker,weight rows keyed by the worker codes of the labels file."""
    cols = read_table(path, ("worker", "weight"))
    if label_kind(path, cols["weight"], "weight") != "number":
        raise InvalidInput(f"{path.name}: weight must be a number", field="weight")
    index = pc.index_in(cols["worker"].names, value_set=workers.names).to_numpy(
        zero_copy_only=False
    )
    codes, values = index[cols["worker"].codes], cols["weight"].numbers()
    known = ~np.isnan(codes.astype(float))
    return dict(zip(codes[known].astype(np.int64).tolist(), values[known].tolist(), strict=True))


@app.command()
def aggregate(
    labels: Path = typer.Argument(..., help="CSV with columns item,worker,label"),
    method: str = typer.Option("ds", "--method", help="mv, wmv, ds, onecoin, glad or mace"),
    out: Path = typer.Option(..., "--out", help="output CSV: item,label,confidence"),
    weights: Path | None = typer.Option(
        None,
        "--weights",
        help="wmv: CSV worker,weight (e.g. gold accuracy); without it each worker's "
        "weight is their leave-one-out agreement with the others",
    ),
    workers_out: Path | None = typer.Option(
        None, "--workers-out", help="also write worker,reliability,labels to this CSV"
    ),
    seed: int = typer.Option(0, "--seed", help="random starts of mace"),
) -> None:
    """One label per item with its posterior confidence."""
    _choice(method, list(METHODS), "method")
    with _as_invalid_input():
        cols, keep, label_values, kind = _labelled_rows(labels)
        options: dict[str, object] = {}
        if method == "wmv" and weights is not None:
            options["weights"] = _weights(weights, cols["worker"])
        if method == "mace":
            options["seed"] = seed
        result = run_aggregation(
            method, cols["item"].codes[keep], cols["worker"].codes[keep], label_values, **options
        )
    chosen = cols["label"].values(result.labels) if kind == "text" else pa.array(result.labels)
    _write(
        pa.table(
            {
                "item": cols["item"].values(result.items),
                "label": chosen,
                "confidence": pa.array(np.round(result.confidence, 6)),
            }
        ),
        out,
    )
    if workers_out is not None:
        counts = np.bincount(
            np.searchsorted(result.workers, cols["worker"].codes[keep]),
            minlength=result.workers.size,
        )
        _write(
            pa.table(
                {
                    "worker": cols["worker"].values(result.workers),
                    "reliability": pa.array(np.round(result.reliability, 6)),
                    "labels": pa.array(counts),
                }
            ),
            workers_out,
        )


@app.command()
def agreement(
    labels: Path = typer.Argument(..., help="CSV with columns item,worker,label"),
    metric: str = typer.Option("alpha", "--metric", help="alpha, fleiss, cohen or percent"),
    level: str = typer.Option(
        "nominal",
        "--level",
        help="nominal, ordinal, interval or ratio (alpha); cohen: nominal = unweighted, "
        "ordinal = linear weights, interval = quadratic weights",
    ),
    bootstrap: int = typer.Option(0, "--bootstrap", help="bootstrap rounds for an interval"),
    confidence: float = typer.Option(0.95, "--confidence", help="interval coverage"),
    seed: int = typer.Option(0, "--seed", help="bootstrap seed"),
) -> None:
    """Print one JSON object: metric, level, value, items, workers (and the interval)."""
    _choice(metric, ("alpha", "fleiss", "cohen", "percent"), "metric")
    _choice(level, LEVELS, "level")
    if metric in ("fleiss", "percent") and level != "nominal":
        raise InvalidInput(f"{metric} is defined for nominal labels only", field="level")
    if metric == "cohen" and level not in COHEN_WEIGHTS:
        raise InvalidInput("cohen takes --level nominal, ordinal or interval", field="level")
    with _as_invalid_input():
        cols, keep, label_values, kind = _labelled_rows(labels)
        if kind == "text" and level != "nominal":
            raise QualityInputError(f"the {level} level needs numeric labels", field="label")
        rows = (cols["item"].codes[keep], cols["worker"].codes[keep], label_values)
        ci: _Interval = {"bootstrap": bootstrap, "confidence": confidence, "seed": seed}
        if metric == "alpha":
            result = krippendorff_alpha(*rows, level=level, **ci)
        elif metric == "fleiss":
            result = fleiss_kappa(*rows, **ci)
        elif metric == "percent":
            result = percent_agreement(*rows, **ci)
        else:
            result = cohen_kappa(*rows, weights=COHEN_WEIGHTS[level], **ci)
    body = result.as_dict()
    if metric == "cohen":
        body["weights"] = COHEN_WEIGHTS[level] or "none"
    typer.echo(json.dumps(body))


def _comparisons(path: Path) -> tuple[pa.Array, np.ndarray, np.ndarray, np.ndarray]:
    """Read left,right,winner: shared id dictionary, left and right codes, outcomes."""
    cols = read_table(path, ("left", "right", "winner"))
    for field in ("left", "right", "winner"):
        require_cells(path, cols[field], field)
    winner = cols["winner"]
    score = np.array([WINNERS.get(v, np.nan) for v in winner.names.to_pylist()])
    bad = np.isnan(score[winner.codes])
    if bad.any():
        row = int(np.argmax(bad))
        value = winner.names[int(winner.codes[row])].as_py()
        raise InvalidInput(
            f"{path.name} line {row + 2}: winner must be left, right or tie, not {value!r}",
            field="winner",
        )
    names = pc.unique(pa.concat_arrays([cols["left"].names, cols["right"].names]))
    left = pc.index_in(cols["left"].names, value_set=names).to_numpy()[cols["left"].codes]
    right = pc.index_in(cols["right"].names, value_set=names).to_numpy()[cols["right"].codes]
    same = left == right
    if same.any():
        row = int(np.argmax(same))
        raise InvalidInput(
            f"{path.name} line {row + 2}: {names[int(left[row])].as_py()!r} is compared with itself",
            field="right",
        )
    return names, left.astype(np.int64), right.astype(np.int64), score[winner.codes]


@app.command()
def rank(
    pairs: Path = typer.Argument(
        ..., help="CSV with columns left,right,winner (left, right or tie)"
    ),
    method: str = typer.Option(
        "bt", "--method", help="bt (Bradley-Terry MLE) or elo (online, K=4)"
    ),
    out: Path = typer.Option(..., "--out", help="output CSV: id,score,lower,upper,comparisons"),
    rounds: int = typer.Option(100, "--rounds", help="bootstrap rounds for lower/upper (0: none)"),
    seed: int = typer.Option(0, "--seed", help="bootstrap seed"),
    prior: float = typer.Option(
        0.0, "--prior", help="bt: ridge on log-odds strengths; > 0 when someone never loses"
    ),
) -> None:
    """Scores on the Elo scale (400 per factor of 10 in the odds, mean 1000), best first."""
    _choice(method, ("bt", "elo"), "method")
    with _as_invalid_input():
        names, left, right, outcome = _comparisons(pairs)
        if method == "bt":
            result = bradley_terry(left, right, outcome, rounds=rounds, seed=seed, prior=prior)
        else:
            result = elo(left, right, outcome, rounds=rounds, seed=seed)
    _write(
        pa.table(
            {
                "id": names.take(pa.array(result.ids)),
                "score": pa.array(np.round(result.score, 3)),
                "lower": pa.array(np.round(result.lower, 3), from_pandas=True),
                "upper": pa.array(np.round(result.upper, 3), from_pandas=True),
                "comparisons": pa.array(result.comparisons),
            }
        ),
        out,
    )
