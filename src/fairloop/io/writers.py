"""Writers of dataset rows to JSON lines, CSV and Parquet, streaming: memory stays flat
in the number of rows. In CSV and Parquet a nested value (object, list) is one JSON
string, so every row has the same columns whatever its answer holds."""

from __future__ import annotations

import csv
import itertools
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


class RawJson(str):
    """JSON text taken as it is stored: written into JSON lines unparsed (decoding and
    re-encoding a million answers is most of the cost of an export), and as the JSON
    string it already is in CSV and Parquet."""

    __slots__ = ()


_encode = json.JSONEncoder(ensure_ascii=False, default=str).encode
_string = json.encoder.encode_basestring  # the C encoder, non-ASCII kept as it is
_keys: dict[str, str] = {}


def _value(v: Any) -> str:
    t = type(v)
    if t is RawJson:
        return v
    if t is str:
        return _string(v)
    if t is int:
        return int.__repr__(v)
    if v is None:
        return "null"
    if t is bool:
        return "true" if v else "false"
    return _encode(v)


def _json_line(row: dict[str, Any]) -> str:
    """``json.dumps(row)``, field by field: flat values skip the encoder's machinery,
    and :class:`RawJson` goes in as it is."""
    parts = []
    for k, v in row.items():
        key = _keys.get(k)
        if key is None:
            key = _keys[k] = _string(k) + ": "
        parts.append(key + _value(v))
    return "{" + ", ".join(parts) + "}"


def jsonl_lines(rows: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    for row in rows:
        yield (_json_line(row) + "\n").encode()


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

    ``columns`` maps each column to its type: ``int``, ``float``, ``bool``, ``str``,
    ``json`` (a nested value, stored as a JSON string in CSV and Parquet), ``messages``
    (a chat list, a Parquet list of ``{role, content}`` structs) or ``text_or_messages``
    (either, as the first row has it: a dataset keeps one kind throughout).
    """
    encoding = encoding_for(path)
    if encoding == "jsonl":
        return _write_jsonl(rows, path)
    if encoding == "csv":
        return _write_csv(rows, path, columns)
    return _write_parquet(rows, path, columns)


def _write_jsonl(rows: Iterable[dict[str, Any]], path: Path) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(_json_line(row))
            out.write("\n")
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
    dtypes = {"int": "int64", "float": "float64", "bool": "bool"}
    features = {
        c: {"_type": "Audio"}
        if t == "audio"
        else {"_type": "Value", "dtype": dtypes.get(t, "string")}
        for c, t in columns.items()
    }
    return {b"huggingface": json.dumps({"info": {"features": features}}).encode()}


def _parquet_schema(columns: dict[str, str], first: dict[str, Any] | None) -> Any:
    import pyarrow as pa

    chat = pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))
    types = {
        "int": pa.int64(),
        "float": pa.float64(),
        "bool": pa.bool_(),
        "messages": chat,
        "audio": audio_struct(),
    }
    fields = []
    for c, t in columns.items():
        if t == "text_or_messages":
            fields.append((c, chat if first and isinstance(first.get(c), list) else pa.string()))
        else:
            fields.append((c, types.get(t, pa.string())))
    return pa.schema(fields).with_metadata(hf_features(columns))


def _stored_columns(row: dict[str, Any], as_json: list[str], audio: list[str]) -> dict[str, Any]:
    out = dict(row)
    for c in as_json:
        if out.get(c) is not None and type(out[c]) is not RawJson:
            out[c] = json.dumps(out[c], ensure_ascii=False)
    for c in audio:  # a path relative to the export's media folder, no bytes
        if out.get(c) is not None:
            out[c] = {"bytes": None, "path": out[c]}
    return out


def _write_parquet(rows: Iterable[dict[str, Any]], path: Path, columns: dict[str, str]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    as_json = [c for c, t in columns.items() if t == "json"]
    audio = [c for c, t in columns.items() if t == "audio"]
    if as_json or audio:
        rows = (_stored_columns(row, as_json, audio) for row in rows)
    rows = iter(rows)
    first = next(rows, None)
    schema = _parquet_schema(columns, first)
    names = list(columns)
    count = 0
    # Column lists, not row dicts: a row costs one append per column.
    batch: list[list[Any]] = [[] for _ in names]
    pairs = list(zip(names, batch, strict=True))

    def flush() -> None:
        arrays = [pa.array(values, type=field.type) for values, field in zip(batch, schema, strict=True)]  # fmt: skip
        writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
        for values in batch:
            values.clear()

    with pq.ParquetWriter(path, schema) as writer:
        for row in itertools.chain([first] if first is not None else [], rows):
            for name, values in pairs:
                values.append(row.get(name))
            count += 1
            if count % BATCH == 0:
                flush()
        if count % BATCH:
            flush()
    return count
