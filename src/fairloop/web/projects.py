"""The requester's pages: projects, progress, export."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response, StreamingResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from fairloop.domain.actors import Actor
from fairloop.errors import Forbidden, InvalidInput
from fairloop.http.deps import Id, get_db
from fairloop.io.writers import ENCODINGS, jsonl_lines, write_rows
from fairloop.services import exports, projects, suspend
from fairloop.services.pay import earnings
from fairloop.services.quality import report
from fairloop.services.quality.attack_success import attack_success
from fairloop.web.render import page
from fairloop.web.session import PageActor, check_csrf

router = APIRouter(prefix="/projects", include_in_schema=False)


def _requester(actor: Actor) -> Actor:
    if actor.role == "worker":
        raise Forbidden("these pages are for requesters; workers use /work", code="not_a_requester")
    return actor


@router.get("")
def project_list(request: Request, actor: PageActor) -> Response:
    return page(
        request,
        "projects.html",
        projects=projects.list_projects(get_db(request), _requester(actor)),
    )


@router.get("/{project_id}")
def project_page(project_id: Id, request: Request, actor: PageActor) -> Response:
    db, requester = get_db(request), _requester(actor)
    view = projects.project_view(db, requester, project_id)
    redteam = attack_success(db, project_id) if view["task"]["type"] == "redteam" else None
    return page(
        request,
        "project.html",
        project=view,
        quality=report.project_quality(db, requester, project_id),
        formats=exports.formats_for(view["task"]),
        encodings=ENCODINGS,
        redteam=redteam,
        costs=earnings.project_costs(db, requester, project_id),
    )


@router.post("/{project_id}/suspend")
async def suspend_project(project_id: Id, request: Request, actor: PageActor) -> Response:
    """Suspend with the notice given in the form (at most the project's)."""
    form = await request.form()
    csrf = form.get("csrf")
    check_csrf(request, csrf if isinstance(csrf, str) else None)
    raw = form.get("notice_days")
    days = int(raw) if isinstance(raw, str) and raw.isdigit() and len(raw) < 4 else raw
    await run_in_threadpool(
        suspend.suspend, get_db(request), _requester(actor), project_id, notice_days=days
    )
    return RedirectResponse(f"/projects/{project_id}", status_code=303)


@router.get("/{project_id}/export")
def export_file(
    project_id: Id,
    request: Request,
    actor: PageActor,
    format: str = "raw",
    encoding: str = "jsonl",
) -> Response:
    if encoding not in ENCODINGS:
        raise InvalidInput(f"unknown encoding {encoding!r}", field="encoding")
    db = get_db(request)
    columns = exports.columns_for(format)
    rows = exports.export_rows(db, _requester(actor), project_id, format)
    filename = f"project-{project_id}-{format}.{encoding}"
    disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if encoding == "jsonl":
        return StreamingResponse(
            jsonl_lines(rows), media_type="application/x-ndjson", headers=disposition
        )
    # CSV and Parquet are written to a temporary file first (Parquet needs a seekable footer).
    fd, name = tempfile.mkstemp(suffix=f".{encoding}")
    os.close(fd)
    tmp = Path(name)
    try:
        write_rows(rows, tmp, columns)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    media = "text/csv" if encoding == "csv" else "application/vnd.apache.parquet"
    return FileResponse(
        tmp, media_type=media, filename=filename, background=BackgroundTask(tmp.unlink)
    )
