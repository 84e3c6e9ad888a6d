"""The signed-in user's own things: inbox, opt-outs, viewing setting, check-ins."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from fairloop.http.body import json_body, require_object
from fairloop.http.deps import ActorDep, DatabaseDep, call_as_actor
from fairloop.services import accounts, inbox
from fairloop.services.pay import earnings
from fairloop.services.wellbeing import checkins, exposure

router = APIRouter(prefix="/api/v1/me", tags=["me"])


@router.put("")
async def put_me(request: Request) -> dict[str, str]:
    """``{"locale": "sw"}``: the language of this user's pages (one of en, es, pt_BR, fr,
    sw, fil, hi, ar)."""
    body = require_object(await json_body(request, limit=10_000))
    return await call_as_actor(
        request, lambda db, actor: accounts.set_locale(db, actor, body.get("locale"))
    )


@router.get("/inbox")
def get_inbox(db: DatabaseDep, actor: ActorDep) -> list[dict[str, Any]]:
    """Notices, newest first."""
    return inbox.inbox(db, actor)


@router.post("/inbox/read")
def post_inbox_read(db: DatabaseDep, actor: ActorDep) -> dict[str, int]:
    """Mark every notice read."""
    return {"read": len(inbox.inbox(db, actor, mark_read=True))}


@router.get("/opt-outs")
def get_opt_outs(db: DatabaseDep, actor: ActorDep) -> dict[str, list[str]]:
    return exposure.get_opt_outs(db, actor)


@router.put("/opt-outs")
async def put_opt_outs(request: Request) -> dict[str, list[str]]:
    """``{"hazards": [codes]}``: the hazard categories this worker never sees."""
    body = require_object(await json_body(request, limit=100_000))
    return await call_as_actor(
        request, lambda db, actor: exposure.set_opt_outs(db, actor, body.get("hazards"))
    )


@router.get("/wellbeing")
def get_wellbeing(db: DatabaseDep, actor: ActorDep) -> dict[str, Any]:
    """Opt-outs, the text severity setting and today's exposure."""
    return exposure.my_wellbeing(db, actor)


@router.put("/wellbeing")
async def put_wellbeing(request: Request) -> dict[str, Any]:
    """``{"text_severity_max": 0-4}``: text above it is collapsed behind a warning;
    ``{"time_zone": "Europe/Berlin"}``: the exposure day follows the worker's zone."""
    body = require_object(await json_body(request, limit=10_000))
    if set(body) == {"time_zone"}:
        return await call_as_actor(
            request, lambda db, actor: exposure.set_time_zone(db, actor, body["time_zone"])
        )
    return await call_as_actor(
        request,
        lambda db, actor: exposure.set_text_severity(db, actor, body.get("text_severity_max")),
    )


@router.post("/checkins", status_code=201)
async def post_checkin(request: Request) -> dict[str, Any]:
    """``{"answers": [7 numbers 1-5]}``: only this worker ever sees them one by one."""
    body = require_object(await json_body(request, limit=10_000))
    return await call_as_actor(
        request, lambda db, actor: checkins.submit_checkin(db, actor, body.get("answers"))
    )


@router.get("/checkins")
def get_checkins(db: DatabaseDep, actor: ActorDep) -> list[dict[str, Any]]:
    return checkins.my_checkins(db, actor)


@router.get("/earnings")
def get_earnings(db: DatabaseDep, actor: ActorDep) -> dict[str, Any]:
    """Balance, pending pay and, per project, earned, pending, top-ups, seconds worked
    (settled) and effective hourly pay; money as decimal strings."""
    return earnings.my_earnings(db, actor)
