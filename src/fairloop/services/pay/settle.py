"""Settlement: approve what is due, pay test time at the floor, top up to the floor.

Set-based, so a million submissions settle in seconds: approvals are one
``INSERT .. SELECT`` and one ``UPDATE`` per project; time and pay are two grouped
queries; top-ups one batch insert. Every entry's key is derived from its cause, so
any number of runs (or server processes) pay each cause once.

Time that counts toward the floor ("settled time"): released assignments, leases
that ran out, and submissions once approved, of every kind (task, qualification,
training, screening). Pending work waits for its review; rejected work stays out
unless an appeal overturns the rejection.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import (
    Connection,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from fairloop.db.base import utcnow
from fairloop.db.engine import Database
from fairloop.db.models import Assignment, LedgerEntry, Project, Submission
from fairloop.domain.pay import (
    AUTO_APPROVE_DAYS,
    FLOOR_KINDS,
    floor_owed,
    from_minor,
    to_minor,
    top_up,
)
from fairloop.services import inbox
from fairloop.services.pay import ledger

# One settlement at a time on PostgreSQL (SQLite's single writer does this already).
SETTLE_LOCK = 7_270_005
SQLITE_CACHE_KIB = 256 * 1024


@dataclass
class Settlement:
    approved: int = 0
    qualification_entries: int = 0
    top_ups: int = 0
    top_up_minor: int = 0
    projects: int = 0

    def as_json(self) -> dict[str, int]:
        return dict(self.__dict__)


def settle(
    db: Database,
    *,
    project_id: int | None = None,
    now: datetime | None = None,
    on_step: Callable[[str, int, int], None] | None = None,
) -> Settlement:
    """Settle every project (or one); ``on_step(step, done, total)`` reports progress."""
    now = now or utcnow()
    result = Settlement()
    step = on_step or (lambda _s, _d, _t: None)
    with db.core_transaction() as conn, _big_cache(conn, sqlite=db.is_sqlite):
        if db.is_postgres:
            conn.execute(select(func.pg_advisory_xact_lock(SETTLE_LOCK)))
        projects = _projects(conn, project_id)
        result.projects = len(projects)
        for i, project in enumerate(projects, start=1):
            result.approved += _auto_approve(conn, project, now)
            step("approving", i, len(projects))
        result.qualification_entries = _pay_test_time(conn, projects, now)
        step("test time", 1, 1)
        result.top_ups, result.top_up_minor = _top_ups(conn, projects, now)
        step("top-ups", 1, 1)
    return result


@contextmanager
def _big_cache(conn: Connection, *, sqlite: bool) -> Iterator[None]:
    """On SQLite, a page cache that holds the ledger's indexes while a million entries
    go in (the default 2 MB makes every index insert a trip to the disk cache)."""
    if not sqlite:
        yield
        return
    # Only the cache: temp_store cannot change inside a transaction once the
    # connection has used temporary storage, so it is left as it is.
    default = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(default or -2000)}")


class _Project(Protocol):
    """A row of :func:`_projects`."""

    id: int
    name: str
    spec: dict[str, Any]
    lease_minutes: int


class _Written(Protocol):
    """A top-up entry as its INSERT returns it."""

    user_id: int
    project_id: int
    amount_minor: int


def _projects(conn: Connection, project_id: int | None) -> list[_Project]:
    query = select(Project.id, Project.name, Project.spec, Project.lease_minutes)
    if project_id is not None:
        query = query.where(Project.id == project_id)
    return list(conn.execute(query.order_by(Project.id)))


def _auto_approve(conn: Connection, project: _Project, now: datetime) -> int:
    """Approve and pay this project's work pending longer than ``auto_approve_days``."""
    days = int(project.spec.get("auto_approve_days", AUTO_APPROVE_DAYS))
    due = and_(
        # A literal, not a bound value: SQLite uses the partial index only when it can
        # see that the query implies the index's condition.
        Submission.review_state == literal_column("'pending'"),
        Submission.project_id == project.id,
        Submission.submitted_at <= now - timedelta(days=days),
    )
    pay = project.spec["pay"]
    # Pending work has no task pay yet (pay is written with the approval, in one
    # transaction), so these keys are new.
    rows = select(
        Submission.worker_id,
        literal(project.id),
        literal("task_pay"),
        literal(to_minor(pay["per_task"])),
        literal(pay["currency"]),
        literal("task_pay:submission:") + cast(Submission.id, String),
        literal(f"auto-approved after {days} days"),
        literal(now),
    ).where(due)
    columns = [
        "user_id",
        "project_id",
        "kind",
        "amount_minor",
        "currency",
        "idempotency_key",
        "memo",
        "created_at",
    ]
    conn.execute(insert(LedgerEntry).from_select(columns, rows))
    done = conn.execute(
        update(Submission).where(due).values(review_state="approved", reviewed_at=now)
    )
    return int(done.rowcount)


def _seconds_expr(now: datetime) -> Any:
    """An assignment's settled seconds: its credited time once ended, its heartbeats
    (up to the lease) when its lease ran out unanswered."""
    lease = Project.lease_minutes * 60
    expired = case(
        (Assignment.heartbeat_seconds < lease, Assignment.heartbeat_seconds), else_=lease
    )
    return case((Assignment.state == "leased", expired), else_=Assignment.active_seconds)


def _ended_outside_review(now: datetime) -> Any:
    """Assignments whose time counts without a review: released, run out, and test
    time (qualification, training, screening) once ended, passed or failed."""
    answered = exists().where(Submission.assignment_id == Assignment.id)
    return or_(
        Assignment.state == "released",
        and_(Assignment.state == "leased", Assignment.lease_expires_at <= now),
        and_(Assignment.state == "submitted", Assignment.kind != "task", ~answered),
    )


