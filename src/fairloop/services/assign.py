"""Leasing items to workers, and giving them back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from fairloop.db.base import utcnow
from fairloop.db.engine import Database
from fairloop.db.models import Assignment, Item, Project
from fairloop.domain.actors import Actor
from fairloop.domain.scheduling import MAX_PENDING, credited_seconds, has_room, lease_expiry
from fairloop.errors import Conflict, Forbidden, NotFound
from fairloop.services.access import has_consented, project_for_worker


@dataclass(frozen=True)
class Lease:
    id: int
    project_id: int
    item_id: int
    external_id: str | None
    data: dict[str, Any]
    task: dict[str, Any]
    instructions: str
    shown: list[str] | None
    lease_expires_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "project_id": self.project_id,
            "item": {"id": self.item_id, "external_id": self.external_id, "data": self.data},
            "task": self.task,
            "shown": self.shown,
            "lease_expires_at": self.lease_expires_at.isoformat(),
        }


def _may_work(session: Session, actor: Actor, project: Project) -> None:
    if project.state != "live":
        raise Forbidden(
            f"the project is {project.state}: no new work", code="project_" + project.state
        )
    if not has_consented(session, actor, project):
        raise Forbidden(
            f"read and consent to the project's disclosure (version {project.disclosure_version}) first",
            code="consent_required",
        )


def _live_leases(project_id: int, worker_id: int, now: datetime) -> Any:
    return select(Assignment).where(
        Assignment.project_id == project_id,
        Assignment.worker_id == worker_id,
        Assignment.state == "leased",
        Assignment.lease_expires_at > now,
    )


def _candidates(project: Project, worker_id: int, now: datetime, skip: list[int]) -> Any:
    live = (
        select(func.count())
        .where(
            Assignment.item_id == Item.id,
            Assignment.state == "leased",
            Assignment.lease_expires_at > now,
        )
        .scalar_subquery()
    )
    mine = exists().where(and_(Assignment.item_id == Item.id, Assignment.worker_id == worker_id))
    query = (
        select(Item)
        .where(
            Item.project_id == project.id,
            Item.submission_count < project.overlap,
            ~mine,
            live < project.overlap - Item.submission_count,
        )
        .order_by(Item.neg_priority, Item.submission_count, Item.seq)
        .limit(1)
    )
    if skip:
        query = query.where(Item.id.not_in(skip))
    return query


def _pick(session: Session, project: Project, worker_id: int, now: datetime) -> Item | None:
    """The next item for this worker, locked where the database can lock rows.

    On PostgreSQL the candidate row is taken FOR UPDATE SKIP LOCKED; every lease of an
    item holds that lock, so recounting live leases in a fresh statement is exact.
    On SQLite the whole transaction is the single writer already.
    """
    postgres = session.get_bind().dialect.name == "postgresql"
    skip: list[int] = []
    while True:
        query = _candidates(project, worker_id, now, skip)
        if postgres:
            query = query.with_for_update(skip_locked=True, of=Item)
        item = session.scalars(query).first()
        if item is None or not postgres:
            return item
        live = session.scalar(
            select(func.count()).where(
                Assignment.item_id == item.id,
                Assignment.state == "leased",
                Assignment.lease_expires_at > now,
            )
        )
        if has_room(
            overlap=project.overlap, submissions=item.submission_count, live_leases=live or 0
        ):
            return item
        skip.append(item.id)


def lease_next(
    db: Database, actor: Actor, project_id: int, *, now: datetime | None = None
) -> Lease | None:
    """Lease the next item to ``actor``; a worker already holding a live lease gets it back.

    Returns None when there is no work for this worker.
    """
    now = now or utcnow()
    with db.transaction() as session:
        project = project_for_worker(session, actor, project_id)
        _may_work(session, actor, project)
        held = session.scalars(_live_leases(project.id, actor.id, now).limit(MAX_PENDING)).first()
        if held is not None:
            return _lease(project, session.get(Item, held.item_id), held)
        item = _pick(session, project, actor.id, now)
        if item is None:
            return None
        assignment = Assignment(
            project_id=project.id,
            item_id=item.id,
            worker_id=actor.id,
            state="leased",
            leased_at=now,
            lease_expires_at=lease_expiry(now, project.lease_minutes),
        )
        session.add(assignment)
        session.flush()
        return _lease(project, item, assignment)


def _lease(project: Project, item: Item | None, assignment: Assignment) -> Lease:
    assert item is not None
    task = project.spec["task"]
    return Lease(
        id=assignment.id,
        project_id=project.id,
        item_id=item.id,
        external_id=item.external_id,
        data=item.data,
        task=task,
        instructions=task.get("instructions", ""),
        shown=assignment.shown,
        lease_expires_at=assignment.lease_expires_at,
    )


def get_lease(db: Database, actor: Actor, assignment_id: int) -> tuple[Lease, str]:
    """A worker's own assignment (any state) for the task page: (lease, state)."""
    with db.transaction(readonly=True) as session:
        assignment = own_assignment(session, actor, assignment_id)
        project = session.get(Project, assignment.project_id)
        assert project is not None
        return _lease(project, session.get(Item, assignment.item_id), assignment), assignment.state


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
        assignment.active_seconds = credited_seconds(
            claimed=active_seconds,
            leased_at=assignment.leased_at,
            now=now,
            lease_minutes=project.lease_minutes,
        )
        return {
            "id": assignment.id,
            "state": "released",
            "active_seconds": assignment.active_seconds,
        }
