"""Suspending a project with notice: workers are told at once, may keep working until
the notice ends, and those active lately get a kill fee for notice not given
(:mod:`fairloop.services.pay.suspension` writes the notice and the fee).

A pause is a stop without notice, so it is short: workers are told of it and of when
it becomes a suspension, and one that outlasts ``FAIRLOOP_PAUSE_LIMIT_DAYS`` (3)
becomes one at settlement, with the project's full notice and a kill fee for the
days it stopped work.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from fairloop.db.base import utcnow
from fairloop.db.engine import Database
from fairloop.db.models import Project
from fairloop.domain.actors import Actor
from fairloop.domain.suspension import continues_pause, pause_ends, promised_days
from fairloop.errors import Conflict, InvalidInput
from fairloop.services import audit
from fairloop.services.access import project_for_requester
from fairloop.services.inbox import post_notice
from fairloop.services.pay.suspension import begin_suspension, utc_stamp, workers_of
from fairloop.settings import get_settings


def suspend(
    db: Database,
    actor: Actor,
    project_id: int,
    *,
    notice_days: object = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Suspend with ``notice_days`` of notice (default and most: the project's own)."""
    now = now or utcnow()
    with db.transaction() as session:
        project = project_for_requester(session, actor, project_id)
        promised = promised_days(project.spec)
        given = _notice_days(notice_days, promised)
        if project.state == "suspended":
            raise Conflict("the project is suspended already", field="state")
        fees = begin_suspension(
            session,
            project,
            given=given,
            not_given=promised - given,
            now=now,
            why=f"for {promised - given} days of notice not given",
        )
        audit.record(session, actor, "project.suspend", f"project:{project.id}", notice=given)
        return {
            "id": project.id,
            "state": "suspended",
            "notice_days": given,
            "notice_ends_at": _iso(project.notice_ends_at),
            "workers_paid_fee": len(fees),
        }


def _notice_days(value: object, promised: int) -> int:
    if value is None:
        return promised
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= promised:
        raise InvalidInput(
            f"notice_days must be a whole number from 0 to the project's {promised}",
            field="notice_days",
        )
    return value


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


# Pauses.


def set_paused(
    db: Database, actor: Actor, project_id: int, *, paused: bool, now: datetime | None = None
) -> dict[str, Any]:
    """Pause (no new leases; work in progress is still accepted and paid) or resume a
    project; its workers are told either way. A pause soon after a resume continues
    the one before it (:func:`~fairloop.domain.suspension.continues_pause`)."""
    now = now or utcnow()
    with db.transaction() as session:
        project = project_for_requester(session, actor, project_id)
        if project.state == "suspended":
            raise Conflict("the project is suspended and cannot be reopened", field="state")
        was = project.state
        project.state = "paused" if paused else "live"
        if paused and was != "paused":
            if project.paused_at is None or not continues_pause(project.resumed_at, now):
                project.paused_at = now
            project.resumed_at = None
        elif not paused and was == "paused":
            project.resumed_at = now
        if project.state != was:
            _tell_workers(
                session, project, _pause_text(project) if paused else _resume_text(project)
            )
        audit.record(session, actor, f"project.{project.state}", f"project:{project.id}")
        return {
            "id": project.id,
            "state": project.state,
            "suspends_at": _iso(_suspends_at(project)),
        }


def _suspends_at(project: Project) -> datetime | None:
    """When a paused project becomes a suspension, or None if it is not paused."""
    if project.state != "paused" or project.paused_at is None:
        return None
    return pause_ends(project.paused_at, get_settings().pause_limit_days)


def _tell_workers(session: Session, project: Project, text: str) -> None:
    for worker_id in workers_of(session, project.id):
        post_notice(session, user_id=worker_id, kind="suspension", project_id=project.id, text=text)


def _pause_text(project: Project) -> str:
    ends = _suspends_at(project)
    assert ends is not None
    return (
        f"{project.name} is paused: no new tasks for now. Work you have started may still "
        f"be submitted and is paid. If it is not resumed by {utc_stamp(ends)}, it becomes a "
        f"suspension: you may then keep working for {promised_days(project.spec)} days' "
        "notice, and receive a kill fee for the days the pause stopped work."
    )


def _resume_text(project: Project) -> str:
    return f"{project.name} is open again: its tasks are available."
