"""Readers of item files: JSON lines, CSV and Parquet, each yielding ``(line, item)``.

``line`` is what a person finds in the file: the line number for JSON lines and CSV
(the header is line 1), the row number (from 1) for Parquet. Nothing here knows the
project; checking an item against its spec is ``domain.items``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fairloop.errors import InvalidInput
from fairloop.io import jsontext

FORMATS = ("jsonl", "csv", "parquet")
RESERVED_COLUMNS = ("id", "gold", "hazards", "severity", "priority", "skills", "data")


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
    try:
        text = path.read_bytes().decode("utf-8-sig", errors="strict")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise InvalidInput("not UTF-8 text", field=f"{path.name}:{line}") from None
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
        yield number, jsontext.loads(line, field=f"{name}:{number}", check=False)


def _json_array(text: str, name: str) -> ItemFile:
    rows = jsontext.loads(text, field=name, check=False)
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
    parsed = jsontext.loads(value, field=f"{where}: {column}")
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
                where = f"{path.name}:{number}"
                yield (
                    number,
                    _item_from_cells({k: _plain(v, where, k) for k, v in record.items()}, where),
                )

    return ItemFile(path.name, columns, parquet.metadata.num_rows, rows())


def _plain(value: Any, where: str, column: str) -> Any:
    """Parquet cells as JSON values: dates become ISO text; bytes are refused."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, bytes):
        raise InvalidInput("binary cells cannot be item data", field=f"{where}: {column}")
    if isinstance(value, dict):
        return {k: _plain(v, where, column) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, where, column) for v in value]
    return value
