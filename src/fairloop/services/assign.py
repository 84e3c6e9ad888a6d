"""Leasing items to workers, and giving them back.

The lease is the hot path: its statements are built once, at import, with bound
parameters, and run through Core (no ORM objects), so a lease costs a few indexed
lookups and one insert.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    Boolean,
    Connection,
    Text,
    and_,
    bindparam,
    cast,
    exists,
    func,
    insert,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import Session

from fairloop.db.base import utcnow
from fairloop.db.engine import Database
from fairloop.db.models import Assignment, Consent, Item, Project
from fairloop.domain import pay
from fairloop.domain.actors import Actor
from fairloop.domain.scheduling import MAX_PENDING, has_room, lease_expiry
from fairloop.domain.tasks.order import shown_order
from fairloop.errors import Conflict, Forbidden, NotFound
from fairloop.services import wellbeing
from fairloop.services.access import project_for_worker


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

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "project_id": self.project_id,
            "item": {
                "id": self.item_id,
                "external_id": self.external_id,
                "data": self.data,
                "hazards": self.hazards,
                "severity": self.severity,
            },
            "task": self.task,
            "shown": self.shown,
            "lease_expires_at": self.lease_expires_at.isoformat(),
        }


_P, _W, _NOW = bindparam("project_id"), bindparam("worker_id"), bindparam("now")
_LIVE = and_(Assignment.state == "leased", Assignment.lease_expires_at > _NOW)

_CONSENTED = select(Consent.id).where(
    Consent.project_id == _P,
    Consent.user_id == _W,
    Consent.disclosure_version == bindparam("version"),
    Consent.withdrawn_at.is_(None),
)
_HELD = (
    select(Assignment.id, Assignment.item_id, Assignment.shown, Assignment.lease_expires_at)
    .where(Assignment.project_id == _P, Assignment.worker_id == _W, _LIVE)
    .limit(MAX_PENDING)
)
_WORKER_LOCK = select(func.pg_advisory_xact_lock(_P, _W))
_ITEM = select(Item.id, Item.external_id, Item.data, Item.hazards, Item.severity).where(
    Item.id == bindparam("item_id")
)
_LIVE_ON_ITEM = select(func.count()).where(Assignment.item_id == bindparam("item_id"), _LIVE)


def _not_opted_out(*, postgres: bool) -> Any:
    """No hazard of the item is in the worker's opt-outs (``opted``)."""
    if postgres:
        opted = cast(bindparam("opted"), ARRAY(Text))
        return or_(Item.hazards.is_(None), ~Item.hazards.op("?|", return_type=Boolean)(opted))
    codes = func.json_each(Item.hazards).table_valued("value")
    return ~exists(
        select(literal_column("1"))
        .select_from(codes)
        .where(codes.c.value.in_(bindparam("opted", expanding=True)))
    )


def _candidates(*, locking: bool) -> Any:
    """Next item in queue order that has room, that this worker never had, and whose
    hazards the worker did not opt out of (hazard items only while ``hazard_ok``)."""
    live = select(func.count()).where(Assignment.item_id == Item.id, _LIVE).scalar_subquery()
    mine = exists().where(Assignment.item_id == Item.id, Assignment.worker_id == _W)
    query = (
        select(
            Item.id,
            Item.external_id,
            Item.data,
            Item.submission_count,
            Item.hazards,
            Item.severity,
        )
        .where(
            Item.project_id == _P,
            Item.submission_count < bindparam("overlap"),
            ~mine,
            live < bindparam("overlap") - Item.submission_count,
            Item.id.not_in(bindparam("skip", expanding=True)),
            _not_opted_out(postgres=locking),
            or_(bindparam("hazard_ok", type_=Boolean), Item.hazards.is_(None)),
        )
        .order_by(Item.neg_priority, Item.submission_count, Item.seq)
        .limit(1)
    )
    return query.with_for_update(skip_locked=True, of=Item) if locking else query


_NEXT = _candidates(locking=False)
_NEXT_LOCKED = _candidates(locking=True)


def _may_work(
    session: Connection | Session, actor: Actor, project: Any, now: datetime | None = None
) -> None:
    # A suspended project stays open to its workers until the notice ends.
    ends = project.notice_ends_at
    in_notice = project.state == "suspended" and ends is not None and ends > (now or utcnow())
    if project.state != "live" and not in_notice:
        raise Forbidden(
            f"the project is {project.state}: no new work", code="project_" + project.state
        )
    params = {
        "project_id": project.id,
        "worker_id": actor.id,
        "version": project.disclosure_version,
    }
    if session.execute(_CONSENTED, params).first() is None:
        raise Forbidden(
            f"read and consent to the project's disclosure (version {project.disclosure_version}) first",
            code="consent_required",
        )


