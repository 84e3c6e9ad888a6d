"""Builders for pay tests: work with a fake clock and heartbeats, test-time leases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from fairloop.db.engine import Database
from fairloop.db.models import Assignment, Item, LedgerEntry
from fairloop.domain.actors import Actor
from fairloop.services.work.assign import lease_next, release
from fairloop.services.work.submit import submit
from fairloop.services.work.worktime import heartbeat

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def beat(
    db: Database, worker: Actor, assignment_id: int, start: datetime, seconds: int
) -> datetime:
    """Heartbeats every 15 s for ``seconds`` of activity; returns the time of the last."""
    now = start
    for _ in range(seconds // 15):
        now += timedelta(seconds=15)
        heartbeat(db, worker, assignment_id, now=now)
    return now


def do_task(
    db: Database, worker: Actor, project_id: int, start: datetime, seconds: int, *, key: str = ""
) -> dict[str, Any] | None:
    """Lease at ``start``, work ``seconds`` with heartbeats, submit; None if no work."""
    lease = lease_next(db, worker, project_id, now=start)
    if lease is None:
        return None
    end = beat(db, worker, lease.id, start, seconds)
    stored, _ = submit(
        db,
        worker,
        lease.id,
        {"label": "toxic"},
        active_seconds=0,
        idempotency_key=key or f"k{lease.id}",
        now=end,
    )
    return stored


def exam_lease(
    db: Database, worker: Actor, project_id: int, start: datetime, *, kind: str = "qualification"
) -> int:
    """A qualification (or training, screening) assignment, as the qualification flow
    makes them: on one of the project's items, leased at ``start``."""
    with db.engine.begin() as conn:
        had = select(Assignment.item_id).where(Assignment.worker_id == worker.id)
        item_id = conn.scalar(
            select(Item.id)
            .where(Item.project_id == project_id, Item.id.not_in(had))
            .order_by(Item.id.desc())
            .limit(1)
        )
        return int(
            conn.execute(
                insert(Assignment).returning(Assignment.id),
                {
                    "project_id": project_id,
                    "item_id": item_id,
                    "worker_id": worker.id,
                    "state": "leased",
                    "leased_at": start,
                    "lease_expires_at": start + timedelta(minutes=30),
                    "active_seconds": 0,
                    "kind": kind,
                },
            ).scalar_one()
        )


def fail_test(db: Database, worker: Actor, assignment_id: int, at: datetime) -> dict[str, Any]:
    """The worker fails the test: the assignment ends (released), its time stays paid."""
    return release(db, worker, assignment_id, now=at)


def entries(db: Database, **where: Any) -> list[Any]:
    query = select(LedgerEntry).order_by(LedgerEntry.id)
    for name, value in where.items():
        query = query.where(getattr(LedgerEntry, name) == value)
    with db.engine.connect() as conn:
        return list(conn.execute(query))


def floor_paid(db: Database, worker_id: int) -> int:
    """What the worker was paid toward the floor (task pay, test pay, top-ups)."""
    from fairloop.domain.pay import FLOOR_KINDS

    return sum(e.amount_minor for e in entries(db, user_id=worker_id) if e.kind in FLOOR_KINDS)


def pass_exam(db: Database, assignment_id: int, at: datetime) -> None:
    """The worker passes: the assignment ends as submitted, credited its heartbeats
    (what the qualification flow does when it grades a test)."""
    from sqlalchemy import update

    with db.engine.begin() as conn:
        conn.execute(
            update(Assignment)
            .where(Assignment.id == assignment_id)
            .values(
                state="submitted",
                ended_at=at,
                active_seconds=(Assignment.heartbeat_ms + 999) / 1000,
            )
        )
