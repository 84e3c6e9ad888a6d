"""The worker's pages: open projects, the disclosure, the task page."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from fairloop.domain.actors import Actor
from fairloop.errors import (
    FairloopError,
    Forbidden,
    InvalidInput,
    NotNow,
    PendingLimit,
    WellbeingRefusal,
)
from fairloop.http.deps import Id, get_db
from fairloop.services import projects, withdraw
from fairloop.services.wellbeing import exposure
from fairloop.services.work import assign, qualification, worktime
from fairloop.services.work.standing import card_standing, task_standing, time_zone
from fairloop.services.work.submit import submit
from fairloop.web import safe_view, voice
from fairloop.web.render import page
from fairloop.web.session import PageActor, check_csrf
from fairloop.web.tasks import TEMPLATES, answer_from_form, page_context

router = APIRouter(prefix="/work", include_in_schema=False)


def _worker(actor: Actor) -> Actor:
    if actor.role != "worker":
        raise Forbidden(
            "these pages are for workers; requesters use /projects", code="not_a_worker"
        )
    return actor


@router.get("")
def work_home(request: Request, actor: PageActor) -> Response:
    db = get_db(request)
    open_projects = projects.list_projects(db, _worker(actor))
    return page(
        request,
        "work.html",
        projects=open_projects,
        mine=card_standing(db, actor),
        zone=time_zone(db, actor),
    )


@router.get("/projects/{project_id}")
def project_page(project_id: Id, request: Request, actor: PageActor) -> Response:
    view = projects.project_view(get_db(request), _worker(actor), project_id)
    return page(request, "disclosure.html", project=view)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    values = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    check_csrf(request, values.get("csrf"))
    return values


@router.post("/projects/{project_id}/consent")
async def consent(project_id: Id, request: Request, actor: PageActor) -> Response:
    await _form(request)
    await run_in_threadpool(projects.consent, get_db(request), _worker(actor), project_id)
    return RedirectResponse(f"/work/projects/{project_id}", status_code=303)


@router.post("/projects/{project_id}/start")
async def start(project_id: Id, request: Request, actor: PageActor) -> Response:
    await _form(request)
    return await run_in_threadpool(_next_task, request, actor, project_id)


def _next_task(request: Request, actor: Actor, project_id: Id) -> Response:
    try:
        lease = assign.lease_next(get_db(request), _worker(actor), project_id)
    except WellbeingRefusal as refusal:
        zone = time_zone(get_db(request), actor)
        return page(request, "break.html", 403, error=refusal, zone=zone)
    except PendingLimit as held:
        # "Start" while holding a task (a double click, a second tab): back to it.
        return RedirectResponse(f"/work/assignments/{held.held[0]}", status_code=303)
    except NotNow as refusal:
        if refusal.link:
            return RedirectResponse(refusal.link, status_code=303)
        raise
    if lease is None:
        return RedirectResponse(f"/work/projects/{project_id}/done", status_code=303)
    return RedirectResponse(f"/work/assignments/{lease.id}", status_code=303)


@router.get("/projects/{project_id}/qualification")
def qualification_page(project_id: Id, request: Request, actor: PageActor) -> Response:
    db = get_db(request)
    view = projects.project_view(db, _worker(actor), project_id)
    standing = qualification.status(db, actor, project_id)
    zone = time_zone(db, actor)
    return page(request, "qualification.html", project=view, standing=standing, zone=zone)


@router.post("/projects/{project_id}/qualification")
async def take_qualification(project_id: Id, request: Request, actor: PageActor) -> Response:
    await _form(request)
    db = get_db(request)
    try:
        lease = await run_in_threadpool(
            qualification.lease_question, db, _worker(actor), project_id
        )
    except WellbeingRefusal as refusal:
        zone = time_zone(db, actor)
        return page(request, "break.html", 403, error=refusal, zone=zone)
    except NotNow as refusal:
        if refusal.code != "retake_wait":
            raise
        # The test page says when the retake opens, in the worker's own time.
        return RedirectResponse(f"/work/projects/{project_id}/qualification", status_code=303)
    if lease is None:
        return RedirectResponse(f"/work/projects/{project_id}/qualification", status_code=303)
    return RedirectResponse(f"/work/assignments/{lease.id}", status_code=303)


@router.get("/projects/{project_id}/done")
def no_more_work(project_id: Id, request: Request, actor: PageActor) -> Response:
    view = projects.project_view(get_db(request), _worker(actor), project_id)
    return page(request, "no_work.html", project=view)


@router.get("/assignments/{assignment_id}")
def task_page(assignment_id: Id, request: Request, actor: PageActor) -> Response:
    lease, state = assign.get_lease(get_db(request), _worker(actor), assignment_id)
    if state != "leased":
        return RedirectResponse(f"/work/projects/{lease.project_id}", status_code=303)
    db = get_db(request)
    template, extra = page_context(db, actor, lease)
    standing = task_standing(db, actor, lease.project_id, lease.id)
    return page(
        request,
        template,
        lease=lease,
        task=lease.task,
        data=lease.data,
        standing=standing,
        zone=standing["zone"],
        # Instructions open on the worker's first task of the project, closed after.
        first_task=not assign.has_submitted(db, actor, lease.project_id),
        **extra,
        **safe_view.context(db, actor, lease),
        **voice.task_context(db, actor, lease),
    )


@router.post("/assignments/{assignment_id}")
async def submit_task(assignment_id: Id, request: Request, actor: PageActor) -> Response:
    """Store the answer a task page posts, then on to the next item.

    The page's own script asks for JSON (``Accept: application/json``): a refusal comes
    back as ``{"error": {"code", "message", "field"}}`` for the page to show at that
    field with the answer kept, a stored answer as ``{"stored": true, "next": url}``
    (and ``page``, the HTML, when the next page is not a redirect: a break) for the page
    to load in place. A plain form post gets the next page itself, as before."""
    wants_json = "application/json" in request.headers.get("accept", "")
    try:
        stored = await _store_posted(request, actor, assignment_id)
    except FairloopError as exc:
        if not wants_json:
            raise
        return JSONResponse(exc.as_dict(), status_code=exc.status)
    # The submission names its project: no second read to find where to go next.
    project_id = stored["project_id"]
    if not wants_json:
        return await run_in_threadpool(_next_task, request, actor, project_id)
    try:
        after = await run_in_threadpool(_next_task, request, actor, project_id)
    except FairloopError:
        # Stored all the same: the project page says why no next item is given.
        after = RedirectResponse(f"/work/projects/{project_id}", status_code=303)
    body: dict[str, object] = {"stored": True, "submission_id": stored["id"]}
    body["next"] = after.headers.get("location")
    if body["next"] is None:
        body["next"] = f"/work/projects/{project_id}"
        body["page"] = bytes(after.body).decode()
    return JSONResponse(body)


async def _store_posted(request: Request, actor: Actor, assignment_id: int) -> dict[str, Any]:
    """The answer a task page's form describes, stored (once per assignment)."""
    form = await request.form()
    check_csrf(request, _str(form.get("csrf")))
    if "answer" in form:
        # The feedback pages post their answer as one JSON field, built by the page.
        answer = page_answer(_str(form.get("answer")))
    elif (kind := _str(form.get("task_type"))) in TEMPLATES:
        answer = answer_from_form(kind, form)
    else:
        labels = [v for v in form.getlist("label") if isinstance(v, str)]
        multiple = _str(form.get("multiple")) == "1"
        answer = {"labels": labels} if multiple else {"label": labels[0] if labels else None}
    if _str(form.get("task_type")) == "review":
        answer = safe_view.review_answer(form)
    seconds = form.get("active_seconds") or None
    db = get_db(request)
    stored, _replayed = await run_in_threadpool(
        lambda: submit(
            db,
            _worker(actor),
            assignment_id,
            answer,
            active_seconds=seconds,
            # One key per assignment: a double click, a resent form or a post the page
            # queued while offline stores once.
            idempotency_key=f"page:{assignment_id}",
        )
    )
    return stored


