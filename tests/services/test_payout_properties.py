"""Payouts exactly once over random interleavings of settlement, payouts, new work and
adjustments, on the real services and both databases (issue 15, parts 4 and 8).

Hypothesis draws a sequence of steps: new work (approved by the requester, or left
pending for settlement to approve when its days are up), settlement, marking payouts,
an admin's adjustments (positive or negative, on the project or not; a refused one
changes nothing), and races, where two to four of those run at once on threads. After
every step no balance is under zero and no worker has been paid more than they earned;
at the end, after one more settlement, every worker's pay is at the floor for their
settled time, on the project and over all, and after one more marking every worker has
been paid exactly what they earned, and nothing is due.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, func, select

from fairloop.db.engine import Database
from fairloop.db.models import LedgerEntry, Project
from fairloop.domain.actors import Actor
from fairloop.domain.pay import floor_owed, from_minor, to_minor
from fairloop.errors import Conflict
from fairloop.services.pay import bonus, payouts, review
from fairloop.services.pay.payouts import mark_paid, payouts_due
from fairloop.services.pay.settle import floor_pay, settle, settled_time
from tests import factories as f
from tests.conftest import clean
from tests.factories.pay import T0, do_task

ADMIN = Actor(id=0, role="admin", email="operator@cli")
WORKERS = 3

work = st.tuples(
    st.just("work"),
    st.integers(0, WORKERS - 1),
    st.sampled_from([15, 30, 120, 300]),  # seconds of heartbeats: slow work is topped up
    st.booleans(),  # approved now by the requester, or left pending
)
mark = st.tuples(st.just("mark"))
settle_later = st.tuples(st.just("settle"), st.sampled_from([0, 1, 4]))  # days later
adjust = st.tuples(
    st.just("adjust"),
    st.integers(0, WORKERS - 1),
    st.sampled_from([-120, -50, -10, -1, 10, 50, 120]),  # cents
    st.booleans(),  # on the project, or on no project
)
step = st.one_of(work, settle_later, mark, adjust)
# A step of a race starts this many seconds after the others are released.
raced = st.tuples(st.one_of(step, mark), st.sampled_from([0.0, 0.0, 0.05, 0.15]))
steps_strategy = st.lists(
    st.one_of(step, step, st.tuples(st.just("race"), st.lists(raced, min_size=2, max_size=4))),
    min_size=3,
    max_size=12,
)


@dataclass
class Run:
    db: Database
    requester: Actor
    project_id: int
    workers: list[Actor]
    clock: timedelta = timedelta(0)
    lock: threading.Lock = field(default_factory=threading.Lock)
    seen: list[str] = field(default_factory=list)
    """Outcomes, for hypothesis's statistics (``event`` works on the test's thread only)."""

    def tick(self, by: timedelta) -> datetime:
        """A moment of its own for each step, so concurrent steps never share a lease time."""
        with self.lock:
            self.clock += by
            return T0 + self.clock


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps_strategy)
# The race of the issue: a marking reads, settlement approves pending work and commits,
# a second marking reads and pays, then the first pays what it read.
@example(
    steps=[
        ("work", 0, 30, True),
        ("work", 0, 30, False),
        ("race", [(("mark",), 0.0), (("settle", 4), 0.0), (("mark",), 0.15)]),
    ]
)
def test_payouts_racing_settlement_and_new_work_pay_each_cent_once(db, monkeypatch, steps):
    clean(db)
    slow = _SlowFirstRead(payouts._due)
    monkeypatch.setattr(payouts, "_due", slow)
    requester, _ = f.user(db, "requester", password=None)
    project_id = f.project(db, requester, items=60, overlap=WORKERS)
    workers = [f.consented_worker(db, project_id, password=None)[0] for _ in range(WORKERS)]
    run = Run(db, requester, project_id, workers)
    for s in steps:
        if s[0] == "race":
            slow.held.clear()
            _race(run, s[1])
        else:
            _do(run, s)
        _check_no_overpayment(db)
    for outcome in set(run.seen):
        event(outcome)
    end = run.tick(timedelta(days=30))
    settle(db, now=end)
    _check_floor(db, project_id, end)
    mark_paid(db, ADMIN)
    _check_no_overpayment(db, exact=True)
    assert payouts_due(db, ADMIN) == [] and mark_paid(db, ADMIN) == []


def _do(run: Run, s: tuple) -> None:
    if s[0] == "work":
        _, n, seconds, approve = s
        stored = do_task(
            run.db, run.workers[n], run.project_id, run.tick(timedelta(hours=1)), seconds
        )
        if stored is not None and approve:
            review.review(run.db, run.requester, stored["id"], {"decision": "approve"})
    elif s[0] == "settle":
        settle(run.db, now=run.tick(timedelta(days=s[1], minutes=1)))
    elif s[0] == "mark":
        mark_paid(run.db, ADMIN)
    elif s[0] == "adjust":
        _, n, cents, on_project = s
        body = {"amount": from_minor(cents), "currency": "USD", "note": "a correction"}
        if on_project:
            body["project_id"] = run.project_id
        key = f"a{run.tick(timedelta(seconds=1)).timestamp()}"
        try:
            bonus.adjust(
                run.db, ADMIN, run.workers[n].id, body, key=key, now=run.tick(timedelta(0))
            )
            run.seen.append("adjustment written" + (", negative" if cents < 0 else ""))
        except Conflict as refused:  # under the floor, or under a balance of 0
            assert cents < 0 and refused.code in ("under_floor", "negative_balance")
            run.seen.append(f"adjustment refused: {refused.code}")


class _SlowFirstRead:
    """``_due`` with the first read of each race held 200 ms: a marking reading a big
    ledger, so that settlement and the race's other steps commit between its read and
    its write (before the fix, this found the double payment within a few examples)."""

    def __init__(self, due: Callable[[Connection], list[payouts.Payout]]):
        self.due = due
        self.held = threading.Event()

    def __call__(self, conn: Connection) -> list[payouts.Payout]:
        found = self.due(conn)
        if threading.current_thread().name.startswith("race") and not self.held.is_set():
            self.held.set()
            time.sleep(0.2)
        return found


def _race(run: Run, raced: list[tuple[tuple, float]]) -> None:
    """The steps at once, on threads released together (each after its own delay);
    any error fails the test.

    A worker works one task at a time, so each work step of a race has its own worker."""
    busy: set[int] = set()
    steps = []
    for s, delay in raced:
        if s[0] == "work":
            free = [n for n in range(WORKERS) if n not in busy]
            n = s[1] if s[1] in free else (free or [-1])[0]
            busy.add(n)
            s = (s[0], n, *s[2:]) if n >= 0 else ("mark",)
        steps.append((s, delay))
    start = threading.Barrier(len(steps))
    errors: list[BaseException] = []

    def go(s: tuple, delay: float) -> None:
        try:
            start.wait(10)
            time.sleep(delay)
            _do(run, s)
        except BaseException as error:  # reported below, on the test's thread
            errors.append(error)

    threads = [
        threading.Thread(target=go, args=step, name=f"race-{i}") for i, step in enumerate(steps)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
        assert not t.is_alive(), "a step of the race never finished"
    if errors:
        raise errors[0]


def _check_floor(db: Database, project_id: int, now: datetime) -> None:
    """After settlement: each worker's pay toward the floor (adjustments included) at
    least what the floor owes for their settled time, and so is all they earned."""
    with db.engine.connect() as conn:
        paid = floor_pay(conn, [project_id])
        floor = to_minor(
            conn.scalar(select(Project.spec).where(Project.id == project_id))["pay"]["hourly_floor"]
        )
        for (worker, pid), seconds in settled_time(conn, [project_id], now).items():
            owed = floor_owed(floor, seconds)
            assert paid.get((worker, pid), 0) >= owed, f"worker {worker} under the floor"
            earned = conn.scalar(
                select(func.sum(LedgerEntry.amount_minor)).where(
                    LedgerEntry.user_id == worker, LedgerEntry.kind != "payout"
                )
            )
            assert earned >= owed, f"worker {worker} earned {earned} for {owed} owed"


def _check_no_overpayment(db: Database, *, exact: bool = False) -> None:
    """Per worker and currency: payouts at most what was earned (exactly, when
    ``exact``), so no balance is under zero."""
    earned_kinds = LedgerEntry.kind != "payout"
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(
                LedgerEntry.user_id,
                LedgerEntry.currency,
                func.coalesce(func.sum(LedgerEntry.amount_minor).filter(earned_kinds), 0),
                func.coalesce(-func.sum(LedgerEntry.amount_minor).filter(~earned_kinds), 0),
            ).group_by(LedgerEntry.user_id, LedgerEntry.currency)
        ).all()
    for user_id, currency, earned, paid in rows:
        assert paid <= earned, f"worker {user_id} paid {paid} of {earned} {currency} earned"
        if exact:
            assert paid == earned, f"worker {user_id}: {earned - paid} {currency} never paid"
