"""Suspending a project with notice: workers are told at once, may keep working until
the notice ends, and those active lately get a kill fee for notice not given."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fairloop.db.base import utcnow
from fairloop.db.engine import Database
from fairloop.db.models import Assignment, Consent, Project, Submission
from fairloop.domain.actors import Actor
from fairloop.domain.suspension import ACTIVE_DAYS, kill_fee_minor, minor_units
from fairloop.errors import Conflict, InvalidInput
from fairloop.services import audit
from fairloop.services.access import project_for_requester
from fairloop.services.inbox import post_notice
from fairloop.services.pay import ledger


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
        promised = int(project.spec.get("notice_days", 7))
        given = _notice_days(notice_days, promised)
        if project.state == "suspended":
            raise Conflict("the project is suspended already", field="state")
        project.state = "suspended"
        project.suspended_at = now
        project.notice_ends_at = now + timedelta(days=given)
        fees = _pay_kill_fees(session, project, promised - given, now)
        for worker_id in _workers(session, project.id):
            post_notice(
                session,
                user_id=worker_id,
                kind="suspension",
                project_id=project.id,
                text=_notice_text(project, given, fees.get(worker_id)),
            )
        audit.record(session, actor, "project.suspend", f"project:{project.id}", notice=given)
        return {
            "id": project.id,
            "state": "suspended",
            "notice_days": given,
            "notice_ends_at": project.notice_ends_at.isoformat(),
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


def _workers(session: Session, project_id: int) -> list[int]:
    """Everyone who consented to or worked on the project."""
    consented = select(Consent.user_id).where(Consent.project_id == project_id)
    worked = select(Assignment.worker_id).where(Assignment.project_id == project_id)
    return sorted(set(session.scalars(consented)) | set(session.scalars(worked)))


def _pay_kill_fees(
    session: Session, project: Project, days_not_given: int, now: datetime
) -> dict[int, tuple[int, str]]:
    """Kill fees for workers active in the last 14 days: {worker: (minor units, currency)}."""
    if days_not_given <= 0:
        return {}
    since = now - timedelta(days=ACTIVE_DAYS)
    day = func.date(Submission.submitted_at)
    rows = session.execute(
        select(
            Submission.worker_id,
            func.count(Submission.id),
            func.count(func.distinct(day)),
        )
        .where(
            Submission.project_id == project.id,
            Submission.submitted_at >= since,
            Submission.review_state != "rejected",
        )
        .group_by(Submission.worker_id)
    ).all()
    pay = project.spec["pay"]
    per_task = minor_units(Decimal(pay["per_task"]))
    percent = int(project.spec.get("suspension_fee_percent", 25))
    fees = {}
    for worker_id, tasks, days in rows:
        fee = kill_fee_minor(
            earned_minor=tasks * per_task,
            active_days=days,
            days_not_given=days_not_given,
            percent=percent,
        )
        if fee > 0:
            pay_suspension(
                session,
                user_id=worker_id,
                project_id=project.id,
                amount_minor=fee,
                currency=pay["currency"],
                cause=f"project:{project.id}:worker:{worker_id}",
                memo=f"kill fee: {days_not_given} days of notice not given",
            )
            fees[worker_id] = (fee, pay["currency"])
    return fees


def pay_suspension(
    session: Session,
    *,
    user_id: int,
    project_id: int,
    amount_minor: int,
    currency: str,
    cause: str,
    memo: str,
) -> bool:
    """Write one ``suspension_pay`` ledger entry, once per ``cause``; False if it exists."""
    return ledger.write(
        session,
        user_id=user_id,
        project_id=project_id,
        kind="suspension_pay",
        amount_minor=amount_minor,
        currency=currency,
        key=f"suspension_pay:{cause}",
        memo=memo,
    )


def _notice_text(project: Project, days: int, fee: tuple[int, str] | None) -> str:
    assert project.notice_ends_at is not None
    ends = project.notice_ends_at.strftime("%Y-%m-%d %H:%M UTC")
    text = (
        f"{project.name} is suspended. You may keep working until {ends} ({days} days' "
        "notice); all work done and in progress is paid."
    )
    if fee:
        text += f" You receive a kill fee of {fee[0] / 100:.2f} {fee[1]}."
    return text
