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
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import (
    Connection,
    String,
    and_,
    case,
    cast,
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
from fairloop.db.models import Assignment, LedgerEntry, Project, Submission, User
from fairloop.domain.floors import FLOOR_SUM_KINDS, worker_floor
from fairloop.domain.pay import (
    AUTO_APPROVE_DAYS,
    floor_owed,
    from_minor,
    to_minor,
    top_up,
)
from fairloop.domain.worktime import unmeasured_seconds
from fairloop.services import inbox
from fairloop.services.pay import ledger, review
from fairloop.services.pay.suspension import suspend_long_pauses
from fairloop.settings import get_settings

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
    # A pause that outlasted its limit is a suspension first (in its own transaction).
    suspend_long_pauses(db, now=now, project_id=project_id)
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
        review.decide_overdue_appeals(conn, now, project_id=project_id)
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


UNMEASURED = -1
"""What the settled-seconds expression gives a lease that ran out with no heartbeat:
the project's typical time stands in (:func:`_unmeasured`)."""


def _seconds_expr(now: datetime) -> Any:
    """An assignment's settled seconds: its credited time once ended; what was measured
    (rounded up, past the lease too) when its lease ran out unanswered."""
    measured = case(
        (Assignment.heartbeat_at.is_(None), UNMEASURED),
        else_=(Assignment.heartbeat_ms + 999) / 1000,
    )
    return case((Assignment.state == "leased", measured), else_=Assignment.active_seconds)


def _unmeasured(conn: Connection | Session, project: _Project) -> int:
    """The project's median submitted time or its estimate, whichever is lower, up to
    the lease: what an API worker whose lease ran out is credited."""
    count = conn.scalar(select(func.count()).where(Submission.project_id == project.id)) or 0
    median = conn.scalar(
        select(Submission.active_seconds)
        .where(Submission.project_id == project.id)
        .order_by(Submission.active_seconds)
        .offset(count // 2)
        .limit(1)
    )
    return unmeasured_seconds(
        median_seconds=median,
        estimated_seconds=int(project.spec["pay"]["estimated_seconds"]),
        lease_seconds=project.lease_minutes * 60,
    )


def _ended_outside_review(now: datetime) -> Any:
    """Assignments whose time counts without a review: released, run out, and test
    time (qualification, training, screening) once ended, passed or failed."""
    return or_(
        Assignment.state == "released",
        and_(Assignment.state == "leased", Assignment.lease_expires_at <= now),
        and_(Assignment.state == "submitted", Assignment.kind != "task"),
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


class _Typical:
    """Settled seconds of an ended row, looking a project's typical time up once."""

    def __init__(self, conn: Connection | Session) -> None:
        self.conn = conn
        self.by_project: dict[int, int] = {}

    def seconds(self, row: Any) -> int:
        if row.seconds != UNMEASURED:
            return int(row.seconds or 0)
        if row.project_id not in self.by_project:
            project = self.conn.execute(
                select(Project.id, Project.spec, Project.lease_minutes).where(
                    Project.id == row.project_id
                )
            ).one()
            self.by_project[row.project_id] = _unmeasured(self.conn, project)
        return self.by_project[row.project_id]


def _pay_test_time(conn: Connection, projects: list[_Project], now: datetime) -> int:
    """Qualification, training and screening time at the floor, passed or failed."""
    by_id = {p.id: p for p in projects}
    rows = conn.execute(_ended_query(now, list(by_id)).where(Assignment.kind != "task"))
    written = 0
    typical = _Typical(conn)
    for row in rows:
        pay = by_id[row.project_id].spec["pay"]
        seconds = typical.seconds(row)
        amount = floor_owed(to_minor(pay["hourly_floor"]), seconds)
        if amount > 0 and ledger.write(
            conn,
            user_id=row.worker_id,
            project_id=row.project_id,
            kind="qualification_pay",
            amount_minor=amount,
            currency=pay["currency"],
            key=f"qualification_pay:assignment:{row.id}",
            memo=f"{row.kind}: {seconds} s at the floor",
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
    typical = _Typical(conn)
    for row in conn.execute(_ended_query(now, project_ids, worker_id)):
        totals[(row.worker_id, row.project_id)] += typical.seconds(row)
    return dict(totals)


def floor_pay(
    conn: Connection | Session, project_ids: list[int], *, worker_id: int | None = None
) -> dict[tuple[int, int], int]:
    """{(worker, project): pay that counts toward the floor} (of one worker, or of
    everyone): task and test pay, top-ups, and adjustments made on the project."""
    query = (
        select(LedgerEntry.user_id, LedgerEntry.project_id, func.sum(LedgerEntry.amount_minor))
        .where(LedgerEntry.kind.in_(FLOOR_SUM_KINDS), LedgerEntry.project_id.in_(project_ids))
        .group_by(LedgerEntry.user_id, LedgerEntry.project_id)
    )
    if worker_id is not None:
        query = query.where(LedgerEntry.user_id == worker_id)
    return {(w, int(p)): int(s or 0) for w, p, s in conn.execute(query) if p is not None}


def worker_floors(
    conn: Connection | Session,
    pays: Mapping[int, Mapping[str, Any]],
    pairs: Iterable[tuple[int, int]],
) -> dict[tuple[int, int], Decimal]:
    """{(worker, project): the hourly floor the worker is paid at there}: the
    project's, or their country's in its currency (``FAIRLOOP_FLOORS_BY_COUNTRY``)
    when higher. ``pays`` is each project's ``spec["pay"]``."""
    by_country = get_settings().country_floors()
    countries: dict[int, str | None] = {}
    if by_country:
        listed = sorted({country for country, _ in by_country})
        rows = conn.execute(select(User.id, User.country).where(User.country.in_(listed)))
        countries = {int(u): c for u, c in rows}
    return {(w, p): worker_floor(pays[p], countries.get(w), by_country) for w, p in pairs}


def _top_ups(conn: Connection, projects: list[_Project], now: datetime) -> tuple[int, int]:
    """Write the gap between floor pay for the settled time and the pay so far, at
    each worker's floor (:func:`worker_floors`).

    The key names the state it settles (seconds and pay so far, and the floor when
    it is not the project's): the same state settles once; new time, pay or floor is
    a new cause. Adjustments count in the pay so far, so a negative one is made good.
    """
    by_id = {p.id: p for p in projects}
    ids = list(by_id)
    time = settled_time(conn, ids, now)
    paid = floor_pay(conn, ids)
    floors = worker_floors(conn, {p.id: p.spec["pay"] for p in projects}, time)
    entries = []
    for (worker, project_id), seconds in time.items():
        pay = by_id[project_id].spec["pay"]
        so_far = paid.get((worker, project_id), 0)
        floor = floors[(worker, project_id)]
        gap = top_up(floor_minor_per_hour=to_minor(floor), seconds=seconds, paid_minor=so_far)
        if gap > 0:
            own = floor == Decimal(pay["hourly_floor"])
            entries.append(
                {
                    "user_id": worker,
                    "project_id": project_id,
                    "kind": "top_up",
                    "amount_minor": gap,
                    "currency": pay["currency"],
                    "idempotency_key": (
                        f"top_up:project:{project_id}:worker:{worker}:seconds:{seconds}:paid:{so_far}"
                        + ("" if own else f":floor:{floor:.2f}")
                    ),
                    "memo": f"to the floor of {floor:.2f} an hour for {seconds} s",
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
    inbox.post_notices(
        conn,
        [
            _top_up_notice(by_id[r.project_id], r, floors[(r.user_id, r.project_id)])
            for r in written
        ],
    )
    return len(written), sum(r.amount_minor for r in written)


def _top_up_notice(project: _Project, entry: _Written, floor: Decimal) -> inbox.NoticeIn:
    """The worker hears of each top-up: why it was paid, and how much."""
    pay = project.spec["pay"]
    whose = (
        "the project's floor"
        if floor == Decimal(pay["hourly_floor"])
        else "the floor for workers in your country"
    )
    return {
        "user_id": entry.user_id,
        "project_id": project.id,
        "kind": "top_up",
        "text": (
            f"{project.name}: your pay was below {whose} of {floor:.2f} "
            f"{pay['currency']} an hour for the time you worked, so a top-up of "
            f"{from_minor(entry.amount_minor)} {pay['currency']} was added to your earnings."
        ),
    }
