"""Writers of dataset rows to JSON lines, CSV and Parquet, streaming: memory stays flat
in the number of rows. In CSV and Parquet a nested value (object, list) is one JSON
string, so every row has the same columns whatever its answer holds."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from fairloop.errors import InvalidInput

ENCODINGS = ("jsonl", "csv", "parquet")
BATCH = 5_000


def encoding_for(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in ENCODINGS:
        raise InvalidInput(
            f"{path.name}: the file must end in .jsonl, .csv or .parquet", field="out"
        )
    return suffix


def jsonl_lines(rows: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    for row in rows:
        yield (json.dumps(row, ensure_ascii=False, default=str) + "\n").encode()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell a spreadsheet will not run: text that starts like a
    formula gets a leading apostrophe (the OWASP advice); numbers stay numbers."""
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    return {k: csv_cell(v) for k, v in row.items()}


def write_rows(rows: Iterable[dict[str, Any]], path: Path, columns: dict[str, str]) -> int:
    """Write ``rows`` to ``path`` in the encoding its suffix names; returns the count.

    ``columns`` maps each column to its type: ``int``, ``float``, ``bool``, ``str`` or
    ``json`` (a nested value, stored as a JSON string in CSV and Parquet).
    """
    encoding = encoding_for(path)
    if encoding == "jsonl":
        return _write_jsonl(rows, path)
    if encoding == "csv":
        return _write_csv(rows, path, columns)
    return _write_parquet(rows, path, columns)


def _write_jsonl(rows: Iterable[dict[str, Any]], path: Path) -> int:
    count = 0
    with path.open("wb") as out:
        for line in jsonl_lines(rows):
            out.write(line)
            count += 1
    return count


def _write_csv(rows: Iterable[dict[str, Any]], path: Path, columns: dict[str, str]) -> int:
    count = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow(_flat(row))
            count += 1
    return count


def audio_struct() -> Any:
    """The layout the ``datasets`` library's Audio feature reads: {bytes, path}."""
    import pyarrow as pa

    return pa.struct([("bytes", pa.binary()), ("path", pa.string())])


def hf_features(columns: dict[str, str]) -> dict[bytes, bytes]:
    """Schema metadata naming each column's ``datasets`` feature, so that an ``audio``
    column loads as Audio (``datasets.Dataset.from_parquet``); empty without one."""
    if "audio" not in columns.values():
        return {}
    dtypes = {"int": "int64", "float": "float64", "bool": "bool", "str": "string", "json": "string"}
    features = {
        c: {"_type": "Audio"} if t == "audio" else {"_type": "Value", "dtype": dtypes[t]}
        for c, t in columns.items()
    }
    return {b"huggingface": json.dumps({"info": {"features": features}}).encode()}


def _write_parquet(rows: Iterable[dict[str, Any]], path: Path, columns: dict[str, str]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "audio": audio_struct()}
    schema = pa.schema([(c, types.get(t, pa.string())) for c, t in columns.items()])
    schema = schema.with_metadata(hf_features(columns))
    audio = [c for c, t in columns.items() if t == "audio"]
    count = 0
    batch: list[dict[str, Any]] = []
    with pq.ParquetWriter(path, schema) as writer:
        for row in rows:
            flat = _flat(row)
            for c in audio:  # a path relative to the export's media folder, no bytes
                flat[c] = None if flat.get(c) is None else {"bytes": None, "path": flat[c]}
            batch.append({c: flat.get(c) for c in columns})
            count += 1
            if len(batch) >= BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                batch.clear()
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
    return count
