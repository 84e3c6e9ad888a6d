"""The worker's own pages: earnings and appeals, inbox, and wellbeing (opt-outs, viewing setting, check-ins)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from fairloop.domain.checkins import ITEMS, SCALE
from fairloop.domain.rejections import REASONS
from fairloop.errors import Forbidden, InvalidInput
from fairloop.http.deps import get_db
from fairloop.services import inbox
from fairloop.services.pay import earnings, review
from fairloop.services.wellbeing import checkins, exposure
from fairloop.web.render import page
from fairloop.web.session import PageActor, check_csrf

router = APIRouter(prefix="/me", include_in_schema=False)


async def _form(request: Request) -> dict[str, list[str]]:
    form = await request.form()
    values: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            values.setdefault(key, []).append(value)
    tokens = values.get("csrf")
    check_csrf(request, tokens[0] if tokens else None)
    return values


@router.get("/inbox")
def inbox_page(request: Request, actor: PageActor) -> Response:
    notices = inbox.inbox(get_db(request), actor, mark_read=True)
    request.state.inbox_unread = 0
    return page(request, "inbox.html", notices=notices)


@router.get("/wellbeing")
def wellbeing_page(request: Request, actor: PageActor, saved: str = "") -> Response:
    db = get_db(request)
    return page(
        request,
        "wellbeing.html",
        me=exposure.my_wellbeing(db, actor),
        checkins=checkins.my_checkins(db, actor),
        items=ITEMS,
        scale=SCALE,
        saved=saved,
    )


@router.post("/wellbeing/opt-outs")
async def save_opt_outs(request: Request, actor: PageActor) -> Response:
    form = await _form(request)
    codes = form.get("hazard", [])
    await run_in_threadpool(exposure.set_opt_outs, get_db(request), actor, codes)
    return RedirectResponse("/me/wellbeing?saved=opt-outs", status_code=303)


@router.post("/wellbeing/viewing")
async def save_viewing(request: Request, actor: PageActor) -> Response:
    form = await _form(request)
    raw = (form.get("text_severity_max") or [""])[0]
    value = int(raw) if raw.isdigit() and len(raw) < 3 else raw
    await run_in_threadpool(exposure.set_text_severity, get_db(request), actor, value)
    return RedirectResponse("/me/wellbeing?saved=viewing", status_code=303)


@router.post("/wellbeing/time-zone")
async def save_time_zone(request: Request, actor: PageActor) -> Response:
    form = await _form(request)
    name = (form.get("time_zone") or [""])[0]
    await run_in_threadpool(exposure.set_time_zone, get_db(request), actor, name)
    return RedirectResponse("/me/wellbeing?saved=time-zone", status_code=303)


@router.post("/wellbeing/checkin")
async def save_checkin(request: Request, actor: PageActor) -> Response:
    form = await _form(request)
    answers: list[object] = []
    for i in range(len(ITEMS)):
        raw = (form.get(f"q{i}") or [""])[0]
        answers.append(int(raw) if raw.isdigit() and len(raw) < 3 else raw)
    await run_in_threadpool(checkins.submit_checkin, get_db(request), actor, answers)
    return RedirectResponse("/me/wellbeing?saved=checkin", status_code=303)


@router.get("/earnings")
def earnings_page(request: Request, actor: PageActor, saved: str = "") -> Response:
    mine = earnings.my_earnings(get_db(request), actor)
    return page(request, "earnings.html", e=mine, reasons=REASONS, saved=saved)


@router.post("/earnings/appeal")
async def save_appeal(request: Request, actor: PageActor) -> Response:
    if actor.role != "worker":
        raise Forbidden("only workers appeal their own work", code="not_a_worker")
    form = await _form(request)
    raw = (form.get("submission_id") or [""])[0]
    if not (raw.isascii() and raw.isdigit() and len(raw) < 19):
        raise InvalidInput("submission_id must be a submission number", field="submission_id")
    text = (form.get("text") or [""])[0]
    await run_in_threadpool(review.appeal, get_db(request), actor, int(raw), text)
    return RedirectResponse("/me/earnings?saved=appeal", status_code=303)
