"""What a stop costs: a suspension's notice, told to every worker, and its kill fee
(:mod:`fairloop.services.suspend` is the requester's side: suspend, pause, resume).

The kill fee is a share of what workers really earned a day on the project: task pay,
test time and top-ups to the floor, over every kind of paid time (tasks, tests,
released items, leases that ran out). A pause that outlasts
``FAIRLOOP_PAUSE_LIMIT_DAYS`` (3) becomes a suspension when settlement runs
(:func:`suspend_long_pauses`): the project's full notice from then, and a kill fee for
the days the pause stopped work.

Measured before (issue 15): the fee counted task pay only (0.18 where the worker
earned 3.50 with top-ups) and nothing for released items or tests (0.00); a pause
stopped work with no notice, no message and no pay, for ever.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from fairloop.db.base import utcnow
from fairloop.db.engine import Database
from fairloop.db.models import Assignment, Consent, Project, Submission, User
from fairloop.domain.floors import worker_floor
from fairloop.domain.pay import to_minor
from fairloop.domain.suspension import (
    ACTIVE_DAYS,
    earned_minor,
    kill_fee_minor,
    paused_days,
    promised_days,
)
from fairloop.domain.worktime import unmeasured_seconds
from fairloop.services import audit
from fairloop.services.inbox import post_notice
from fairloop.services.pay import ledger
from fairloop.settings import get_settings

Fee = tuple[int, str]
"""A kill fee paid: (minor units, currency)."""


def begin_suspension(
    session: Session,
    project: Project,
    *,
    given: int,
    not_given: int,
    now: datetime,
    why: str,
    opening: str = "",
) -> dict[int, Fee]:
    """Suspend ``project`` with ``given`` days of notice from ``now``, pay the kill fee
    for ``not_given`` days (``why``: what they are, as the worker reads it: "for 5
    days of notice not given") and tell every worker; returns the fees paid."""
    project.state = "suspended"
    project.suspended_at = now
    project.notice_ends_at = now + timedelta(days=given)
    fees = _pay_kill_fees(session, project, not_given, now, memo=f"kill fee {why}")
    for worker_id in workers_of(session, project.id):
        text = _notice_text(project, given, fees.get(worker_id), why=why, opening=opening)
        post_notice(session, user_id=worker_id, kind="suspension", project_id=project.id, text=text)
    return fees


def workers_of(session: Session, project_id: int) -> list[int]:
    """Everyone who consented to or worked on the project."""
    consented = select(Consent.user_id).where(Consent.project_id == project_id)
    worked = select(Assignment.worker_id).where(Assignment.project_id == project_id)
    return sorted(set(session.scalars(consented)) | set(session.scalars(worked)))


@dataclass(frozen=True)
class _Worked:
    """One worker's paid work on a project in the kill fee's window."""

    worker_id: int
    tasks: int
    test_seconds: int
    seconds: int
    days: int


def _worked(session: Session, project: Project, since: datetime, now: datetime) -> list[_Worked]:
    """Per worker, the work of the window that is paid: every assignment that ended or
    began in it (tasks, tests, released items, leases run out or in progress) but
    rejected ones, with its credited time as settlement counts it, and the days it
    fell on (days with paid time only)."""
    pay = project.spec["pay"]
    typical = unmeasured_seconds(
        median_seconds=None,
        estimated_seconds=int(pay["estimated_seconds"]),
        lease_seconds=project.lease_minutes * 60,
    )
    seconds = case(
        (Assignment.state != "leased", Assignment.active_seconds),
        (Assignment.heartbeat_at.is_not(None), (Assignment.heartbeat_ms + 999) // 1000),
        (Assignment.lease_expires_at <= now, literal(typical)),
        else_=0,
    )
    when = func.coalesce(Assignment.ended_at, Assignment.leased_at)
    task = and_(Assignment.kind == "task", Submission.id.is_not(None))
    paid_day = case((or_(seconds > 0, task), func.date(when)))
    rows = session.execute(
        select(
            Assignment.worker_id,
            func.sum(case((task, 1), else_=0)),
            func.sum(case((Assignment.kind != "task", seconds), else_=0)),
            func.sum(seconds),
            func.count(func.distinct(paid_day)),
        )
        .outerjoin(Submission, Submission.assignment_id == Assignment.id)
        .where(
            Assignment.project_id == project.id,
            when >= since,
            or_(Submission.id.is_(None), Submission.review_state != "rejected"),
        )
        .group_by(Assignment.worker_id)
    ).all()
    return [
        _Worked(int(w), int(t or 0), int(x or 0), int(s or 0), int(d)) for w, t, x, s, d in rows
    ]


def _floors(session: Session, pay: dict[str, Any], workers: list[int]) -> dict[int, int]:
    """{worker: hourly floor in minor units}: the project's, or their country's when
    higher (``FAIRLOOP_FLOORS_BY_COUNTRY``), as settlement tops up to."""
    by_country = get_settings().country_floors()
    countries: dict[int, str | None] = {}
    if by_country and workers:
        rows = session.execute(select(User.id, User.country).where(User.id.in_(workers)))
        countries = {int(u): c for u, c in rows}
    return {w: to_minor(worker_floor(pay, countries.get(w), by_country)) for w in workers}


def _pay_kill_fees(
    session: Session, project: Project, days_not_given: int, now: datetime, *, memo: str
) -> dict[int, Fee]:
    """Kill fees for workers active in the last 14 days, on what they really earned a
    day there (:func:`earned_minor`): {worker: (minor units, currency)}."""
    if days_not_given <= 0:
        return {}
    pay = project.spec["pay"]
    per_task = to_minor(pay["per_task"])
    percent = int(project.spec.get("suspension_fee_percent", 25))
    worked = _worked(session, project, now - timedelta(days=ACTIVE_DAYS), now)
    floors = _floors(session, pay, [w.worker_id for w in worked])
    fees = {}
    for w in worked:
        earned = earned_minor(
            task_pay_minor=w.tasks * per_task,
            test_seconds=w.test_seconds,
            seconds=w.seconds,
            floor_minor_per_hour=floors[w.worker_id],
        )
        fee = kill_fee_minor(
            earned_minor=earned, active_days=w.days, days_not_given=days_not_given, percent=percent
        )
        if fee > 0:
            pay_suspension(
                session,
                user_id=w.worker_id,
                project_id=project.id,
                amount_minor=fee,
                currency=pay["currency"],
                cause=f"project:{project.id}:worker:{w.worker_id}",
                memo=memo,
            )
            fees[w.worker_id] = (fee, pay["currency"])
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


def utc_stamp(moment: datetime) -> str:
    """How notices write a moment: ``2026-03-05 11:00 UTC``."""
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _notice_text(
    project: Project, days: int, fee: Fee | None, *, why: str, opening: str = ""
) -> str:
    assert project.notice_ends_at is not None
    text = opening or f"{project.name} is suspended."
    text += (
        f" You may keep working until {utc_stamp(project.notice_ends_at)} ({days} days' "
        "notice); all work done and in progress is paid."
    )
    if fee:
        text += f" You receive a kill fee of {fee[0] / 100:.2f} {fee[1]} {why}."
    return text


# Pauses that outlast their limit.


def suspend_long_pauses(
    db: Database, *, now: datetime | None = None, project_id: int | None = None
) -> int:
    """Suspend every project (or one) paused longer than ``FAIRLOOP_PAUSE_LIMIT_DAYS``:
    the project's full notice from ``now``, and a kill fee for the days the pause
    stopped work. Settlement runs this; returns how many. Looks first without the
    write lock, so a run with nothing due writes nothing."""
    now = now or utcnow()
    limit = get_settings().pause_limit_days
    due = select(Project).where(
        Project.state == "paused", Project.paused_at <= now - timedelta(days=limit)
    )
    if project_id is not None:
        due = due.where(Project.id == project_id)
    with db.transaction(readonly=True) as session:
        if session.scalar(select(func.count()).select_from(due.subquery())) == 0:
            return 0
    done = 0
    with db.transaction() as session:
        for project in session.scalars(due.order_by(Project.id).with_for_update()).all():
            _suspend_pause(session, project, limit, now)
            done += 1
    return done


def _suspend_pause(session: Session, project: Project, limit: int, now: datetime) -> None:
    assert project.paused_at is not None
    promised = promised_days(project.spec)
    stopped = paused_days(project.paused_at, now, promised)
    opening = (
        f"{project.name} was paused on {utc_stamp(project.paused_at)} and not resumed within "
        f"{limit} days, so it is suspended."
    )
    begin_suspension(
        session,
        project,
        given=promised,
        not_given=stopped,
        now=now,
        why=f"for the {stopped} days the pause stopped work",
        opening=opening,
    )
    audit.record(
        session, None, "project.suspend", f"project:{project.id}", notice=promised, paused=stopped
    )
