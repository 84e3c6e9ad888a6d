"""What pay looks like to each side: a worker's earnings and a requester's costs (the
record a worker sees of a requester is :mod:`fairloop.services.requesters`)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fairloop.db.base import utcnow
from fairloop.db.engine import Database
from fairloop.db.models import Appeal, Assignment, LedgerEntry, Project, Submission
from fairloop.domain.actors import Actor
from fairloop.domain.pay import TIME_KINDS, from_minor, hourly, median_seconds, to_minor
from fairloop.domain.rejections import appeal_deadline
from fairloop.errors import Forbidden
from fairloop.services.access import project_for_requester
from fairloop.services.pay import review
from fairloop.services.pay.settle import settled_time
from fairloop.settings import get_settings


def my_earnings(db: Database, actor: Actor, *, now: datetime | None = None) -> dict[str, Any]:
    """``GET /api/v1/me/earnings``: money as decimal strings, time in seconds.

    What is due is decided first (work past its auto-approval deadline approved and
    paid, appeals past theirs overturned), so the page shows it as it stands. Time
    worked counts rejected work too (``seconds_rejected``): it was worked, paid or not.
    """
    if actor.role != "worker":
        raise Forbidden("earnings are for workers", code="not_a_worker")
    now = now or utcnow()
    review.decide_due(db, now=now, worker_id=actor.id)
    with db.transaction(readonly=True) as session:
        sums = _sums(session, actor.id)
        time = {p: s for (_w, p), s in settled_time(session, None, now, worker_id=actor.id).items()}
        pending = _pending(session, actor.id)
        rejected = _rejected_time(session, actor.id)
        projects = _projects(session, set(sums) | set(time) | set(pending) | set(rejected))
        rows = [
            _project_row(
                projects[p], sums.get(p, {}), time.get(p, 0), pending.get(p, 0), rejected.get(p, 0)
            )
            for p in sorted(projects)
        ]
        currency = _main_currency(sums, projects)
        totals = _totals(session, actor.id, currency)
        earned = sum(to_minor(r["earned"]) for r in rows if r["currency"] == currency)
        worked = sum(r["seconds_worked"] for r in rows if r["currency"] == currency)
        unpaid = sum(r["seconds_rejected"] for r in rows if r["currency"] == currency)
        return {
            "currency": currency,
            "balance": from_minor(totals.get("balance", 0)),
            "pending": from_minor(
                sum(pending[p] for p in pending if projects[p]["currency"] == currency)
            ),
            "paid": from_minor(-totals.get("payout", 0)),
            "top_ups": from_minor(totals.get("top_up", 0)),
            "earned": from_minor(earned),
            "seconds_worked": worked,
            "seconds_rejected": unpaid,
            "effective_hourly": hourly(earned, worked),
            "seconds_by_kind": _time_by_kind(session, actor.id),
            "projects": rows,
            "rejections": _rejections(session, actor.id),
        }


def _sums(session: Session, worker_id: int) -> dict[int, dict[str, int]]:
    """{project: {kind: minor units}} of this worker's entries tied to a project."""
    rows = session.execute(
        select(LedgerEntry.project_id, LedgerEntry.kind, func.sum(LedgerEntry.amount_minor))
        .where(LedgerEntry.user_id == worker_id, LedgerEntry.project_id.is_not(None))
        .group_by(LedgerEntry.project_id, LedgerEntry.kind)
    )
    sums: dict[int, dict[str, int]] = defaultdict(dict)
    for project_id, kind, total in rows:
        if project_id is not None:
            sums[project_id][kind] = int(total)
    return sums


def _totals(session: Session, worker_id: int, currency: str) -> dict[str, int]:
    rows = session.execute(
        select(LedgerEntry.kind, func.sum(LedgerEntry.amount_minor))
        .where(LedgerEntry.user_id == worker_id, LedgerEntry.currency == currency)
        .group_by(LedgerEntry.kind)
    )
    totals = {kind: int(total) for kind, total in rows}
    totals["balance"] = sum(totals.values())
    return totals


def _pending(session: Session, worker_id: int) -> dict[int, int]:
    """{project: minor units} of task pay waiting for review."""
    rows = session.execute(
        select(Submission.project_id, func.count(Submission.id))
        .where(Submission.worker_id == worker_id, Submission.review_state == "pending")
        .group_by(Submission.project_id)
    )
    counts = dict(rows.all())
    if not counts:
        return {}
    specs: dict[int, dict[str, Any]] = dict(
        session.execute(select(Project.id, Project.spec).where(Project.id.in_(counts))).all()
    )
    return {p: n * to_minor(specs[p]["pay"]["per_task"]) for p, n in counts.items()}


def _rejected_time(session: Session, worker_id: int) -> dict[int, int]:
    """{project: seconds} of this worker's work that stands rejected."""
    rows = session.execute(
        select(Submission.project_id, func.sum(Submission.active_seconds))
        .where(Submission.worker_id == worker_id, Submission.review_state == "rejected")
        .group_by(Submission.project_id)
    )
    return {p: int(s or 0) for p, s in rows}


def _projects(session: Session, ids: set[int]) -> dict[int, dict[str, Any]]:
    rows = session.execute(
        select(Project.id, Project.name, Project.spec).where(Project.id.in_(ids))
    )
    return {
        r.id: {
            "id": r.id,
            "name": r.name,
            "currency": r.spec["pay"]["currency"],
            "pay": r.spec["pay"],
        }
        for r in rows
    }


