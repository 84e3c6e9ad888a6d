"""Pay with a fake clock: heartbeat time, auto-approval, test time, top-ups, payouts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fairloop.domain.actors import Actor
from fairloop.errors import Conflict, InvalidInput, NotFound
from fairloop.services.inbox import inbox
from fairloop.services.pay import review
from fairloop.services.pay.payouts import mark_paid, payouts_due
from fairloop.services.pay.settle import settle
from fairloop.services.work import worktime
from fairloop.services.work.assign import lease_next, release
from tests import factories as f
from tests.factories.pay import T0, beat, do_task, entries, exam_lease, fail_test

ADMIN = Actor(id=0, role="admin", email="operator@cli")
LOW_EFFORT = {"quotes": ["toxic"], "note": "one word where a paragraph of reasons was asked"}


@pytest.fixture
def setup(db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=5, overlap=1)
    worker, _ = f.consented_worker(db, project_id)
    return requester, project_id, worker


def test_heartbeats_measure_time_and_a_client_total_is_not_trusted(db, setup):
    _, project_id, worker = setup
    lease = lease_next(db, worker, project_id, now=T0)
    end = beat(db, worker, lease.id, T0, 60)
    # A long silence adds at most one capped gap: the worker was away.
    worktime.heartbeat(db, worker, lease.id, now=end + timedelta(minutes=10))
    gone = release(db, worker, lease.id, active_seconds=10_000, now=end + timedelta(minutes=10))
    assert gone["active_seconds"] == 60 + 30


def test_pending_work_is_approved_and_paid_after_auto_approve_days(db, setup):
    _, project_id, worker = setup
    stored = do_task(db, worker, project_id, T0, 30)
    assert settle(db, now=T0 + timedelta(days=2, hours=23)).approved == 0
    assert entries(db, kind="task_pay") == []
    result = settle(db, now=T0 + timedelta(days=3, minutes=1))
    assert result.approved == 1
    [paid] = entries(db, kind="task_pay")
    assert (paid.amount_minor, paid.currency, paid.user_id) == (20, "USD", worker.id)
    assert paid.idempotency_key == f"task_pay:submission:{stored['id']}"


def test_a_qualification_failed_after_ten_minutes_is_paid_ten_minutes_at_the_floor(db, setup):
    _, project_id, worker = setup
    assignment = exam_lease(db, worker, project_id, T0)
    end = beat(db, worker, assignment, T0, 600)
    assert fail_test(db, worker, assignment, end)["active_seconds"] == 600
    settle(db, now=end + timedelta(minutes=1))
    [paid] = entries(db, user_id=worker.id)
    # 10 minutes at USD 12.00 an hour.
    assert (paid.kind, paid.amount_minor, paid.currency) == ("qualification_pay", 200, "USD")


def test_slow_tasks_are_topped_up_to_the_floor_once(db, setup):
    requester, project_id, worker = setup
    for n in range(3):
        stored = do_task(db, worker, project_id, T0 + timedelta(hours=n), 120)
        review.review(db, requester, stored["id"], {"decision": "approve"})
    first = settle(db, now=T0 + timedelta(hours=4))
    # 3 x 120 s at 12.00/h = 1.20; paid 3 x 0.20 = 0.60; the gap is 0.60.
    assert (first.top_ups, first.top_up_minor) == (1, 60)
    again = settle(db, now=T0 + timedelta(hours=5))
    assert (again.top_ups, again.approved, again.qualification_entries) == (0, 0, 0)
    assert sum(e.amount_minor for e in entries(db, user_id=worker.id)) == 120
    # The worker is told once, with the amount and why.
    [notice] = [n for n in inbox(db, worker) if n["kind"] == "top_up"]
    assert "0.60 USD" in notice["text"] and "12.00" in notice["text"]
    assert notice["project_id"] == project_id


def test_released_and_expired_time_counts_as_worked(db, setup):
    _, project_id, worker = setup
    lease = lease_next(db, worker, project_id, now=T0)
    end = beat(db, worker, lease.id, T0, 300)
    release(db, worker, lease.id, now=end)
    lease = lease_next(db, worker, project_id, now=end)
    beat(db, worker, lease.id, end, 300)  # then the lease runs out
    settle(db, now=end + timedelta(hours=1))
    [top] = entries(db, kind="top_up")
    assert top.amount_minor == 200  # 600 s at 12.00/h


def test_rejection_appeal_and_overturn_pays(db, setup):
    requester, project_id, worker = setup
    stored = do_task(db, worker, project_id, T0, 30)
    reason = {"decision": "reject", "reason": "low_effort", "evidence": LOW_EFFORT}
    later = T0 + timedelta(hours=1)
    assert (
        review.review(db, requester, stored["id"], reason, now=later)["review_state"] == "rejected"
    )
    appeal = review.appeal(
        db, worker, stored["id"], "I read it all; the label is right.", now=later
    )
    with pytest.raises(Conflict):
        review.appeal(db, worker, stored["id"], "again", now=later)
    review.decide_appeal(db, ADMIN, appeal["id"], "overturn", "the label is right", now=later)
    [paid] = entries(db, kind="task_pay")
    assert paid.amount_minor == 20


def test_payouts_cover_the_balance_and_mark_paid_once(db, setup):
    requester, project_id, worker = setup
    stored = do_task(db, worker, project_id, T0, 30)
    review.review(db, requester, stored["id"], {"decision": "approve"})
    [due] = payouts_due(db, ADMIN)
    assert (due.user_id, due.amount_minor, due.entries) == (worker.id, 20, 1)
    assert len(mark_paid(db, ADMIN)) == 1
    assert mark_paid(db, ADMIN) == [] and payouts_due(db, ADMIN) == []
    assert sum(e.amount_minor for e in entries(db, user_id=worker.id)) == 0


@pytest.mark.parametrize(
    "body, field",
    [
        ({"decision": "reject"}, "reason"),
        ({"decision": "reject", "reason": "disagrees_with_majority"}, "reason"),
        # The server finds a failed check itself: typed evidence is refused, and a
        # project with no gold has none to find.
        ({"decision": "reject", "reason": "failed_checks", "evidence": "bad"}, "evidence"),
        ({"decision": "reject", "reason": "failed_checks"}, "reason"),
        ({"decision": "reject", "reason": "too_fast"}, "reason"),
        # Any 20 characters are no longer evidence: a quote from the answer is.
        ({"decision": "reject", "reason": "low_effort", "evidence": "x" * 40}, "evidence"),
        (
            {"decision": "reject", "reason": "low_effort", "evidence": {"quotes": ["toxic"]}},
            "evidence.note",
        ),
        ({"decision": "maybe"}, "decision"),
    ],
)
def test_a_rejection_without_a_listed_reason_changes_nothing(db, setup, body, field):
    requester, project_id, worker = setup
    stored = do_task(db, worker, project_id, T0, 30)
    before = f.row_counts(db)
    with pytest.raises(InvalidInput) as refused:
        review.review(db, requester, stored["id"], body, now=T0 + timedelta(hours=1))
    assert refused.value.field == field
    assert f.row_counts(db) == before


def test_an_appeal_on_someone_elses_work_is_refused(db, setup):
    requester, project_id, worker = setup
    stored = do_task(db, worker, project_id, T0, 30)
    review.review(
        db,
        requester,
        stored["id"],
        {"decision": "reject", "reason": "low_effort", "evidence": LOW_EFFORT},
        now=T0 + timedelta(hours=1),
    )
    other, _ = f.consented_worker(db, project_id)
    before = f.row_counts(db)
    with pytest.raises(NotFound) as refused:
        review.appeal(db, other, stored["id"], "mine now")
    assert refused.value.field == "submission_id"
    assert f.row_counts(db) == before