def _scoped(query: Any, model: Any, project_ids: list[int] | None, worker_id: int | None) -> Any:
    if project_ids is not None:
        query = query.where(model.project_id.in_(project_ids))
    if worker_id is not None:
        query = query.where(model.worker_id == worker_id)
    return query


def _ended_query(now: datetime, project_ids: list[int] | None, worker_id: int | None = None) -> Any:
    query = (
        select(
            Assignment.id,
            Assignment.worker_id,
            Assignment.project_id,
            Assignment.kind,
            _seconds_expr(now).label("seconds"),
        )
        .join(Project, Project.id == Assignment.project_id)
        .where(_ended_outside_review(now))
    )
    return _scoped(query, Assignment, project_ids, worker_id)


def _pay_test_time(conn: Connection, projects: list[_Project], now: datetime) -> int:
    """Qualification, training and screening time at the floor, passed or failed."""
    by_id = {p.id: p for p in projects}
    rows = conn.execute(_ended_query(now, list(by_id)).where(Assignment.kind != "task"))
    written = 0
    for row in rows:
        pay = by_id[row.project_id].spec["pay"]
        amount = floor_owed(to_minor(pay["hourly_floor"]), int(row.seconds))
        if amount > 0 and ledger.write(
            conn,
            user_id=row.worker_id,
            project_id=row.project_id,
            kind="qualification_pay",
            amount_minor=amount,
            currency=pay["currency"],
            key=f"qualification_pay:assignment:{row.id}",
            memo=f"{row.kind}: {int(row.seconds)} s at the floor",
        ):
            written += 1
    return written


def settled_time(
    conn: Connection | Session,
    project_ids: list[int] | None,
    now: datetime,
    *,
    worker_id: int | None = None,
) -> dict[tuple[int, int], int]:
    """{(worker, project): settled seconds} (of one worker, or of everyone).

    Approved work is summed from the submissions (which carry their credited time), so
    the million-row case needs no join; the rest from the assignments that ended
    outside review, which are few.
    """
    approved = _scoped(
        select(Submission.worker_id, Submission.project_id, func.sum(Submission.active_seconds))
        .where(Submission.review_state == "approved")
        .group_by(Submission.worker_id, Submission.project_id),
        Submission,
        project_ids,
        worker_id,
    )
    totals: dict[tuple[int, int], int] = defaultdict(int)
    for w, p, seconds in conn.execute(approved):
        totals[(w, p)] += int(seconds or 0)
    for row in conn.execute(_ended_query(now, project_ids, worker_id)):
        totals[(row.worker_id, row.project_id)] += int(row.seconds or 0)
    return dict(totals)


def floor_pay(conn: Connection, project_ids: list[int]) -> dict[tuple[int, int], int]:
    """{(worker, project): pay that counts toward the floor}."""
    rows = conn.execute(
        select(LedgerEntry.user_id, LedgerEntry.project_id, func.sum(LedgerEntry.amount_minor))
        .where(LedgerEntry.kind.in_(FLOOR_KINDS), LedgerEntry.project_id.in_(project_ids))
        .group_by(LedgerEntry.user_id, LedgerEntry.project_id)
    )
    return {(w, int(p)): int(s or 0) for w, p, s in rows if p is not None}


def _top_ups(conn: Connection, projects: list[_Project], now: datetime) -> tuple[int, int]:
    """Write the gap between floor pay for the settled time and the pay so far.

    The key names the state it settles (seconds and pay so far): the same state
    settles once; new time or pay is a new cause.
    """
    by_id = {p.id: p for p in projects}
    ids = list(by_id)
    time = settled_time(conn, ids, now)
    paid = floor_pay(conn, ids)
    floors = {p.id: to_minor(p.spec["pay"]["hourly_floor"]) for p in projects}
    entries = []
    for (worker, project_id), seconds in time.items():
        pay = by_id[project_id].spec["pay"]
        so_far = paid.get((worker, project_id), 0)
        gap = top_up(floor_minor_per_hour=floors[project_id], seconds=seconds, paid_minor=so_far)
        if gap > 0:
            entries.append(
                {
                    "user_id": worker,
                    "project_id": project_id,
                    "kind": "top_up",
                    "amount_minor": gap,
                    "currency": pay["currency"],
                    "idempotency_key": (
                        f"top_up:project:{project_id}:worker:{worker}:seconds:{seconds}:paid:{so_far}"
                    ),
                    "memo": f"to the floor of {pay['hourly_floor']} an hour for {seconds} s",
                    "created_at": now,
                }
            )
    if not entries:
        return 0, 0
    # RETURNING gives the rows really written: a state settled before writes nothing,
    # and its worker is not told twice.
    written = conn.execute(
        ledger.insert_ignoring_duplicates(conn).returning(
            LedgerEntry.user_id, LedgerEntry.project_id, LedgerEntry.amount_minor
        ),
        entries,
    ).all()
    inbox.post_notices(conn, [_top_up_notice(by_id[r.project_id], r) for r in written])
    return len(written), sum(r.amount_minor for r in written)


def _top_up_notice(project: _Project, entry: _Written) -> inbox.NoticeIn:
    """The worker hears of each top-up: why it was paid, and how much."""
    pay = project.spec["pay"]
    return {
        "user_id": entry.user_id,
        "project_id": project.id,
        "kind": "top_up",
        "text": (
            f"{project.name}: your pay was below the project's floor of {pay['hourly_floor']} "
            f"{pay['currency']} an hour for the time you worked, so a top-up of "
            f"{from_minor(entry.amount_minor)} {pay['currency']} was added to your earnings."
        ),
    }
