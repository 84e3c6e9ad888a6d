"""Workers' voice on pages: the question thread (on the task page, and a page of its
own for workers and for the requester, who answers there) and rating the requester."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from fairloop.db.engine import Database
from fairloop.domain.actors import Actor
from fairloop.domain.voice import CRITERIA, MAX_TEXT, MIN_RATERS
from fairloop.errors import FairloopError, Forbidden
from fairloop.http.deps import Id, get_db
from fairloop.services import projects, voice
from fairloop.services.work.assign import Lease
from fairloop.web.render import page
from fairloop.web.session import PageActor, check_csrf

router = APIRouter(include_in_schema=False)


def task_context(db: Database, actor: Actor, lease: Lease) -> dict[str, Any]:
    """What ``_questions.html`` needs on a task page: the newest questions."""
    return {"questions": voice.task_page_thread(db, actor, lease.project_id)}


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    values = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    check_csrf(request, values.get("csrf"))
    return values


def _worker(actor: Actor) -> Actor:
    if actor.role != "worker":
        raise Forbidden(
            "these pages are for workers; requesters use /projects", code="not_a_worker"
        )
    return actor


def _requester(actor: Actor) -> Actor:
    if actor.role != "requester":
        raise Forbidden("the requester answers here; workers use /work", code="not_a_requester")
    return actor


@router.get("/work/projects/{project_id}/questions")
def worker_thread(
    project_id: Id, request: Request, actor: PageActor, cursor: str | None = None, saved: str = ""
) -> Response:
    return _worker_page(request, _worker(actor), project_id, cursor=cursor, saved=saved)


def _worker_page(
    request: Request,
    actor: Actor,
    project_id: int,
    *,
    status: int = 200,
    cursor: str | None = None,
    **extra: Any,
) -> Response:
    db = get_db(request)
    return page(
        request,
        "questions.html",
        status,
        project=projects.project_view(db, actor, project_id),
        thread=voice.questions(db, actor, project_id, cursor=cursor),
        rating=voice.my_rating(db, actor, project_id),
        criteria=CRITERIA,
        max_text=MAX_TEXT,
        min_raters=MIN_RATERS,
        **extra,
    )


@router.post("/work/projects/{project_id}/questions")
async def ask(project_id: Id, request: Request, actor: PageActor) -> Response:
    """Ask; back to the task page the question came from (``assignment``), or here.
    A refused question comes back with its text and the reason beside the field."""
    form = await _form(request)
    db, worker = get_db(request), _worker(actor)
    text = form.get("text", "")
    try:
        await run_in_threadpool(voice.ask, db, worker, project_id, text)
    except FairloopError as error:
        if error.field != "text" and error.code != "consent_required":
            raise
        refused = error
    else:
        back = form.get("assignment", "")
        if back.isdigit() and len(back) < 19:
            return RedirectResponse(f"/work/assignments/{back}#questions", status_code=303)
        return RedirectResponse(f"/work/projects/{project_id}/questions#questions", status_code=303)
    return await run_in_threadpool(
        lambda: _worker_page(
            request, worker, project_id, status=refused.status, ask_error=refused, draft=text
        )
    )


@router.post("/work/projects/{project_id}/rating")
async def rate(project_id: Id, request: Request, actor: PageActor) -> Response:
    form = await _form(request)
    db, worker = get_db(request), _worker(actor)
    body: dict[str, object] = {}
    for name in CRITERIA:
        raw = form.get(name, "")
        body[name] = int(raw) if raw.isdigit() and len(raw) < 3 else None
    try:
        await run_in_threadpool(voice.rate, db, worker, project_id, body)
    except FairloopError as error:
        if error.field not in CRITERIA:
            raise  # not worked here, not a worker: the error page says so
        refused = error
    else:
        return RedirectResponse(
            f"/work/projects/{project_id}/questions?saved=rating#rating", status_code=303
        )
    return await run_in_threadpool(
        lambda: _worker_page(request, worker, project_id, status=refused.status, rate_error=refused)
    )


@router.get("/projects/{project_id}/questions")
def requester_thread(
    project_id: Id, request: Request, actor: PageActor, cursor: str | None = None
) -> Response:
    return _requester_page(request, _requester(actor), project_id, cursor=cursor)


def _requester_page(
    request: Request,
    actor: Actor,
    project_id: int,
    *,
    status: int = 200,
    cursor: str | None = None,
    **extra: Any,
) -> Response:
    db = get_db(request)
    return page(
        request,
        "questions_requester.html",
        status,
        project=projects.project_view(db, actor, project_id),
        thread=voice.questions(db, actor, project_id, cursor=cursor),
        max_text=MAX_TEXT,
        **extra,
    )


@router.post("/projects/{project_id}/questions/{question_id}/answer")
async def answer(project_id: Id, question_id: Id, request: Request, actor: PageActor) -> Response:
    form = await _form(request)
    db, requester = get_db(request), _requester(actor)
    text = form.get("text", "")
    try:
        done = await run_in_threadpool(voice.answer, db, requester, question_id, text)
    except FairloopError as error:
        if error.field != "text":
            raise
        refused = error
    else:
        return RedirectResponse(
            f"/projects/{done['project_id']}/questions#q-{question_id}", status_code=303
        )
    return await run_in_threadpool(
        lambda: _requester_page(
            request,
            requester,
            project_id,
            status=refused.status,
            answer_error=refused,
            error_question=question_id,
            draft=text,
        )
    )
