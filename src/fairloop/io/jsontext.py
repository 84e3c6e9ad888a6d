"""Strict JSON: what both databases can store, or a clear error.

Python's json accepts NaN and Infinity (not JSON, and SQLite's JSON refuses them) and
lone surrogates; PostgreSQL refuses NUL characters. We refuse all of them at the door.
"""

from __future__ import annotations

import json
from typing import Any

from fairloop.errors import InvalidInput


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def loads(text: str | bytes, *, field: str, check: bool = True) -> Any:
    """Parse JSON text; any problem is an InvalidInput naming ``field``.

    ``check=False`` skips :func:`check_storable` for callers that check each value
    later anyway (item import checks every item's data once, in ``domain.items``).
    """
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"not valid JSON: {exc.msg} (column {exc.colno})", field=field) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"not valid JSON: {exc}", field=field) from None
    except RecursionError:
        raise _too_deep(field) from None
    check_depth(value, field=field)
    if check:
        check_storable(value, field=field)
    return value


MAX_DEPTH = 32
"""Arrays and objects nested deeper than this are refused: no real item, answer or
spec needs more, and every later walk over the value (storage, pages) stays shallow."""


def _too_deep(field: str) -> InvalidInput:
    return InvalidInput(f"nests arrays or objects more than {MAX_DEPTH} deep", field=field)


def check_depth(value: Any, *, field: str) -> None:
    """Refuse a value nested deeper than MAX_DEPTH (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = (
            node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        )
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > MAX_DEPTH:
                    raise _too_deep(field)
                stack.append((child, depth + 1))


def check_storable(value: Any, *, field: str) -> None:
    """Refuse values neither database can store: NaN, Infinity, NUL, lone surrogates."""
    try:
        dumped = json.dumps(value, ensure_ascii=False, allow_nan=False)
        dumped.encode("utf-8")
    except ValueError as exc:  # NaN / Infinity, and UnicodeEncodeError for surrogates
        raise InvalidInput(f"holds a value JSON cannot carry: {exc}", field=field) from None
    except TypeError as exc:
        raise InvalidInput(f"holds a value that is not JSON: {exc}", field=field) from None
    if "\\u0000" in dumped:
        raise InvalidInput("holds a NUL character (\\u0000), which cannot be stored", field=field)
