"""A take uploaded for a recording task, as the API and the task page receive it."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from fairloop.domain.actors import Actor
from fairloop.domain.tasks.record import RecordTask
from fairloop.errors import InvalidInput
from fairloop.http.deps import current_actor, get_db
from fairloop.services.work import media

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
    actor: Actor | None = getattr(request.state, "actor", None)
    if actor is None:
        actor = await run_in_threadpool(current_actor, request, db)
    task = await run_in_threadpool(media.record_task, db, actor, assignment_id)
    data = await read_upload(request, task)
    return await run_in_threadpool(media.store_take, db, actor, assignment_id, data)
