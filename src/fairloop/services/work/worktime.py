"""Active time: the server adds up the heartbeats a task page sends while the worker
is there, bounded by the wall time, and shares the wall time between a worker's
parallel leases (see :mod:`fairloop.domain.worktime`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.orm import Session

from fairloop.db.base import utcnow
from fairloop.db.engine import Database
from fairloop.db.models import Assignment, Item, Project, User
from fairloop.domain import worktime as rule
from fairloop.domain.actors import Actor
from fairloop.errors import Conflict, InvalidInput
from fairloop.services.access import leased_assignment
from fairloop.services.wellbeing import exposure

_THROUGH = select(User.worktime_through).where(User.id == bindparam("worker_id"))
_THROUGH_LOCKED = _THROUGH.with_for_update()
_ADVANCE = (
    update(User)
    .where(User.id == bindparam("worker_id"))
    .values(worktime_through=bindparam("through"))
)
# The page's own count may not claim more than a day of one lease.
MAX_PAGE_MS = 86_400_000


class Timed(Protocol):
    """An assignment row (ORM object or Core row) with what its time needs."""

    worker_id: int
    leased_at: datetime
    lease_expires_at: datetime
    heartbeat_at: datetime | None
    heartbeat_ms: int
    page_ms: int | None


def clock_of(row: Timed) -> rule.Clock:
    return rule.Clock(
        row.leased_at, row.lease_expires_at, row.heartbeat_at, row.heartbeat_ms, row.page_ms
    )


def _through(session: Connection | Session, worker_id: int) -> datetime | None:
    # Locked on PostgreSQL: two heartbeats of parallel leases must not both credit
    # the same moment (SQLite's single writer serialises them already).
    bind = session.get_bind() if isinstance(session, Session) else session
    postgres = bind.dialect.name == "postgresql"
    query = _THROUGH_LOCKED if postgres else _THROUGH
    return session.execute(query, {"worker_id": worker_id}).scalar()


def _advance(
    session: Connection | Session, worker_id: int, through: datetime | None, now: datetime
) -> None:
    if through is None or now > through:
        session.execute(_ADVANCE, {"worker_id": worker_id, "through": now})


def ended_seconds(session: Connection | Session, row: Timed, *, claimed: int, now: datetime) -> int:
    """The whole seconds an ending assignment is credited (its heartbeats plus the
    last stretch), advancing the worker's credited-through clock."""
    return ended_seconds_after(
        session, row, through=_through(session, row.worker_id), claimed=claimed, now=now
    )


def ended_seconds_after(
    session: Connection | Session,
    row: Timed,
    *,
    through: datetime | None,
    claimed: int,
    now: datetime,
) -> int:
    """:func:`ended_seconds` for a caller that read (and locked) the worker's
    credited-through clock with the assignment, saving the submit a round trip."""
    clock = clock_of(row)
    last = rule.final_ms(clock, through=through, now=now, claimed_seconds=claimed)
    _advance(session, row.worker_id, through, now)
    return rule.to_seconds(clock.heartbeat_ms + last)


def page_count(value: object) -> int | None:
    """The page's cumulative count of time present, in milliseconds, or None."""
    if value is None:
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 12:
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_PAGE_MS:
        raise InvalidInput(
            f"present_ms must be a whole number of milliseconds from 0 to {MAX_PAGE_MS:,}",
            field="present_ms",
        )
    return value


def heartbeat(
    db: Database,
    actor: Actor,
    assignment_id: int,
    *,
    present_ms: object = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Credit the time since the previous heartbeat (or the lease start)."""
    page_ms = page_count(present_ms)
    now = now or utcnow()
    with db.transaction() as session:
        a = leased_assignment(session, actor, assignment_id)
        through = _through(session, a.worker_id)
        a.heartbeat_ms += rule.heartbeat_ms(clock_of(a), through=through, now=now, page_ms=page_ms)
        if page_ms is not None:
            a.page_ms = max(page_ms, a.page_ms or 0)
        a.heartbeat_at = max(now, a.heartbeat_at or a.leased_at)
        _advance(session, a.worker_id, through, now)
        ended = _end_at_a_limit(session, a, now)
        return {
            "id": a.id,
            "kind": a.kind,
            "active_seconds": rule.to_seconds(a.heartbeat_ms),
            "lease_expires_at": a.lease_expires_at.isoformat(),
            "next_in_seconds": rule.HEARTBEAT_SECONDS,
            "ended": ended,
        }


def _end_at_a_limit(session: Session, a: Assignment, now: datetime) -> dict[str, Any] | None:
    """End a hazard task's lease where the worker reached the exposure budget or the
    break rule: the time is paid and the item goes back to the pool."""
    item = session.get(Item, a.item_id)
    if item is None or not item.hazards:
        return None
    project = session.get(Project, a.project_id)
    assert project is not None
    session.flush()  # the history query must see this heartbeat's credit
    refusal = exposure.limit_during_task(session, a.worker_id, a.id, project.spec, now)
    if refusal is None:
        return None
    a.state = "released"
    a.ended_at = now
    a.active_seconds = rule.to_seconds(a.heartbeat_ms)
    error = exposure.refusal_error(refusal)
    return {"code": error.code, "message": error.message, "resume_at": error.resume_at}


def extend(
    db: Database, actor: Actor, assignment_id: int, *, now: datetime | None = None
) -> dict[str, Any]:
    """More time on a lease, whenever the worker asks: a full lease from now."""
    now = now or utcnow()
    with db.transaction() as session:
        a = leased_assignment(session, actor, assignment_id)
        if a.lease_expires_at <= now:
            # The item may be another worker's by now; late work is still accepted.
            raise Conflict(
                f"the lease ran out at {a.lease_expires_at:%H:%M} UTC; you may still submit",
                field="assignment_id",
            )
        project = session.get(Project, a.project_id)
        assert project is not None
        a.lease_expires_at = max(a.lease_expires_at, now + timedelta(minutes=project.lease_minutes))
        return {"id": a.id, "lease_expires_at": a.lease_expires_at.isoformat()}
