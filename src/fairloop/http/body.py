"""Reading a JSON body ourselves, so that a broken body gets our error layout."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from fairloop.errors import InvalidInput
from fairloop.io import jsontext

MAX_BODY = 50 * 1024 * 1024


def _too_large(limit: int) -> InvalidInput:
    size = f"{limit // 1_000_000} MB" if limit >= 1_000_000 else f"{limit // 1000} KB"
    return InvalidInput(f"the request body is larger than {size}", field="body")


async def read_body(request: Request, *, limit: int = MAX_BODY) -> bytes:
    """The body, refused past ``limit`` bytes before it is all read."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


async def body_text(request: Request, *, limit: int = MAX_BODY) -> str:
    raw = await read_body(request, limit=limit)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("the body is not UTF-8 text", field="body") from None


async def json_body(request: Request, *, limit: int = MAX_BODY) -> Any:
    return jsontext.loads(await body_text(request, limit=limit) or "null", field="body")


def require_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object", field="body")
    return body
