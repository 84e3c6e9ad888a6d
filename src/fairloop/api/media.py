"""Media over the API: upload a take for a recording task, read one back."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse

from fairloop.errors import NotFound
from fairloop.http.deps import Id, call_as_actor
from fairloop.http.uploads import upload_take
from fairloop.services.work import media

router = APIRouter(tags=["media"])


@router.post("/api/v1/assignments/{assignment_id}/media", status_code=201)
async def post_media(assignment_id: Id, request: Request) -> dict[str, Any]:
    """One audio take, multipart field ``file``: 201 ``{"media_id", "duration_seconds"}``.
    The server decodes it; the file name and declared type count for nothing."""
    return await upload_take(request, assignment_id)


# Types a browser may show in place: audio and video players run no script. Anything
# else is sent as a download, so a stored file can never render as a page of ours.
INLINE_TYPES = frozenset(media.INLINE_TYPES)


def _media_id(raw: str) -> int:
    """The id from the path. Anything else (``..%2F..%2Fetc``, ``1.wav``) is a 404 like
    an unknown id: a file route answers nothing about paths."""
    if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) < 2**63:
        raise NotFound("no such media", field="media_id")
    return int(raw)


@router.get("/api/v1/media/{media_id}", response_model=None)
async def get_media(
    request: Request, media_id: str = PathParam(description="the media id (a number)")
) -> FileResponse:
    """A take, for the worker who recorded it or the project's requester."""
    number = _media_id(media_id)
    found = await call_as_actor(request, lambda db, actor: media.open_media(db, actor, number))
    inline = found.media_type in INLINE_TYPES
    return FileResponse(
        found.path,
        media_type=found.media_type if inline else "application/octet-stream",
        filename=f"media-{number}{found.path.suffix}",
        content_disposition_type="inline" if inline else "attachment",
    )
