"""The human-feedback datasets, one module each: ``raw`` (every submission), ``dpo``
(preference pairs), ``sft`` (conversations), ``ratings`` and ``rankings``.

Each builds rows as a stream from the database; :mod:`fairloop.io.writers` turns them
into JSON lines, CSV or Parquet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from fairloop.db.engine import Database
from fairloop.errors import InvalidInput
from fairloop.services.exports import dpo, rankings, ratings, raw, sft


@dataclass(frozen=True)
class Dataset:
    columns: dict[str, str]
    task_types: tuple[str, ...] | None
    """The task types it is built from; None: any."""


DATASETS = {
    "dpo": Dataset(dpo.COLUMNS, dpo.TASK_TYPES),
    "sft": Dataset(sft.COLUMNS, sft.TASK_TYPES),
    "ratings": Dataset(ratings.COLUMNS, ratings.TASK_TYPES),
    "rankings": Dataset(rankings.COLUMNS, rankings.TASK_TYPES),
}
FEEDBACK_TYPES = ("rate", "compare", "rank", "write", "converse")


class DatasetRows:
    """The rows of a dataset, iterated once; ``left_out`` counts what was left out
    (ties in ``dpo``), known once the rows are consumed."""

    def __init__(self, make: Callable[[dpo.Tally], Iterator[dict[str, Any]]]):
        self._tally = dpo.Tally()
        self._rows = make(self._tally)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self._rows

    def __next__(self) -> dict[str, Any]:
        return next(self._rows)

    @property
    def left_out(self) -> int:
        return self._tally.left_out


def check_fits(fmt: str, task_type: str) -> None:
    """Refuse a dataset the project's task type cannot give, saying which can."""
    wanted = DATASETS[fmt].task_types
    if wanted is not None and task_type not in wanted:
        fits = [name for name, d in DATASETS.items() if d.task_types and task_type in d.task_types]
        raise InvalidInput(
            f"a {fmt} dataset comes from {', '.join(wanted)} projects, not {task_type}; "
            f"this project exports: {', '.join(['raw', *fits])}",
            field="format",
        )


def dataset_rows(db: Database, fmt: str, project_id: int, spec: dict[str, Any]) -> DatasetRows:
    if fmt == "dpo":
        return DatasetRows(lambda tally: dpo.dpo_rows(db, project_id, spec, tally))
    build = {
        "sft": sft.sft_rows,
        "ratings": ratings.ratings_rows,
        "rankings": rankings.rankings_rows,
    }
    return DatasetRows(lambda _tally: build[fmt](db, project_id, spec))


__all__ = ["DATASETS", "FEEDBACK_TYPES", "DatasetRows", "check_fits", "dataset_rows", "raw"]
