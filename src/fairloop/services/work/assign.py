"""Leasing items to workers, and giving them back.

The lease is the hot path: its statements are built once, at import, with bound
parameters, and run through Core (no ORM objects), so a lease costs a few indexed
lookups and one insert.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select

from fairloop.db.base import utcnow
from fairloop.db.engine import Database
from fairloop.db.models import Assignment, Item, Project
from fairloop.domain import pay
from fairloop.domain import scheduling as rule
from fairloop.domain.actors import Actor
from fairloop.domain.scheduling import lease_expiry
from fairloop.domain.specs import task_for_workers
from fairloop.domain.tasks.order import shown_order
from fairloop.domain.worktime import READING_SECONDS
from fairloop.errors import Forbidden, NotNow, PendingLimit
from fairloop.services.access import (
    WORK_VIEW,
    WorkView,
    leased_assignment,
    own_assignment,
    project_for_worker,
)
from fairloop.services.wellbeing import exposure
from fairloop.services.work import scheduling as sql
from fairloop.services.work import worktime
from fairloop.services.work.rows import Counters, ItemRow


@dataclass(frozen=True)
class Lease:
    id: int
    project_id: int
    item_id: int
    external_id: str | None
    data: dict[str, Any]
    task: dict[str, Any]
    shown: list[str] | None
    lease_expires_at: datetime
    hazards: list[str] | None = None
    severity: int | None = None
    reading_seconds: int = READING_SECONDS

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "project_id": self.project_id,
            "item": {
                "id": self.item_id,
                # Not the requester's own item id: a gold item named "gold-3" would
                # tell the worker it is a check.
                "data": self.data,
                "hazards": self.hazards,
                "severity": self.severity,
            },
            # The JSON goes to the worker: the model's address and prompt stay behind.
            "task": task_for_workers(self.task),
            "shown": self.shown,
            "lease_expires_at": self.lease_expires_at.isoformat(),
        }


# The lock is taken before the next statement's snapshot: the leases it then counts
# include any this worker's concurrent request committed.
WORK_VIEW_LOCKED = WORK_VIEW.add_columns(func.pg_advisory_xact_lock(sql.P, sql.W).label("locked"))
_ITEM = select(Item.id, Item.external_id, Item.data, Item.hazards, Item.severity).where(
    Item.id == bindparam("item_id")
)


def check_may_work(project: WorkView, now: datetime | None = None) -> None:
    """Refuse work on a project that is not live (or in its notice), or whose
    disclosure the worker has not consented to; ``project`` is its work view."""
    # A suspended project stays open to its workers until the notice ends.
    ends = project.notice_ends_at
    in_notice = project.state == "suspended" and ends is not None and ends > (now or utcnow())
    if project.state != "live" and not in_notice:
        raise Forbidden(
            f"the project is {project.state}: no new work", code="project_" + project.state
        )
    if not project.consented:
        raise Forbidden(
            f"read and consent to the project's disclosure (version {project.disclosure_version}) first",
            code="consent_required",
        )


def lease_next(
    db: Database, actor: Actor, project_id: int, *, now: datetime | None = None
) -> Lease | None:
    """Lease the next item to ``actor``: gold when due, else the next task item.

    Returns None when there is no work for this worker; raises PendingLimit when the
    worker holds ``max_pending`` live leases, NotNow when a skill, the qualification
    or the daily cap stands in the way.
    """
    now = now or utcnow()
    pg = db.is_postgres
    with db.core_transaction() as conn:
        # On PostgreSQL the worker's lock comes with the project: one round trip.
        view = WORK_VIEW_LOCKED if pg else WORK_VIEW
        project = project_for_worker(conn, actor, project_id, query=view)
        check_may_work(project, now)
        spec = project.spec
        params: dict[str, Any] = {"project_id": project.id, "worker_id": actor.id, "now": now}
        worker = sql.worker_state(conn, params, postgres=pg)
        _check_pending(conn, spec, params, worker.held)
        counted = bool(spec.get("gold_rate") or spec.get("daily_cap"))
        counters = worker.counters
        _check_worker(spec, project.id, counters, worker.skills, now)
        params.update(sql.skill_params(worker.skills, postgres=pg))
        # Items carry only hazards their project declares (checked at import, and the
        # spec's hazards never change): without any, opt-outs cannot matter.
        params["opted"] = worker.opted if spec.get("hazards") else []
        gold = counters is not None and rule.gold_due(
            gold_rate=spec.get("gold_rate") or 0.0,
            leased=counters.leased,
            gold_leased=counters.gold_leased,
            worker_id=actor.id,
        )
        item = _lease_candidate(conn, spec, actor.id, params, gold=gold, pg=pg)
        if item is None:
            return None
        if counted:
            counts = {"pw_project": project.id, "pw_worker": actor.id, "today": now.date()}
            conn.execute(sql.COUNT_LEASE, {**counts, "gold": int(item.kind == "gold")})
        return insert_lease(conn, project, actor.id, item.row, now, kind="task")


def _check_pending(
    conn: Connection, spec: dict[str, Any], params: dict[str, Any], held: list[int]
) -> None:
    """Refuse a lease past ``max_pending``; when work is scarce, past one."""
    if not held:
        return
    cap = spec.get("max_pending", rule.MAX_PENDING)
    if cap > len(held):
        limit = cap * rule.SCARCITY_FACTOR
        open_items = conn.execute(sql.OPEN_ITEMS, {**params, "limit": limit}).scalar_one()
        cap = rule.pending_cap(cap, open_items)
    if len(held) >= cap:
        ids = ", ".join(str(i) for i in held)
        raise PendingLimit(
            f"you hold {len(held)} live lease(s) (assignment {ids}) and this project's "
            f"max_pending is {cap} now: submit or release one first",
            held=held,
        )


def _check_worker(
    spec: dict[str, Any],
    project_id: int,
    counters: Counters | None,
    skills: dict[str, int],
    now: datetime,
) -> None:
    """Refusals that do not depend on the item: skills, qualification, daily cap."""
    if not rule.meets(spec.get("skills"), skills):
        missing = [s for s in spec["skills"] if not rule.meets([s], skills)]
        raise NotNow(
            f"this project needs the skill(s) {', '.join(missing)}",
            code="skill_required",
        )
    if spec.get("qualification") and (counters is None or counters.qualified_at is None):
        raise NotNow(
            "this project asks you to pass its qualification test first (paid as work)",
            code="qualification_required",
            link=f"/work/projects/{project_id}/qualification",
        )
    today = counters.leased_today if counters is not None and counters.day == now.date() else 0
    cap = spec.get("daily_cap")
    if cap is not None and today >= cap:
        raise NotNow(
            f"you reached this project's daily_cap of {cap} items today; more tomorrow",
            code="daily_cap",
            resume_at=sql.next_midnight(now).isoformat(),
        )


@dataclass(frozen=True)
class _Picked:
    row: ItemRow
    kind: str


def _lease_candidate(
    conn: Connection,
    spec: dict[str, Any],
    worker_id: int,
    params: dict[str, Any],
    *,
    gold: bool,
    pg: bool,
) -> _Picked | None:
    """The item to lease: a gold item when due (and one is left), else a task item.

    After the wellbeing veto: opted-out hazards are never picked; a hazard item past
    the budget or the break rule gives way to an item without hazards, and with none
    left the worker is told why and when to come back."""
    for kind in ("gold", "task") if gold else ("task",):
        row = pick_within_limits(conn, spec, worker_id, params, kind=kind, pg=pg)
        if row is not None:
            return _Picked(row, kind)
    return None


def pick_within_limits(
    conn: Connection,
    spec: dict[str, Any],
    worker_id: int,
    params: dict[str, Any],
    *,
    kind: str,
    pg: bool,
) -> ItemRow | None:
    """The next item of ``kind`` the worker's wellbeing allows: opted-out hazards are
    never picked; a hazard item past the budget or the break rule gives way to one
    without hazards, and with none left the worker is told why and when to return."""
    row = sql.pick(conn, kind, params, postgres=pg, hazard_ok=True)
    if row is None:
        return None
    refusal = exposure.check_hazard_item(conn, worker_id, spec, row, params["now"])
    if refusal is None:
        return row
    row = sql.pick(conn, kind, params, postgres=pg, hazard_ok=False)
    if row is None:
        raise exposure.refusal_error(refusal)
    return row


def insert_lease(
    conn: Connection,
    project: WorkView,
    worker_id: int,
    item: ItemRow,
    now: datetime,
    *,
    kind: str,
) -> Lease:
    task = project.spec["task"]
    expires = lease_expiry(now, project.lease_minutes)
    shown = shown_order(task["type"], item.data)
    assignment_id = conn.execute(
        insert(Assignment).returning(Assignment.id),
        {
            "project_id": project.id,
            "item_id": item.id,
            "worker_id": worker_id,
            "state": "leased",
            "leased_at": now,
            "lease_expires_at": expires,
            "active_seconds": 0,
            "shown": shown,
            "kind": kind,
        },
    ).scalar_one()
    return Lease(
        assignment_id,
        project.id,
        item.id,
        item.external_id,
        item.data,
        task,
        shown,
        expires,
        item.hazards,
        item.severity,
    )


def get_lease(db: Database, actor: Actor, assignment_id: int) -> tuple[Lease, str]:
    """A worker's own assignment (any state) for the task page: (lease, state)."""
    with db.transaction(readonly=True) as session:
        a = own_assignment(session, actor, assignment_id)
        project = session.get(Project, a.project_id)
        item = session.execute(_ITEM, {"item_id": a.item_id}).one()
        assert project is not None
        lease = Lease(
            a.id,
            project.id,
            item.id,
            item.external_id,
            item.data,
            project.spec["task"],
            a.shown,
            a.lease_expires_at,
            item.hazards,
            item.severity,
            project.spec.get("reading_seconds", READING_SECONDS),
        )
        return lease, a.state


