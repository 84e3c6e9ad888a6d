"""No side doors past consent and notice, tried as a profit-seeking requester would
break them, on the real services with the services' clock: each test checks what the
worker would check (their balance, the ledger, the notice they read).

Measured before these rules (issue 15): an old lease was submitted after the
disclosure changed; a requester could reject a withdrawn worker's pending work; an
expired lease was submitted after withdrawal; a pause stopped all work with no notice,
no message and no pay, for ever; the kill fee ignored top-ups (0.18 instead of 3.50)
and workers whose paid time was released items or tests (0.00).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from fairloop.db.models import Assignment, Consent, Project, Submission
from fairloop.errors import Conflict, Forbidden
from fairloop.services.inbox import inbox
from fairloop.services.pay import review
from fairloop.services.pay.earnings import my_earnings
from fairloop.services.pay.settle import settle
from fairloop.services.projects import consent, revise_disclosure, set_state
from fairloop.services.suspend import suspend
from fairloop.services.withdraw import withdraw_consent
from fairloop.services.work.assign import lease_next, release
from fairloop.services.work.submit import submit
from tests import factories as f
from tests.factories.pay import T0, beat, do_task, entries, exam_lease, fail_test

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
QUOTE = {"quotes": ["toxic"], "note": "one word where a reason was asked for"}


@pytest.fixture
def setup(db):
    requester, _ = f.user(db, "requester", org="Profit Lab")
    project_id = f.project(db, requester, items=6, overlap=1)
    worker, _ = f.consented_worker(db, project_id)
    return requester, project_id, worker


def hand_in(db, worker, assignment_id, at):
    return submit(
        db, worker, assignment_id, {"label": "toxic"}, active_seconds=0,
        idempotency_key=f"k{assignment_id}", now=at,
    )  # fmt: skip


def assignment(db, assignment_id):
    with db.engine.connect() as conn:
        return conn.execute(select(Assignment).where(Assignment.id == assignment_id)).one()


def submissions(db, assignment_id):
    with db.engine.connect() as conn:
        return conn.scalars(select(Submission.id).where(Submission.assignment_id == assignment_id))


def balance(db, worker, at):
    return my_earnings(db, worker, now=at)["balance"]


def texts(db, worker):
    return [n["text"] for n in inbox(db, worker)]


def fees(db, worker):
    return [e.amount_minor for e in entries(db, user_id=worker.id, kind="suspension_pay")]


# Consent


def test_an_old_lease_is_refused_after_the_disclosure_changed_and_its_time_paid(db, setup):
    requester, project_id, worker = setup
    lease = lease_next(db, worker, project_id, now=T0)
    end = beat(db, worker, lease.id, T0, 120)
    changed = {**f.SPEC["disclosure"], "end_use": "Now also a weapons-targeting model."}
    revise_disclosure(db, requester, project_id, changed)

    with pytest.raises(Forbidden) as caught:
        hand_in(db, worker, lease.id, end)
    assert caught.value.code == "consent_required" and caught.value.status == 403
    assert "version 2" in caught.value.message
    # Nothing handed in; the lease ended with its measured time, which is paid.
    assert list(submissions(db, lease.id)) == []
    ended = assignment(db, lease.id)
    assert (ended.state, ended.active_seconds) == ("released", 120)
    settle(db, now=end + HOUR)
    assert balance(db, worker, end + HOUR) == "0.40"  # 120 s at 12.00 an hour

    # Consenting to what the work is now for opens work again.
    consent(db, worker, project_id)
    again = lease_next(db, worker, project_id, now=end + HOUR)
    assert again is not None
    assert hand_in(db, worker, again.id, end + HOUR + timedelta(seconds=30))[1] is False


def test_after_withdrawal_pending_work_is_approved_paid_and_not_rejectable(db, setup):
    requester, project_id, worker = setup
    first = do_task(db, worker, project_id, T0, 30)
    second = do_task(db, worker, project_id, T0 + timedelta(minutes=5), 30)
    done = withdraw_consent(db, worker, project_id, now=T0 + HOUR)
    assert done["approved"] == 2
    mine = my_earnings(db, worker, now=T0 + HOUR)
    assert (mine["balance"], mine["pending"]) == ("0.40", "0.00")  # 2 x 0.20, at once

    for stored in (first, second):
        before = f.row_counts(db)
        with pytest.raises(Conflict) as caught:
            review.review(
                db, requester, stored["id"],
                {"decision": "reject", "reason": "low_effort", "evidence": QUOTE},
                now=T0 + 2 * HOUR,
            )  # fmt: skip
        assert caught.value.code == "consent_withdrawn"
        assert f.row_counts(db) == before
    assert balance(db, worker, T0 + 2 * HOUR) == "0.40"


def test_work_pending_at_a_withdrawal_recorded_without_approval_is_not_rejectable(db, setup):
    """A withdrawal written before this rule (consent ended, the work left pending):
    the review itself approves and pays the work instead of rejecting it."""
    requester, project_id, worker = setup
    stored = do_task(db, worker, project_id, T0, 30)
    with db.engine.begin() as conn:
        conn.execute(
            update(Consent).where(Consent.user_id == worker.id).values(withdrawn_at=T0 + HOUR)
        )
    with pytest.raises(Conflict) as caught:
        review.review(
            db, requester, stored["id"],
            {"decision": "reject", "reason": "low_effort", "evidence": QUOTE},
            now=T0 + 2 * HOUR,
        )  # fmt: skip
    assert caught.value.code == "consent_withdrawn"
    mine = my_earnings(db, worker, now=T0 + 2 * HOUR)
    assert (mine["balance"], mine["pending"], mine["rejections"]) == ("0.20", "0.00", [])


def test_an_expired_lease_cannot_be_submitted_after_withdrawal_and_its_time_is_paid(db, setup):
    _requester, project_id, worker = setup
    lease = lease_next(db, worker, project_id, now=T0)
    beat(db, worker, lease.id, T0, 60)
    expired = T0 + timedelta(minutes=40)  # the lease ran out at 30 minutes
    assert withdraw_consent(db, worker, project_id, now=expired)["released"] == 0

    with pytest.raises(Forbidden) as caught:
        hand_in(db, worker, lease.id, expired + timedelta(minutes=5))
    assert caught.value.code == "consent_required"
    assert list(submissions(db, lease.id)) == []
    # Credited as an answer would have been: 60 s of heartbeats and the last gap (a
    # bare heartbeat's most, 30 s).
    assert assignment(db, lease.id).active_seconds == 90
    settle(db, now=expired + HOUR)
    assert balance(db, worker, expired + HOUR) == "0.30"  # 90 s at 12.00 an hour


def test_consenting_again_later_does_not_reopen_a_lease_taken_before_the_withdrawal(db, setup):
    requester, project_id, worker = setup
    lease = lease_next(db, worker, project_id, now=T0)
    beat(db, worker, lease.id, T0, 30)
    withdraw_consent(db, worker, project_id, now=T0 + HOUR)
    revise_disclosure(db, requester, project_id, {**f.SPEC["disclosure"], "contact": "x@y.org"})
    consent(db, worker, project_id)  # to version 2
    with pytest.raises(Forbidden) as caught:
        hand_in(db, worker, lease.id, T0 + 2 * HOUR)
    assert caught.value.code == "consent_required"
    assert assignment(db, lease.id).state == "released"


# Notice


def test_a_spec_with_no_notice_stored_before_the_rule_suspends_with_a_day(db, setup):
    requester, project_id, worker = setup
    do_task(db, worker, project_id, T0, 30)
    with db.engine.begin() as conn:
        spec = conn.scalar(select(Project.spec).where(Project.id == project_id))
        conn.execute(
            update(Project).where(Project.id == project_id).values(spec={**spec, "notice_days": 0})
        )
    done = suspend(db, requester, project_id, now=T0 + HOUR)
    assert done["notice_days"] == 1
    assert "(1 days' notice)" in texts(db, worker)[0]


def test_a_pause_tells_workers_and_past_3_days_becomes_a_suspension_with_notice_and_pay(db, setup):
    requester, project_id, worker = setup
    for n in range(4):
        do_task(db, worker, project_id, T0 + n * timedelta(minutes=2), 30)
    held = lease_next(db, worker, project_id, now=T0 + HOUR)
    paused_at = T0 + 2 * HOUR
    paused = set_state(db, requester, project_id, "paused", now=paused_at)
    assert paused["suspends_at"] == (paused_at + 3 * DAY).isoformat()
    told = texts(db, worker)[0]
    assert "is paused" in told and "2026-03-05 11:00 UTC" in told and "7 days' notice" in told
    # Work in progress is still handed in and paid; no new work.
    assert hand_in(db, worker, held.id, paused_at + timedelta(minutes=1))[1] is False
    settle(db, now=paused_at + 2 * DAY)
    assert fees(db, worker) == []

    turned = paused_at + 3 * DAY + timedelta(minutes=5)
    settle(db, now=turned)
    with db.engine.connect() as conn:
        project = conn.execute(select(Project).where(Project.id == project_id)).one()
    assert project.state == "suspended"
    assert project.notice_ends_at == turned + 7 * DAY
    # With the held task, 5 tasks at 0.20 on one day: 1.00 a day. 25% of it x the 3
    # days the pause stopped work = 0.75.
    assert fees(db, worker) == [75]
    told = texts(db, worker)[0]
    assert "not resumed within 3 days, so it is suspended" in told
    assert "until 2026-03-12 11:05 UTC (7 days' notice)" in told
    assert "kill fee of 0.75 USD for the 3 days the pause stopped work" in told
    # The notice is notice: there is work to do until it ends, and the fee is paid once.
    assert lease_next(db, worker, project_id, now=turned + HOUR) is not None
    settle(db, now=turned + 2 * HOUR)
    assert fees(db, worker) == [75]


def test_resuming_for_a_moment_does_not_restart_a_pause(db, setup):
    requester, project_id, worker = setup
    do_task(db, worker, project_id, T0, 30)
    set_state(db, requester, project_id, "paused", now=T0 + HOUR)
    set_state(db, requester, project_id, "live", now=T0 + HOUR + 3 * DAY - timedelta(minutes=2))
    moment = T0 + HOUR + 3 * DAY - timedelta(minutes=1)
    again = set_state(db, requester, project_id, "paused", now=moment)
    assert again["suspends_at"] == (T0 + HOUR + 3 * DAY).isoformat()
    settle(db, now=T0 + HOUR + 3 * DAY)
    assert fees(db, worker) == [15]  # 25% of 0.20 x 3 days
    assert "open again" in texts(db, worker)[2]  # newest first


def test_a_pause_resumed_in_time_costs_nothing_and_the_clock_restarts_after_a_day(db, setup):
    requester, project_id, worker = setup
    do_task(db, worker, project_id, T0, 30)
    set_state(db, requester, project_id, "paused", now=T0 + HOUR)
    set_state(db, requester, project_id, "live", now=T0 + HOUR + 2 * DAY)
    again = set_state(db, requester, project_id, "paused", now=T0 + HOUR + 3 * DAY)
    assert again["suspends_at"] == (T0 + HOUR + 6 * DAY).isoformat()
    settle(db, now=T0 + HOUR + 5 * DAY)
    assert fees(db, worker) == []


# The kill fee


def test_the_kill_fee_is_on_what_the_worker_earned_top_ups_included(db):
    requester, _ = f.user(db, "requester")
    pay = {**f.SPEC["pay"], "per_task": "0.10"}  # 0.10 for a 30-s estimate: 12.00 an hour
    project_id = f.project(db, requester, items=6, overlap=1, pay=pay)
    worker, _ = f.consented_worker(db, project_id)
    for n in range(4):  # a worker 10x slower than the estimate: 4 x 300 s
        assert do_task(db, worker, project_id, T0 + n * timedelta(minutes=6), 300)
    # Settled, the worker earns 4.00 (0.40 of task pay and 3.60 of top-up) that day.
    settle(db, now=T0 + 4 * DAY)
    assert balance(db, worker, T0 + 4 * DAY) == "4.00"
    suspend(db, requester, project_id, notice_days=0, now=T0 + 4 * DAY)
    # 25% of 4.00 a day x 7 days not given = 7.00 (task pay alone gave 0.70).
    assert fees(db, worker) == [700]
    assert "kill fee of 7.00 USD for 7 days of notice not given" in texts(db, worker)[0]


def test_the_kill_fee_counts_released_items_and_test_time(db, setup):
    requester, project_id, _worker = setup
    released, _ = f.consented_worker(db, project_id)
    tested, _ = f.consented_worker(db, project_id)
    lease = lease_next(db, released, project_id, now=T0)
    beat(db, released, lease.id, T0, 600)  # 10 minutes, then the item is given back
    release(db, released, lease.id, now=T0 + timedelta(minutes=10))
    exam = exam_lease(db, tested, project_id, T0)
    beat(db, tested, exam, T0, 300)  # 5 minutes on the qualification test, failed
    fail_test(db, tested, exam, T0 + timedelta(minutes=5))

    suspend(db, requester, project_id, notice_days=0, now=T0 + HOUR)
    # At 12.00 an hour: 600 s is 2.00 and 300 s is 1.00 a day; 25% x 7 days of that.
    assert fees(db, released) == [350]
    assert fees(db, tested) == [175]
    assert "3.50 USD" in texts(db, released)[0] and "1.75 USD" in texts(db, tested)[0]
