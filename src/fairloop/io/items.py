"""Readers of item files: JSON lines, CSV and Parquet, each yielding ``(line, item)``.

``line`` is what a person finds in the file: the line number for JSON lines and CSV
(the header is line 1), the row number (from 1) for Parquet. Nothing here knows the
project; checking an item against its spec is ``domain.items``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fairloop.errors import InvalidInput

FORMATS = ("jsonl", "csv", "parquet")
RESERVED_COLUMNS = ("id", "gold", "hazards", "severity", "priority", "data")


@dataclass
class ItemFile:
    """An opened item file: its name (for errors), its columns (CSV, Parquet) and rows."""

    name: str
    columns: list[str] | None
    total: int
    rows: Iterator[tuple[int, Any]]


def guess_format(path: str | Path) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    return {"json": "jsonl", "ndjson": "jsonl"}.get(suffix, suffix)


def open_items(path: Path, fmt: str | None = None) -> ItemFile:
    fmt = fmt or guess_format(path)
    if fmt not in FORMATS:
        raise InvalidInput(
            f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}", field="format"
        )
    if not path.is_file():
        raise InvalidInput(f"no such file: {path}", field=str(path))
    if fmt == "parquet":
        return _parquet(path)
    text = path.read_bytes().decode("utf-8-sig", errors="strict")
    return items_from_text(text, fmt, name=path.name)


def items_from_text(text: str, fmt: str, *, name: str) -> ItemFile:
    if fmt == "csv":
        return _csv(text, name)
    if text.lstrip().startswith("["):
        return _json_array(text, name)
    lines = text.splitlines()
    return ItemFile(name, None, sum(1 for ln in lines if ln.strip()), _jsonl(lines, name))


def _jsonl(lines: list[str], name: str) -> Iterator[tuple[int, Any]]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"not valid JSON: {exc.msg}", field=f"{name}:{number}") from None


def _json_array(text: str, name: str) -> ItemFile:
    try:
        rows = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"not valid JSON: {exc.msg}", field=f"{name}:{exc.lineno}") from None
    if not isinstance(rows, list):
        raise InvalidInput("expected a JSON array of items", field=name)
    return ItemFile(name, None, len(rows), ((i, row) for i, row in enumerate(rows, start=1)))


def _csv(text: str, name: str) -> ItemFile:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise InvalidInput("the CSV file is empty; it needs a header row", field=f"{name}:1")
    header = [h.strip() for h in header]
    if dupes := sorted({h for h in header if header.count(h) > 1}):
        raise InvalidInput(f"column {dupes[0]!r} appears twice", field=f"{name}:1")
    if not [h for h in header if h not in RESERVED_COLUMNS or h == "data"]:
        raise InvalidInput(
            "no data column: add a 'data' (JSON) column or field columns", field=f"{name}:1"
        )
    total = max(text.count("\n") - 1, 0)
    return ItemFile(name, header, total, _csv_rows(reader, header, name))


def _csv_rows(reader: Any, header: list[str], name: str) -> Iterator[tuple[int, Any]]:
    for row in reader:
        number = reader.line_num
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise InvalidInput(
                f"{len(row)} values for {len(header)} columns", field=f"{name}:{number}"
            )
        yield number, _item_from_cells(dict(zip(header, row, strict=True)), f"{name}:{number}")


def _item_from_cells(cells: dict[str, Any], where: str) -> dict[str, Any]:
    """A flat row (CSV or Parquet) -> an item; non-reserved columns become data fields."""
    item: dict[str, Any] = {}
    data: dict[str, Any] = {}
    for key, value in cells.items():
        if key == "data":
            data.update(_json_cell(value, where, "data"))
        elif key in RESERVED_COLUMNS:
            if value not in (None, ""):
                item[key] = _reserved_cell(key, value, where)
        else:
            data[key] = value
    item["data"] = data
    return item


def _reserved_cell(key: str, value: Any, where: str) -> Any:
    if not isinstance(value, str):
        return value
    if key == "hazards":
        if value.lstrip().startswith("["):
            return _json_cell(value, where, key)
        return [code.strip() for code in value.split(",") if code.strip()]
    if key == "gold" and value.lstrip()[:1] in ("{", "["):
        return _json_cell(value, where, key)
    return value


def _json_cell(value: Any, where: str, column: str) -> Any:
    if not isinstance(value, str):
        return value
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"{column} is not valid JSON: {exc.msg}", field=f"{where}: {column}"
        ) from None
    if column == "data" and not isinstance(parsed, dict):
        raise InvalidInput("data must be a JSON object", field=f"{where}: data")
    return parsed


def _parquet(path: Path) -> ItemFile:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise InvalidInput(f"not a readable Parquet file: {exc}", field=path.name) from None
    columns = parquet.schema_arrow.names

    def rows() -> Iterator[tuple[int, Any]]:
        number = 0
        for batch in parquet.iter_batches(batch_size=10_000):
            for record in batch.to_pylist():
                number += 1
                yield number, _item_from_cells(record, f"{path.name}:{number}")

    return ItemFile(path.name, columns, parquet.metadata.num_rows, rows())