_SUBMITTED_BEFORE = (
    select(Assignment.id)
    .where(
        Assignment.worker_id == bindparam("worker_id"),
        Assignment.project_id == bindparam("project_id"),
        Assignment.state == "submitted",
    )
    .limit(1)
)


def has_submitted(db: Database, actor: Actor, project_id: int) -> bool:
    """Whether the worker has handed in any work in the project (the task page opens
    its instructions until they have)."""
    with db.transaction(readonly=True) as session:
        found = session.execute(
            _SUBMITTED_BEFORE, {"worker_id": actor.id, "project_id": project_id}
        ).first()
        return found is not None


def release(
    db: Database,
    actor: Actor,
    assignment_id: int,
    *,
    active_seconds: object = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Give the item back to the pool at once; the time worked is kept (and paid)."""
    claimed = pay.reported_seconds(active_seconds)
    now = now or utcnow()
    with db.transaction() as session:
        assignment = leased_assignment(session, actor, assignment_id)
        assignment.active_seconds = worktime.ended_seconds(
            session, assignment, claimed=claimed, now=now
        )
        assignment.state = "released"
        assignment.ended_at = now
        return {
            "id": assignment.id,
            "project_id": assignment.project_id,
            "state": "released",
            "active_seconds": assignment.active_seconds,
        }
