"""Who may see which project: the one place that answers it, for every layer."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection, Executable, bindparam, select
from sqlalchemy.orm import Session

from fairloop.db.models import Assignment, Consent, Membership, Project
from fairloop.domain.actors import Actor
from fairloop.errors import Conflict, Forbidden, NotFound


def project_for_requester(session: Session, actor: Actor, project_id: int) -> Project:
    """The project if ``actor`` owns it (its organisation) or is admin; else 404.

    404, not 403: another organisation's project ids must not be discoverable.
    """
    project = session.get(Project, project_id)
    if project is None or not (actor.is_admin or _member(session, actor.id, project.org_id)):
        raise NotFound(f"no project {project_id}", field="project_id")
    if actor.role == "worker":
        raise NotFound(f"no project {project_id}", field="project_id")
    return project


# What the work loop reads of a project, as one Core row (cheaper than an ORM object).
WORK_VIEW = select(
    Project.id,
    Project.org_id,
    Project.name,
    Project.state,
    Project.overlap,
    Project.lease_minutes,
    Project.disclosure_version,
    Project.spec,
    Project.notice_ends_at,
    # Whether the worker consented to the disclosure as it stands: read with the
    # project, one statement fewer on every lease.
    select(Consent.id)
    .where(
        Consent.project_id == Project.id,
        Consent.user_id == bindparam("worker_id"),
        Consent.disclosure_version == Project.disclosure_version,
        Consent.withdrawn_at.is_(None),
    )
    .exists()
    .label("consented"),
).where(Project.id == bindparam("project_id"))


class WorkView(Protocol):
    """A row of WORK_VIEW. The work loop keeps the SQLAlchemy row as it comes (no
    object built per request on the lease path); this names what it reads."""

    id: int
    org_id: int
    name: str
    state: str
    overlap: int
    lease_minutes: int
    disclosure_version: int
    spec: dict[str, Any]
    notice_ends_at: datetime | None
    consented: bool


def project_for_worker(
    session: Session | Connection,
    actor: Actor,
    project_id: int,
    *,
    query: Executable = WORK_VIEW,
) -> WorkView:
    """The project's work view (a row with Project's attribute names) for a worker;
    ``query`` may be WORK_VIEW with more columns."""
    if actor.role != "worker":
        raise Forbidden("only workers take tasks", code="not_a_worker")
    params = {"project_id": project_id, "worker_id": actor.id}
    project = session.execute(query, params).first()
    if project is None or project.state == "draft":
        raise NotFound(f"no project {project_id}", field="project_id")
    return project


def project_for_anyone(session: Session, actor: Actor, project_id: int) -> Project:
    if actor.role == "worker":
        project_for_worker(session, actor, project_id)
        project = session.get(Project, project_id)
        assert project is not None  # the work view above found it
        return project
    return project_for_requester(session, actor, project_id)


def has_consented(session: Session, actor: Actor, project: Project | WorkView) -> bool:
    return (
        session.scalar(
            select(Consent.id).where(
                Consent.project_id == project.id,
                Consent.user_id == actor.id,
                Consent.disclosure_version == project.disclosure_version,
                Consent.withdrawn_at.is_(None),
            )
        )
        is not None
    )


def _member(session: Session, user_id: int, org_id: int) -> bool:
    return (
        session.scalar(
            select(Membership.id).where(Membership.user_id == user_id, Membership.org_id == org_id)
        )
        is not None
    )


def own_assignment(
    session: Session, actor: Actor, assignment_id: int, *, lock: bool = False
) -> Assignment:
    """The assignment if it is ``actor``'s; otherwise 404, so ids reveal nothing."""
    query = select(Assignment).where(Assignment.id == assignment_id)
    if lock and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return check_owner(session.scalars(query).first(), actor, assignment_id)


def leased_assignment(
    session: Session, actor: Actor, assignment_id: int, *, lock: bool = True
) -> Assignment:
    """``actor``'s assignment (locked unless told not to) while it is still leased;
    409 once it ended."""
    return check_leased(own_assignment(session, actor, assignment_id, lock=lock))


class _Owned(Protocol):
    worker_id: int


class _Stated(Protocol):
    state: str


OwnedT = TypeVar("OwnedT", bound=_Owned)
StatedT = TypeVar("StatedT", bound=_Stated)


def check_owner(row: OwnedT | None, actor: Actor, assignment_id: int) -> OwnedT:
    """An assignment (ORM object or Core row) if it is ``actor``'s; otherwise 404, so
    ids reveal nothing."""
    if row is None or row.worker_id != actor.id:
        raise NotFound(f"no assignment {assignment_id} of yours", field="assignment_id")
    return row


def check_leased(row: StatedT) -> StatedT:
    """The assignment while it is still leased; 409 once it ended."""
    if row.state != "leased":
        raise Conflict(f"the assignment is already {row.state}", field="assignment_id")
    return row
