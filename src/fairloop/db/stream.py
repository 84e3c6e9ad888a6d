"""Streaming reads: rows of a query in batches, so memory stays flat in their number."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from sqlalchemy import Connection

YIELD_PER = 5_000


def stream(conn: Connection, query: Any) -> Generator[Any, None, None]:
    """Rows of ``query`` fetched in batches: memory stays flat in the number of rows."""
    result = conn.execution_options(yield_per=YIELD_PER).execute(query)
    try:
        for batch in result.partitions():
            yield from batch
    finally:
        # A reader that stops early must not leave a server-side cursor open.
        result.close()
