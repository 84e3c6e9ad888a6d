"""A red-team turn's request and its streamed answer, as the API and the task page
read and write them."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from fairloop.errors import InvalidInput

MAX_TURN_BODY = 256 * 1024


def turn_request(body: dict[str, Any]) -> tuple[Any, bool]:
    """(content, retry) from ``{"content": ".."}`` or ``{"retry": true}``."""
    if extra := sorted(set(body) - {"content", "retry"}):
        raise InvalidInput(f"unknown field {extra[0]!r}", field=extra[0])
    retry = body.get("retry", False)
    if not isinstance(retry, bool):
        raise InvalidInput("retry must be true or false", field="retry")
    return body.get("content"), retry


async def ndjson(events: AsyncIterator[dict[str, Any]]) -> AsyncIterator[bytes]:
    async for event in events:
        yield (json.dumps(event, ensure_ascii=False) + "\n").encode()
