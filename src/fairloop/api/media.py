"""Media over the API: upload a take for a recording task, read one back."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from fairloop.api.deps import Id, call_as_actor, current_actor, get_db
from fairloop.domain.tasks.record import RecordTask
from fairloop.errors import InvalidInput, NotFound
from fairloop.services.work import media

router = APIRouter(tags=["media"])
MULTIPART_SLACK = 64 * 1024


async def read_upload(request: Request, task: RecordTask) -> bytes:
    """The one file of a multipart body (field ``file``), refused past the task's
    ``max_bytes`` before it is all read."""
    limit = task.max_bytes
    declared = request.headers.get("content-length", "")
    too_big = InvalidInput(
        f"the file is larger than the limit of {limit:,} bytes (max_bytes)",
        field="file",
        code="too_large",
    )
    if declared.isdigit() and int(declared) > limit + MULTIPART_SLACK:
        raise too_big
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise InvalidInput("send the take as multipart/form-data, field 'file'", field="file")
    try:
        form = await request.form(max_files=1, max_fields=10, max_part_size=limit + 1)
    except Exception as exc:  # the multipart parser's own errors: size, layout
        if "size" in str(exc).lower():
            raise too_big from None
        raise InvalidInput("the body is not a readable multipart form", field="file") from None
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidInput("the form has no file in the field 'file'", field="file")
        data = await upload.read(limit + 1)
        if len(data) > limit:
            raise too_big
        return data
    finally:
        await form.close()


async def upload_take(request: Request, assignment_id: int) -> dict[str, Any]:
    """Shared by the API and the task page: authorise, read, check, store."""
    db = get_db(request)
    actor = request.state.actor if hasattr(request.state, "actor") else None
    if actor is None:
        actor = await run_in_threadpool(current_actor, request, db)
    task = await run_in_threadpool(media.record_task, db, actor, assignment_id)
    data = await read_upload(request, task)
    return await run_in_threadpool(media.store_take, db, actor, assignment_id, data)


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
