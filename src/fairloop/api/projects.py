from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from fairloop.domain.specs import parse_spec
from fairloop.http.body import body_text, json_body, require_object
from fairloop.http.deps import ActorDep, DatabaseDep, Id, call_as_actor, current_actor, get_db
from fairloop.io.items import items_from_text
from fairloop.io.writers import jsonl_lines
from fairloop.services import exports, projects, suspend, withdraw
from fairloop.services.import_items import import_items
from fairloop.services.pay import earnings
from fairloop.services.quality import report
from fairloop.services.wellbeing import checkins
from fairloop.services.work import assign, qualification

router = APIRouter(prefix="/api/v1/projects", tags=["projects"])


@router.post("", status_code=201)
async def create_project(request: Request, org: str | None = None) -> dict[str, Any]:
    """Create a project from a spec (JSON body); 201 with the project."""
    db = get_db(request)
    actor = await run_in_threadpool(current_actor, request, db)
    spec = parse_spec(await json_body(request))
    project_id = await run_in_threadpool(projects.create_project, db, actor, spec, org=org)
    return await run_in_threadpool(projects.project_view, db, actor, project_id)


@router.get("")
def list_projects(db: DatabaseDep, actor: ActorDep) -> list[dict[str, Any]]:
    return projects.list_projects(db, actor)


@router.get("/{project_id}")
def get_project(project_id: Id, db: DatabaseDep, actor: ActorDep) -> dict[str, Any]:
    return projects.project_view(db, actor, project_id)


@router.get("/{project_id}/costs")
def get_costs(project_id: Id, db: DatabaseDep, actor: ActorDep) -> dict[str, Any]:
    """What the project cost: task pay, test time, top-ups, fee; measured time
    against the estimate, with a message when the estimate was low."""
    return earnings.project_costs(db, actor, project_id)


@router.post("/{project_id}/items")
async def post_items(project_id: Id, request: Request) -> dict[str, int]:
    """A JSON array of items, or JSON lines; all or nothing."""
    db = get_db(request)
    actor = await run_in_threadpool(current_actor, request, db)
    text = await body_text(request)
    source = items_from_text(text, "jsonl", name="body")
    count = await run_in_threadpool(import_items, db, actor, project_id, source)
    return {"imported": count}


@router.post("/{project_id}/consent")
def post_consent(project_id: Id, db: DatabaseDep, actor: ActorDep) -> dict[str, Any]:
    return projects.consent(db, actor, project_id)


@router.post("/{project_id}/assignments", status_code=201, response_model=None)
async def post_assignment(project_id: Id, request: Request) -> Response:
    """Lease the next item; 204 when there is no work for this worker."""
    lease = await call_as_actor(request, lambda db, actor: assign.lease_next(db, actor, project_id))
    if lease is None:
        return Response(status_code=204)
    return JSONResponse(lease.as_json(), status_code=201)


@router.get("/{project_id}/qualification")
def get_qualification(project_id: Id, db: DatabaseDep, actor: ActorDep) -> dict[str, Any]:
    """The worker's standing on the project's qualification test."""
    return qualification.status(db, actor, project_id)


@router.post("/{project_id}/qualification/assignments", status_code=201, response_model=None)
async def post_qualification_assignment(project_id: Id, request: Request) -> Response:
    """Lease the next item of the qualification test (paid as work); 204 when every
    item of the attempt is answered (see GET .../qualification for the result)."""
    lease = await call_as_actor(
        request, lambda db, actor: qualification.lease_question(db, actor, project_id)
    )
    if lease is None:
        return Response(status_code=204)
    return JSONResponse(lease.as_json(), status_code=201)


JSON_LINES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the dataset, one JSON object a line",
        "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
    }
}


@router.get("/{project_id}/export", response_class=StreamingResponse, responses=JSON_LINES)
def get_export(
    project_id: Id, db: DatabaseDep, actor: ActorDep, format: str = "raw"
) -> StreamingResponse:
    """Streams the dataset as JSON lines."""
    rows = exports.export_rows(db, actor, project_id, format)
    return StreamingResponse(
        jsonl_lines(rows),
        media_type="application/x-ndjson",
        headers={
            "Content-Disposition": f'attachment; filename="project-{project_id}-{format}.jsonl"'
        },
    )


@router.get("/{project_id}/quality")
def get_quality(project_id: Id, db: DatabaseDep, actor: ActorDep) -> dict[str, Any]:
    """Agreement per question and worker reliability (pseudonyms only)."""
    return report.project_quality(db, actor, project_id)


@router.put("/{project_id}/disclosure")
async def put_disclosure(project_id: Id, request: Request) -> dict[str, Any]:
    """Replace the disclosure: a new version, which every worker must consent to again."""
    body = await json_body(request)
    return await call_as_actor(
        request, lambda db, actor: projects.revise_disclosure(db, actor, project_id, body)
    )


@router.post("/{project_id}/pause")
def post_pause(project_id: Id, db: DatabaseDep, actor: ActorDep) -> dict[str, Any]:
    return projects.set_state(db, actor, project_id, "paused")


@router.post("/{project_id}/resume")
def post_resume(project_id: Id, db: DatabaseDep, actor: ActorDep) -> dict[str, Any]:
    return projects.set_state(db, actor, project_id, "live")


@router.post("/{project_id}/suspend")
async def post_suspend(project_id: Id, request: Request) -> dict[str, Any]:
    """Suspend with notice (``{"notice_days": N}``, at most and by default the project's):
    workers are told at once and paid a kill fee for notice not given."""
    raw = await request.body()
    body = require_object(await json_body(request)) if raw.strip() else {}
    return await call_as_actor(
        request,
        lambda db, actor: suspend.suspend(
            db, actor, project_id, notice_days=body.get("notice_days")
        ),
    )


@router.post("/{project_id}/withdraw")
def post_withdraw(project_id: Id, db: DatabaseDep, actor: ActorDep) -> dict[str, Any]:
    """Withdraw consent; work done and in progress is paid."""
    return withdraw.withdraw_consent(db, actor, project_id)


@router.get("/{project_id}/wellbeing")
def get_wellbeing(project_id: Id, db: DatabaseDep, actor: ActorDep) -> dict[str, Any]:
    """Check-in aggregate of the project's exposed workers; withheld below 5 workers."""
    return checkins.project_aggregate(db, actor, project_id)
