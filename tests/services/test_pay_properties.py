"""Invariants 4 and 5 over random projects, workers and event sequences, on the real
services and database with a fake clock: tasks fast and slow, releases, expiries,
qualification passes and fails, rejections (with and without a listed reason),
appeals, and settlement run once or several times."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_UP, Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from fairloop.db.models import Assignment, LedgerEntry, Project, Review, Submission
from fairloop.domain.actors import Actor
from fairloop.domain.pay import KINDS, floor_owed, from_minor, to_minor
from fairloop.domain.rejections import REASONS
from fairloop.errors import Conflict, InvalidInput
from fairloop.services.pay import review
from fairloop.services.pay.earnings import my_earnings
from fairloop.services.pay.settle import floor_pay, settle, settled_time
from fairloop.services.work.assign import lease_next, release
from tests import factories as f
from tests.conftest import clean
from tests.factories.pay import T0, beat, exam_lease, fail_test, pass_exam

ADMIN = Actor(id=0, role="admin", email="operator@cli")

pay_strategy = st.tuples(
    st.sampled_from(["12.00", "13.50", "15.00"]),  # floor
    st.integers(5, 120),  # estimated seconds
    st.sampled_from([0, 0, 3, 20]),  # cents above the least per_task the floor allows
)
task = st.tuples(
    st.just("task"),
    st.integers(0, 2),  # worker
    st.integers(0, 1),  # project
    st.sampled_from([15, 30, 45, 120, 300, 900]),  # seconds of heartbeats
    st.sampled_from(["submit", "submit", "release", "expire"]),
)
event = st.one_of(
    task,
    task,
    task,
    st.tuples(
        st.just("exam"), st.integers(0, 2), st.integers(0, 1), st.integers(1, 60), st.booleans()
    ),
    st.tuples(
        st.just("review"),
        st.integers(0, 50),
        st.sampled_from(["approve", "reject", "reject_unlisted", "reject_no_evidence"]),
    ),
    st.tuples(st.just("appeal"), st.integers(0, 50), st.booleans()),
    st.tuples(st.just("settle"), st.sampled_from([0, 1, 4])),  # days later
)


def _project(db, requester, n, floor, seconds, extra):
    least = (Decimal(floor) * seconds / 3600).quantize(Decimal("0.01"), ROUND_UP)
    per_task = f"{least + Decimal(extra) / 100:.2f}"
    pay = {
        "currency": "USD",
        "per_task": per_task,
        "estimated_seconds": seconds,
        "hourly_floor": floor,
    }
    return f.project(db, requester, items=40, overlap=3, name=f"p{n}", pay=pay)


def _do_task(db, worker, pid, now, seconds, outcome):
    lease = lease_next(db, worker, pid, now=now)
    if lease is None:
        return now
    end = beat(db, worker, lease.id, now, seconds)
    if outcome == "submit":
        f.answer_label(db, worker, lease.id, seconds=0, now=end)
    elif outcome == "release":
        release(db, worker, lease.id, now=end)
    else:  # walk away: the lease runs out
        end = lease.lease_expires_at + timedelta(minutes=1)
    return end


def _review(db, requester, pick, decision, now):
    with db.engine.connect() as conn:
        ids = list(conn.scalars(select(Submission.id).where(Submission.review_state == "pending")))
    if not ids:
        return
    sid = ids[pick % len(ids)]
    body = {
        "approve": {"decision": "approve"},
        "reject": {
            "decision": "reject",
            "reason": "low_effort",
            "evidence": {"quotes": ["toxic"], "note": "a single word for a long text"},
        },
        "reject_unlisted": {"decision": "reject", "reason": "disagrees_with_majority"},
        "reject_no_evidence": {"decision": "reject", "reason": "failed_checks"},
    }[decision]
    try:
        review.review(db, requester, sid, body, now=now)
    except InvalidInput:
        assert decision in ("reject_unlisted", "reject_no_evidence")
    except Conflict as late:  # past its auto-approval deadline: approved, not rejectable
        assert decision != "approve" and late.code == "review_deadline_passed"


def _appeal(db, workers, pick, overturn, now):
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(Submission.id, Submission.worker_id).where(Submission.review_state == "rejected")
        ).all()
    if not rows:
        return
    sid, worker_id = rows[pick % len(rows)]
    worker = next(w for w in workers if w.id == worker_id)
    try:
        appeal = review.appeal(db, worker, sid, "The answer is right.", now=now)
    except Conflict:
        return  # appealed already
    note = "The quoted word is the whole answer."
    review.decide_appeal(
        db, ADMIN, appeal["id"], "overturn" if overturn else "uphold", note, now=now
    )


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    pays=st.lists(pay_strategy, min_size=2, max_size=2),
    events=st.lists(event, min_size=5, max_size=30),
)
def test_settlement_holds_the_floor_once_with_every_entry_caused(db, pays, events):
    clean(db)
    requester, _ = f.user(db, "requester")
    ids = [_project(db, requester, n, *p) for n, p in enumerate(pays)]
    workers = [f.user(db, "worker")[0] for _ in range(3)]
    for w in workers:
        for pid in ids:
            f.consent(db, w, pid)
    examined: set[tuple[int, int]] = set()
    now = T0
    for ev in events:
        kind = ev[0]
        if kind == "task":
            _, w, p, seconds, outcome = ev
            now = _do_task(db, workers[w], ids[p], now, seconds, outcome)
        elif kind == "exam" and (ev[1], ev[2]) not in examined:
            examined.add((ev[1], ev[2]))
            worker, minutes = workers[ev[1]], ev[3]
            assignment = exam_lease(db, worker, ids[ev[2]], now)
            now = beat(db, worker, assignment, now, minutes * 60 // 2)  # a short test
            if ev[4]:
                pass_exam(db, assignment, now)
            else:
                fail_test(db, worker, assignment, now)
        elif kind == "review":
            _review(db, requester, ev[1], ev[2], now)
        elif kind == "appeal":
            _appeal(db, workers, ev[1], ev[2], now)
        elif kind == "settle":
            now += timedelta(days=ev[1])
            _settle_and_check(db, workers, now)
        now += timedelta(minutes=1)
    _settle_and_check(db, workers, now + timedelta(days=30))


def _settle_and_check(db, workers, now):
    settle(db, now=now)
    with db.engine.connect() as conn:
        count = conn.scalar(select(func.count(LedgerEntry.id)))
        _floor_holds(conn, now)
    settle(db, now=now)
    with db.engine.connect() as conn:
        assert conn.scalar(select(func.count(LedgerEntry.id))) == count, "settling again paid"
        _every_entry_has_a_cause(conn)
        _no_rejection_without_a_listed_reason(conn)
    for w in workers:
        with db.engine.connect() as conn:
            total = conn.scalar(
                select(func.coalesce(func.sum(LedgerEntry.amount_minor), 0)).where(
                    LedgerEntry.user_id == w.id
                )
            )
        assert my_earnings(db, w, now=now)["balance"] == from_minor(total)


def _floor_holds(conn, now):
    floors = {
        pid: to_minor(spec["pay"]["hourly_floor"])
        for pid, spec in conn.execute(select(Project.id, Project.spec))
    }
    paid = floor_pay(conn, list(floors))
    for (worker, pid), seconds in settled_time(conn, None, now).items():
        got = paid.get((worker, pid), 0)
        assert got >= floor_owed(floors[pid], seconds), (worker, pid, seconds, got)
        if seconds:
            assert Decimal(got) * 3600 / seconds >= floors[pid], "effective hourly below floor"


def _every_entry_has_a_cause(conn):
    for e in conn.execute(select(LedgerEntry)):
        assert e.kind in KINDS and e.idempotency_key.startswith(f"{e.kind}:")
        parts = e.idempotency_key.split(":")
        if e.kind == "task_pay":
            sub = conn.execute(select(Submission).where(Submission.id == int(parts[2]))).one()
            assert (sub.worker_id, sub.project_id, sub.review_state) == (
                e.user_id,
                e.project_id,
                "approved",
            )
        elif e.kind == "qualification_pay":
            a = conn.execute(select(Assignment).where(Assignment.id == int(parts[2]))).one()
            assert (a.worker_id, a.project_id) == (e.user_id, e.project_id) and a.kind != "task"
        elif e.kind == "top_up":
            assert (int(parts[2]), int(parts[4])) == (e.project_id, e.user_id)
        else:
            raise AssertionError(f"unexpected entry {e.idempotency_key}")
        assert e.amount_minor > 0


def _no_rejection_without_a_listed_reason(conn):
    rejected = conn.execute(
        select(Submission.id, Review.reason, Review.evidence)
        .outerjoin(Review, (Review.submission_id == Submission.id) & (Review.decision == "reject"))
        .where(Submission.review_state == "rejected")
    ).all()
    for sid, reason, evidence in rejected:
        assert reason in REASONS, f"submission {sid} rejected without a listed reason"
        assert REASONS[reason].evidence is None or len(evidence) >= 20
