"""Where a worker stands, as their pages tell them: on a task page the project, items
done and left for them, and what they earned today; on ``/work`` what each project's
card says of them (test passed, items done).

Read-only and off the lease and submit paths: the task page calls it after the lease
is taken, in a transaction of its own. Money is decimal strings with a currency, as
the earnings page has it; "today" is the worker's own day (their time zone).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import Connection, bindparam, exists, func, select

from fairloop.db.base import utcnow
from fairloop.db.engine import Database
from fairloop.db.models import Assignment, Item, Project, ProjectWorker, Submission
from fairloop.domain.actors import Actor
from fairloop.domain.pay import floor_owed, from_minor, to_minor
from fairloop.domain.wellbeing import day_start
from fairloop.services.wellbeing import exposure
from fairloop.services.work import scheduling as sql

LEFT_CAP = 1000
"""Items left are counted up to this many ("more than 1,000"): the count reads the
project's items, and a task page should not read a million of them."""

_W, _P = sql.W, sql.P
_DONE = select(func.count(Submission.id)).where(
    Submission.worker_id == _W,
    Submission.project_id == _P,
    Submission.review_state != "test",
)
_LEFT = (
    select(Item.hazards)
    .where(
        Item.project_id == _P,
        Item.kind == "task",
        Item.submission_count < Item.wanted,
        ~exists().where(Assignment.item_id == Item.id, Assignment.worker_id == _W),
    )
    .limit(LEFT_CAP + 1)
)
# Task pay of today's work, pending review included; rejected work earns nothing.
_TASKS_TODAY = (
    select(Submission.project_id, func.count(Submission.id))
    .where(
        Submission.worker_id == _W,
        Submission.submitted_at >= bindparam("since"),
        Submission.review_state.in_(("pending", "approved")),
    )
    .group_by(Submission.project_id)
)
# Test time ended today, paid at the floor (as settlement pays it).
_TESTS_TODAY = (
    select(Assignment.project_id, func.sum(Assignment.active_seconds))
    .where(
        Assignment.worker_id == _W,
        Assignment.kind != "task",
        Assignment.ended_at >= bindparam("since"),
    )
    .group_by(Assignment.project_id)
)
_KIND = select(Assignment.kind).where(Assignment.id == bindparam("assignment_id"))


def time_zone(db: Database, actor: Actor) -> tzinfo:
    """The zone the worker's pages show times in (UTC until they set one)."""
    with db.core_transaction(readonly=True) as conn:
        return exposure.worker_zone(conn, actor.id)


def task_standing(
    db: Database, actor: Actor, project_id: int, assignment_id: int, *, now: datetime | None = None
) -> dict[str, Any]:
    """What a task page says of where the worker stands: ``project`` (its name),
    ``test`` (answered and items, on a qualification item; else None), ``done`` and
    ``left`` (items; ``left_more`` when more than LEFT_CAP), ``earned_today``
    (``[{"amount", "currency"}]``, one per currency; empty before any), ``currency``
    (the project's) and ``zone``."""
    now = now or utcnow()
    with db.core_transaction(readonly=True) as conn:
        project = conn.execute(
            select(Project.name, Project.spec).where(Project.id == project_id)
        ).one()
        zone = exposure.worker_zone(conn, actor.id)
        ids = {"worker_id": actor.id, "project_id": project_id}
        kind = conn.execute(_KIND, {"assignment_id": assignment_id}).scalar()
        left, more = _left(conn, project.spec, ids)
        return {
            "project": project.name,
            "test": _test(conn, project.spec, ids) if kind == "qualification" else None,
            "done": conn.execute(_DONE, ids).scalar_one(),
            "left": left,
            "left_more": more,
            "earned_today": earned_since(conn, actor.id, day_start(now, zone)),
            "currency": project.spec["pay"]["currency"],
            "zone": str(zone),
        }


def _left(conn: Connection, spec: dict[str, Any], ids: dict[str, int]) -> tuple[int, bool]:
    """Items still open to the worker after the one in front of them (opt-outs kept
    out), and whether there are more than LEFT_CAP."""
    rows = conn.execute(_LEFT, ids).scalars().all()
    opted = set(exposure.opted_out(conn, ids["worker_id"])) if spec.get("hazards") else set()
    left = sum(1 for hazards in rows if not opted & set(hazards or ()))
    return min(left, LEFT_CAP), len(rows) > LEFT_CAP


def _test(conn: Connection, spec: dict[str, Any], ids: dict[str, int]) -> dict[str, int]:
    attempt = conn.execute(sql.LAST_ATTEMPT, ids).first()
    return {
        "answered": attempt.answered if attempt is not None else 0,
        "items": int(spec["qualification"]["items"]),
    }


def earned_since(conn: Connection, worker_id: int, since: datetime) -> list[dict[str, str]]:
    """Task pay (pending review included) and test time at the floor since ``since``,
    summed per currency: what the worker earned today, before any top-up."""
    params = {"worker_id": worker_id, "since": since}
    tasks = dict(conn.execute(_TASKS_TODAY, params).all())
    tests = dict(conn.execute(_TESTS_TODAY, params).all())
    if not tasks and not tests:
        return []
    specs: dict[int, dict[str, Any]] = dict(
        conn.execute(
            select(Project.id, Project.spec).where(Project.id.in_(set(tasks) | set(tests)))
        ).all()
    )
    totals: dict[str, int] = defaultdict(int)
    for project_id, spec in specs.items():
        pay = spec["pay"]
        totals[pay["currency"]] += tasks.get(project_id, 0) * to_minor(pay["per_task"])
        totals[pay["currency"]] += floor_owed(
            to_minor(pay["hourly_floor"]), int(tests.get(project_id) or 0)
        )
    return [{"amount": from_minor(v), "currency": c} for c, v in sorted(totals.items())]


def card_standing(db: Database, actor: Actor) -> dict[int, dict[str, Any]]:
    """Per project, what the ``/work`` cards say of the worker: ``qualified`` (passed
    the project's test) and ``done`` (items handed in)."""
    with db.core_transaction(readonly=True) as conn:
        qualified = dict(
            conn.execute(
                select(ProjectWorker.project_id, ProjectWorker.qualified_at).where(
                    ProjectWorker.user_id == actor.id
                )
            ).all()
        )
        done = dict(
            conn.execute(
                select(Submission.project_id, func.count(Submission.id))
                .where(Submission.worker_id == actor.id, Submission.review_state != "test")
                .group_by(Submission.project_id)
            ).all()
        )
    return {
        p: {"qualified": qualified.get(p) is not None, "done": done.get(p, 0)}
        for p in set(qualified) | set(done)
    }