@router.post("/assignments/{assignment_id}/release")
async def release(assignment_id: Id, request: Request, actor: PageActor) -> Response:
    form = await _form(request)
    db = get_db(request)
    seconds = form.get("active_seconds") or None
    released = await run_in_threadpool(
        lambda: assign.release(db, _worker(actor), assignment_id, active_seconds=seconds)
    )
    if form.get("skip") == "1":
        # "Stop and skip": straight back to the project, where the next item can start.
        return RedirectResponse(f"/work/projects/{released['project_id']}", status_code=303)
    return RedirectResponse("/work", status_code=303)


def page_answer(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError:
        raise InvalidInput("the answer is not valid JSON", field="answer") from None


@router.post("/assignments/{assignment_id}/reveal")
async def reveal(assignment_id: Id, request: Request, actor: PageActor) -> dict[str, object]:
    """Log that a blurred image was revealed (``shown=1``) or blurred again."""
    form = await _form(request)
    shown = form.get("shown") == "1"
    return await run_in_threadpool(
        exposure.log_reveal, get_db(request), _worker(actor), assignment_id, shown=shown
    )


@router.post("/assignments/{assignment_id}/heartbeat")
async def heartbeat(assignment_id: Id, request: Request, actor: PageActor) -> dict[str, object]:
    """The worker is at the task page: credit what the page counted since its last
    report (``present_ms``), bounded by the wall time."""
    form = await _form(request)
    return await run_in_threadpool(
        lambda: worktime.heartbeat(
            get_db(request), _worker(actor), assignment_id, present_ms=form.get("present_ms")
        )
    )


@router.post("/assignments/{assignment_id}/extension")
async def extension(assignment_id: Id, request: Request, actor: PageActor) -> dict[str, object]:
    """More time on the lease, from the task page."""
    await _form(request)
    return await run_in_threadpool(worktime.extend, get_db(request), _worker(actor), assignment_id)


@router.post("/projects/{project_id}/withdraw")
async def withdraw_consent(project_id: Id, request: Request, actor: PageActor) -> Response:
    await _form(request)
    await run_in_threadpool(withdraw.withdraw_consent, get_db(request), _worker(actor), project_id)
    return RedirectResponse(f"/work/projects/{project_id}", status_code=303)


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""