def _pick(
    session: Connection,
    project: Any,
    worker_id: int,
    now: datetime,
    *,
    postgres: bool,
    opted: list[str],
    hazard_ok: bool = True,
) -> Any:
    """The next item row for this worker, locked where the database can lock rows.

    On PostgreSQL the candidate is taken FOR UPDATE SKIP LOCKED; every lease of an item
    holds that lock, so recounting its live leases in a fresh statement is exact.
    On SQLite the whole transaction is the single writer already.
    """
    params: dict[str, Any] = {"project_id": project.id, "worker_id": worker_id, "now": now}
    params.update(overlap=project.overlap, skip=[], opted=opted, hazard_ok=hazard_ok)
    while True:
        row = session.execute(_NEXT_LOCKED if postgres else _NEXT, params).first()
        if row is None or not postgres:
            return row
        live = session.execute(_LIVE_ON_ITEM, {"item_id": row.id, "now": now}).scalar_one()
        if has_room(overlap=project.overlap, submissions=row.submission_count, live_leases=live):
            return row
        params["skip"] = [*params["skip"], row.id]


def lease_next(
    db: Database, actor: Actor, project_id: int, *, now: datetime | None = None
) -> Lease | None:
    """Lease the next item to ``actor``; a worker already holding a live lease gets it back.

    Returns None when there is no work for this worker.
    """
    now = now or utcnow()
    with db.core_transaction() as session:
        project = project_for_worker(session, actor, project_id)
        _may_work(session, actor, project, now)
        if db.is_postgres:
            # One lease decision at a time per worker and project (a double click on
            # "Start" must not take two items); SQLite's single writer does this already.
            session.execute(_WORKER_LOCK, {"project_id": project.id, "worker_id": actor.id})
        task = project.spec["task"]
        held = session.execute(
            _HELD, {"project_id": project.id, "worker_id": actor.id, "now": now}
        ).first()
        if held is not None:
            item = session.execute(_ITEM, {"item_id": held.item_id}).one()
            return Lease(
                held.id,
                project.id,
                item.id,
                item.external_id,
                item.data,
                task,
                held.shown,
                held.lease_expires_at,
                item.hazards,
                item.severity,
            )
        item = _lease_candidate(session, project, actor.id, now, postgres=db.is_postgres)
        if item is None:
            return None
        expires = lease_expiry(now, project.lease_minutes)
        shown = shown_order(task["type"], item.data)
        assignment_id = session.execute(
            insert(Assignment).returning(Assignment.id),
            {
                "project_id": project.id,
                "item_id": item.id,
                "worker_id": actor.id,
                "state": "leased",
                "leased_at": now,
                "lease_expires_at": expires,
                "active_seconds": 0,
                "shown": shown,
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


def _lease_candidate(
    session: Connection, project: Any, worker_id: int, now: datetime, *, postgres: bool
) -> Any:
    """The item to lease, after the wellbeing veto: opted-out hazards are never picked;
    a hazard item past the budget or the break rule gives way to an item without
    hazards, and with none left the worker is told why and when to come back."""
    opted = wellbeing.opted_out(session, worker_id)
    item = _pick(session, project, worker_id, now, postgres=postgres, opted=opted)
    if item is None:
        return None
    refusal = wellbeing.check_hazard_item(session, worker_id, project.spec, item, now)
    if refusal is None:
        return item
    item = _pick(session, project, worker_id, now, postgres=postgres, opted=opted, hazard_ok=False)
    if item is None:
        raise wellbeing.refusal_error(refusal)
    return item


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
        )
        return lease, a.state


def own_assignment(
    session: Session, actor: Actor, assignment_id: int, *, lock: bool = False
) -> Assignment:
    """The assignment if it is ``actor``'s; otherwise 404, so ids reveal nothing."""
    query = select(Assignment).where(Assignment.id == assignment_id)
    if lock and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    assignment = session.scalars(query).first()
    if assignment is None or assignment.worker_id != actor.id:
        raise NotFound(f"no assignment {assignment_id} of yours", field="assignment_id")
    return assignment


def release(
    db: Database,
    actor: Actor,
    assignment_id: int,
    *,
    active_seconds: int = 0,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Give the item back to the pool at once; the time worked is kept (and paid)."""
    now = now or utcnow()
    with db.transaction() as session:
        assignment = own_assignment(session, actor, assignment_id, lock=True)
        if assignment.state != "leased":
            raise Conflict(f"the assignment is already {assignment.state}", field="assignment_id")
        project = session.get(Project, assignment.project_id)
        assert project is not None
        assignment.state = "released"
        assignment.ended_at = now
        assignment.active_seconds = pay.active_seconds(
            claimed=active_seconds,
            heartbeat_seconds=assignment.heartbeat_seconds,
            heartbeat_at=assignment.heartbeat_at,
            leased_at=assignment.leased_at,
            now=now,
            lease_minutes=project.lease_minutes,
        )
        return {
            "id": assignment.id,
            "project_id": assignment.project_id,
            "state": "released",
            "active_seconds": assignment.active_seconds,
        }
