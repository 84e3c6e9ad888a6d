"""Task pages beyond labelling: the red-team chat and the recording page, with the
calls their scripts make (a turn, streamed; an upload)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.datastructures import FormData

from fairloop.db.engine import Database
from fairloop.domain.actors import Actor
from fairloop.domain.hazards import HAZARDS
from fairloop.domain.viewing import collapsed
from fairloop.errors import FairloopError, Forbidden, NotFound
from fairloop.http.body import json_body, require_object
from fairloop.http.deps import Id, get_db
from fairloop.http.turns import MAX_TURN_BODY, ndjson, turn_request
from fairloop.http.uploads import upload_take
from fairloop.services.wellbeing import exposure
from fairloop.services.work import assign, redteam
from fairloop.services.work.assign import Lease
from fairloop.web import items
from fairloop.web.session import PageActor, check_csrf

router = APIRouter(prefix="/work", include_in_schema=False)
TEMPLATES = {"redteam": "task_redteam.html", "record": "task_record.html"}


def page_context(db: Database, actor: Actor, lease: Lease) -> tuple[str, dict[str, Any]]:
    """The template and extra context of a task page, by task type."""
    kind = lease.task["type"]
    if kind == "redteam":
        turns, severity = redteam.chat_view(db, actor, lease.id)
        collapse = collapsed(severity, exposure.viewing_setting(db, actor))
        for turn in turns:
            turn["collapsed"] = turn["role"] == "assistant" and collapse
        return TEMPLATES[kind], {
            "turns": turns,
            "sent": sum(1 for t in turns if t["role"] == "user"),
            "pending": bool(turns) and turns[-1]["role"] == "user",
            "hazard_codes": HAZARDS,
            "severity": severity,
            "collapse": collapse,
        }
    return f"task_{kind}.html", {}


def answer_from_form(kind: str, form: FormData) -> dict[str, Any]:
    """The answer a task page's form describes, in the layout of INTERFACE.md."""
    values = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    if kind == "redteam":
        severity = values.get("severity", "")
        return {
            "success": {"yes": True, "no": False}.get(values.get("success", "")),
            "hazards": [v for v in form.getlist("hazards") if isinstance(v, str)],
            "severity": int(severity) if severity.isdigit() and len(severity) < 3 else None,
            "notes": values.get("notes", ""),
        }
    media_id = values.get("media_id", "")
    answer: dict[str, Any] = {
        "media_id": int(media_id) if media_id.isdigit() and len(media_id) < 19 else None
    }
    if values.get("transcript"):
        answer["transcript"] = values["transcript"]
    return answer


def _json_error(exc: FairloopError) -> JSONResponse:
    return JSONResponse(exc.as_dict(), status_code=exc.status)


def _csrf(request: Request) -> None:
    check_csrf(request, request.headers.get("x-csrf-token"))


def _worker(actor: Actor) -> Actor:
    if actor.role != "worker":
        raise Forbidden("these pages are for workers", code="not_a_worker")
    return actor


@router.post("/assignments/{assignment_id}/turns", response_model=None)
async def page_turn(assignment_id: Id, request: Request, actor: PageActor) -> Response:
    """The chat page's call: the reply streams back as JSON lines."""
    db = get_db(request)
    try:
        _csrf(request)
        content, retry = turn_request(require_object(await json_body(request, limit=MAX_TURN_BODY)))
        pending = await redteam.start_turn(db, _worker(actor), assignment_id, content, retry=retry)
    except FairloopError as exc:
        return _json_error(exc)
    return StreamingResponse(
        ndjson(redteam.turn_events(db, pending)), media_type="application/x-ndjson"
    )


@router.get("/assignments/{assignment_id}/images/{field}", response_model=None)
def item_image(assignment_id: Id, field: str, request: Request, actor: PageActor) -> Response:
    """The image in field ``field`` of the item, for the worker holding the assignment:
    the page links it instead of inlining the ``data:`` URL, so a reload or a second
    look costs a 304 (``ETag``), and the task page itself stays small."""
    lease, state = assign.get_lease(get_db(request), _worker(actor), assignment_id)
    value = items.image_data(lease.data, field) if state == "leased" else None
    if value is None:
        raise NotFound("this item has no such image", field="field")
    head, _sep, encoded = value.partition(",")
    tag = '"' + hashlib.sha256(value.encode()).hexdigest()[:32] + '"'
    headers = {"ETag": tag, "Cache-Control": "private, max-age=86400"}
    if request.headers.get("if-none-match") == tag:
        return Response(status_code=304, headers=headers)
    try:
        body = base64.b64decode(encoded, validate=True)
    except ValueError:
        raise NotFound("this item has no such image", field="field") from None
    return Response(body, media_type=head[len("data:") :].split(";")[0], headers=headers)


@router.post("/assignments/{assignment_id}/media", response_model=None)
async def page_media(assignment_id: Id, request: Request, actor: PageActor) -> Response:
    """The recording page's upload of the take."""
    try:
        _csrf(request)
        _worker(actor)
        return JSONResponse(await upload_take(request, assignment_id), status_code=201)
    except FairloopError as exc:
        return _json_error(exc)
