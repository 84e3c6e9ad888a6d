"""Every dataset a project exports, in one registry: ``raw`` (every submission),
``aggregated`` (one decided answer per item), ``dpo`` (preference pairs), ``sft``
(conversations), ``ratings``, ``rankings``, ``redteam`` (transcripts) and ``record``
(recordings). One module a format.

Each format builds rows as a stream from the database; :mod:`fairloop.io.writers` turns
them into JSON lines, CSV or Parquet. To add a format: write its module (``COLUMNS`` and
a row builder), then add it to :data:`FORMATS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from fairloop.db.engine import Database
from fairloop.domain.actors import Actor
from fairloop.errors import InvalidInput
from fairloop.services.access import project_for_requester
from fairloop.services.exports import (
    aggregated,
    dpo,
    rankings,
    ratings,
    raw,
    record,
    redteam,
    sft,
)
from fairloop.services.exports.dpo import Tally
from fairloop.services.exports.record import copy_media

Rows = Iterator[dict[str, Any]]
Build = Callable[[Database, int, dict[str, Any], Tally], Rows]


def _spec_ok(task: dict[str, Any]) -> str | None:
    return None


def _dpo_needs(task: dict[str, Any]) -> str | None:
    if task["type"] == "rate" and not task.get("pairs"):
        return "a dpo dataset from a rate project needs task.pairs in the spec"
    return None


def _sft_needs(task: dict[str, Any]) -> str | None:
    if task.get("mode") == "prompt":
        return "prompts written without a reply are not SFT data; export raw"
    return None


@dataclass(frozen=True)
class Format:
    columns: dict[str, str]
    task_types: tuple[str, ...] | None
    """The task types it is built from; None: any."""
    build: Build
    needs: Callable[[dict[str, Any]], str | None] = _spec_ok
    """Why a project of a fitting type still cannot give it (the spec lacks something)."""


FORMATS: dict[str, Format] = {
    "raw": Format(raw.COLUMNS, None, lambda db, pid, _spec, _t: raw.raw_rows(db, pid)),
    "aggregated": Format(
        aggregated.COLUMNS,
        ("label", "review", "redteam"),
        lambda db, pid, _spec, _t: aggregated.aggregated_rows(db, pid),
    ),
    "redteam": Format(
        redteam.COLUMNS, ("redteam",), lambda db, pid, _spec, _t: redteam.redteam_rows(db, pid)
    ),
    "record": Format(
        record.COLUMNS, ("record",), lambda db, pid, _spec, _t: record.record_rows(db, pid)
    ),
    "dpo": Format(dpo.COLUMNS, dpo.TASK_TYPES, dpo.dpo_rows, _dpo_needs),
    "sft": Format(
        sft.COLUMNS,
        sft.TASK_TYPES,
        lambda db, pid, spec, _t: sft.sft_rows(db, pid, spec),
        _sft_needs,
    ),
    "ratings": Format(
        ratings.COLUMNS,
        ratings.TASK_TYPES,
        lambda db, pid, spec, _t: ratings.ratings_rows(db, pid, spec),
    ),
    "rankings": Format(
        rankings.COLUMNS,
        rankings.TASK_TYPES,
        lambda db, pid, spec, _t: rankings.rankings_rows(db, pid, spec),
    ),
}


class DatasetRows:
    """The rows of a dataset, iterated once; ``left_out`` counts what was left out
    (ties in ``dpo``), known once the rows are consumed."""

    def __init__(self, make: Callable[[Tally], Rows]):
        self._tally = Tally()
        self._rows = make(self._tally)

    def __iter__(self) -> Rows:
        return self._rows

    def __next__(self) -> dict[str, Any]:
        return next(self._rows)

    @property
    def left_out(self) -> int:
        return self._tally.left_out


def _fits(f: Format, task: dict[str, Any]) -> bool:
    return (f.task_types is None or task["type"] in f.task_types) and f.needs(task) is None


def formats_for(task: dict[str, Any]) -> list[str]:
    """The formats a project with this ``task`` spec exports, in registry order."""
    return [name for name, f in FORMATS.items() if _fits(f, task)]


def columns_for(fmt: str) -> dict[str, str]:
    if fmt not in FORMATS:
        raise InvalidInput(
            f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}", field="format"
        )
    return FORMATS[fmt].columns


def check_fits(fmt: str, task: dict[str, Any]) -> None:
    """Refuse a dataset the project cannot give, saying which it can."""
    wanted = FORMATS[fmt].task_types
    if wanted is not None and task["type"] not in wanted:
        raise InvalidInput(
            f"a {fmt} dataset comes from {', '.join(wanted)} projects, not {task['type']}; "
            f"this project exports: {', '.join(formats_for(task))}",
            field="format",
        )
    reason = FORMATS[fmt].needs(task)
    if reason is not None:
        raise InvalidInput(
            f"{reason} (this project exports: {', '.join(formats_for(task))})", field="format"
        )


def export_rows(db: Database, actor: Actor, project_id: int, fmt: str) -> DatasetRows:
    """Check access and fit now (so errors come before any byte is sent), then stream
    rows."""
    columns_for(fmt)
    with db.transaction(readonly=True) as session:
        spec = project_for_requester(session, actor, project_id).spec
    check_fits(fmt, spec["task"])
    build = FORMATS[fmt].build
    return DatasetRows(lambda tally: build(db, project_id, spec, tally))


__all__ = [
    "FORMATS",
    "DatasetRows",
    "Format",
    "check_fits",
    "columns_for",
    "copy_media",
    "export_rows",
    "formats_for",
]
