"""Read the CSV files of `fairloop quality` into arrays, with errors that name the spot.

pyarrow parses and dictionary-encodes the columns, so a million rows never become a
million Python objects: ids travel as integer codes, and only the distinct values (the
dictionary) are ever Python strings. Errors name the column and the file line (the
header is line 1; a quoted value spanning lines would shift the count).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

from fairloop.quality.errors import QualityInputError

NUMBER = r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$"


@dataclass(frozen=True)
class Column:
    """One column as codes into `names` (the distinct strings, in order of appearance)."""

    codes: np.ndarray
    names: pa.Array

    def numbers(self) -> np.ndarray:
        """The column's values as floats (the caller checked they are numbers)."""
        # pyarrow has no type hints: name what to_numpy gives.
        numbers: np.ndarray = pc.cast(self.names, pa.float64()).to_numpy(zero_copy_only=False)
        out: np.ndarray = numbers[self.codes]
        return out

    def values(self, codes: np.ndarray) -> pa.Array:
        """The strings for `codes`, for writing back out."""
        return self.names.take(pa.array(codes))


def _line(row: int) -> str:
    return f"line {row + 2}"


def read_table(path: Path, columns: tuple[str, ...]) -> dict[str, Column]:
    """Read `columns` of a CSV file as strings, dictionary-encoded.

    Raises QualityInputError for an unreadable or empty file, a missing column, or an
    empty id cell.
    """
    name = Path(path).name
    try:
        table = pv.read_csv(
            path,
            convert_options=pv.ConvertOptions(column_types=dict.fromkeys(columns, pa.string())),
        )
    except FileNotFoundError:
        raise QualityInputError(f"{name}: no such file", field=name) from None
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        text = str(exc).splitlines()[0]
        if "Empty CSV file" in text:
            text = "the file is empty"
        raise QualityInputError(f"{name}: {text}", field=name) from None
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise QualityInputError(
            f"{name}: missing column {missing[0]!r} (has: {', '.join(table.column_names)})",
            field=missing[0],
        )
    if table.num_rows == 0:
        raise QualityInputError(f"{name}: no rows after the header", field=name)
    out = {}
    for col in columns:
        encoded = pc.dictionary_encode(table[col]).combine_chunks()
        out[col] = Column(
            encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64), encoded.dictionary
        )
    return out


def empty_cells(col: Column) -> np.ndarray:
    """Per row: is the cell empty?"""
    blank: np.ndarray = pc.equal(pc.utf8_trim_whitespace(col.names), "").to_numpy(
        zero_copy_only=False
    )
    out: np.ndarray = blank[col.codes]
    return out


def require_cells(path: Path, col: Column, field: str) -> None:
    """An id column may not have empty cells."""
    empty = empty_cells(col)
    if empty.any():
        row = int(np.argmax(empty))
        raise QualityInputError(f"{Path(path).name} {_line(row)}: empty {field}", field=field)


def label_kind(path: Path, col: Column, field: str = "label") -> str:
    """Whether the non-empty cells are "number" or "text"; mixing the two is an error naming
    the first line whose kind differs from the first value's."""
    is_number = np.array(pc.match_substring_regex(col.names, NUMBER).to_pylist(), dtype=bool)
    blank = np.array(pc.equal(pc.utf8_trim_whitespace(col.names), "").to_pylist(), dtype=bool)
    row_number, row_blank = is_number[col.codes], blank[col.codes]
    filled = np.flatnonzero(~row_blank)
    if filled.size == 0:
        raise QualityInputError(f"{Path(path).name}: every {field} is empty", field=field)
    first = int(filled[0])
    differs = (row_number != row_number[first]) & ~row_blank
    if differs.any():
        row = int(np.argmax(differs))
        kinds = ("text", "a number")
        raise QualityInputError(
            f"{Path(path).name} {_line(row)}: {field} {col.names[int(col.codes[row])].as_py()!r} is "
            f"{kinds[int(row_number[row])]} but {_line(first)} has "
            f"{kinds[int(row_number[first])]} ({col.names[int(col.codes[first])].as_py()!r}); "
            "a label column holds one type",
            field=field,
        )
    return "number" if row_number[first] else "text"
