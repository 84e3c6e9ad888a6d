"""Reading a JSON body ourselves, so that a broken body gets our error layout."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from fairloop.errors import InvalidInput

MAX_BODY = 50 * 1024 * 1024


async def json_body(request: Request) -> Any:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise InvalidInput("the request body is larger than 50 MB", field="body")
    try:
        return json.loads(raw or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"the body is not valid JSON: {exc}", field="body") from None


def require_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object", field="body")
    return body