def _project_row(
    project: dict[str, Any], kinds: dict[str, int], settled: int, pending: int, rejected: int
) -> dict[str, Any]:
    earned = sum(v for k, v in kinds.items() if k != "payout")
    seconds = settled + rejected
    return {
        "project_id": project["id"],
        "name": project["name"],
        "currency": project["currency"],
        "earned": from_minor(earned),
        "pending": from_minor(pending),
        "top_ups": from_minor(kinds.get("top_up", 0)),
        "seconds_worked": seconds,
        "seconds_rejected": rejected,
        "effective_hourly": hourly(earned, seconds),
        "hourly_floor": project["pay"]["hourly_floor"],
    }


def _main_currency(sums: dict[int, dict[str, int]], projects: dict[int, dict[str, Any]]) -> str:
    """The currency most of this worker's projects pay in; the instance's without any."""
    counts: dict[str, int] = defaultdict(int)
    for p in projects.values():
        counts[p["currency"]] += 1
    return max(counts, key=lambda c: counts[c]) if counts else get_settings().currency


def _time_by_kind(session: Session, worker_id: int) -> dict[str, int]:
    """Every second recorded, by kind (pending and live work included)."""
    seconds = func.sum(
        func.coalesce(
            func.nullif(Assignment.active_seconds, 0), (Assignment.heartbeat_ms + 999) / 1000
        )
    )
    rows = session.execute(
        select(Assignment.kind, seconds)
        .where(Assignment.worker_id == worker_id)
        .group_by(Assignment.kind)
    )
    found = {kind: int(total or 0) for kind, total in rows}
    return {kind: found.get(kind, 0) for kind in TIME_KINDS}


def _rejections(session: Session, worker_id: int) -> list[dict[str, Any]]:
    """This worker's rejected (or once rejected) work, with the reason, the evidence,
    the time it took, and any appeal: its deadline, who decided it, when, and why."""
    from fairloop.db.models import Review

    rows = session.execute(
        select(
            Submission.id,
            Submission.project_id,
            Project.name.label("project_name"),
            Submission.review_state,
            Submission.active_seconds.label("seconds"),
            Review.reason,
            Review.evidence,
            Review.created_at.label("rejected_at"),
            Appeal.id.label("appeal_id"),
            Appeal.state.label("appeal_state"),
            Appeal.created_at.label("appealed_at"),
            Appeal.decided_by,
            Appeal.decided_at.label("appeal_decided_at"),
            Appeal.decision_note,
        )
        .join(Project, Project.id == Submission.project_id)
        .join(Review, (Review.submission_id == Submission.id) & (Review.decision == "reject"))
        .outerjoin(Appeal, Appeal.submission_id == Submission.id)
        .where(Submission.worker_id == worker_id)
        .order_by(Submission.id.desc())
        .limit(200)
    )
    return [_rejection(dict(r._mapping)) for r in rows]


def _rejection(row: dict[str, Any]) -> dict[str, Any]:
    decided_by = row.pop("decided_by")
    appealed = row["appealed_at"]
    row["appeal_deadline"] = (
        appeal_deadline(appealed, review.appeal_days()) if appealed is not None else None
    )
    row["appeal_decided_by"] = (
        review.decider(row["appeal_state"], decided_by, row["decision_note"] or "")
        if row["appeal_id"] is not None
        else None
    )
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in row.items()}


def project_costs(db: Database, actor: Actor, project_id: int) -> dict[str, Any]:
    """A requester's view of what a project cost, and how its estimate held up."""
    with db.transaction(readonly=True) as session:
        project = project_for_requester(session, actor, project_id)
        pay = project.spec["pay"]
        kinds = dict(
            session.execute(
                select(LedgerEntry.kind, func.sum(LedgerEntry.amount_minor))
                .where(LedgerEntry.project_id == project.id, LedgerEntry.kind != "payout")
                .group_by(LedgerEntry.kind)
            ).all()
        )
        times = list(
            session.scalars(
                select(Submission.active_seconds).where(Submission.project_id == project.id)
            )
        )
        pending = session.scalar(
            select(func.count(Submission.id)).where(
                Submission.project_id == project.id, Submission.review_state == "pending"
            )
        )
        return _costs(pay, {k: int(v) for k, v in kinds.items()}, times, int(pending or 0))


def _costs(
    pay: dict[str, Any], kinds: dict[str, int], times: list[int], pending: int
) -> dict[str, Any]:
    workers = sum(kinds.values())
    fee = int(Decimal(workers) * get_settings().fee_percent / 100)
    median = median_seconds(times)
    estimate = int(pay["estimated_seconds"])
    low = kinds.get("top_up", 0) > 0 or (median is not None and median > estimate)
    message = None
    if low and median is not None:
        message = (
            f"The estimate of {estimate} s per task was low: the median time measured is "
            f"{median} s. Workers were topped up to the floor; raise per_task or the estimate."
        )
    return {
        "currency": pay["currency"],
        "task_pay": from_minor(kinds.get("task_pay", 0)),
        "qualification_pay": from_minor(kinds.get("qualification_pay", 0)),
        "top_ups": from_minor(kinds.get("top_up", 0)),
        "other": from_minor(
            sum(v for k, v in kinds.items() if k not in ("task_pay", "qualification_pay", "top_up"))
        ),
        "workers_total": from_minor(workers),
        "fee": from_minor(fee),
        "total": from_minor(workers + fee),
        "pending": from_minor(pending * to_minor(pay["per_task"])),
        "estimated_seconds": estimate,
        "median_seconds": median,
        "estimate_low": message,
    }
