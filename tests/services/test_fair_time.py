"""Time really worked is what is paid, tried the way the fair-work issue broke it: a
worker who reads, one whose network drops, a slow one, one with parallel leases, an
API script whose lease runs out, and tests failed and retaken. Each checks what the
worker would: pay over the time really worked, at or above the USD 12.00 floor."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fairloop.errors import Conflict, InvalidInput
from fairloop.services.pay import review
from fairloop.services.pay.settle import settle
from fairloop.services.work import qualification, worktime
from fairloop.services.work.assign import lease_next
from tests import factories as f
from tests.factories.pay import T0, entries, floor_paid

FLOOR_MINOR = 1200


def assert_at_the_floor(db, worker_id: int, seconds_worked: float) -> None:
    paid = floor_paid(db, worker_id)
    hourly = paid * 3600 / seconds_worked / 100
    assert paid * 3600 >= FLOOR_MINOR * seconds_worked, f"{hourly:.2f}/h for {seconds_worked} s"


def present(db, worker, assignment_id, start, seconds, *, lost=()):
    """A page present for ``seconds``: heartbeats every 15 s carrying its count, except
    those at the seconds in ``lost`` (the network was down)."""
    for second in range(15, seconds + 1, 15):
        if second not in lost:
            worktime.heartbeat(
                db,
                worker,
                assignment_id,
                present_ms=second * 1000,
                now=start + timedelta(seconds=second),
            )


def submit_at(db, worker, assignment_id, at, seconds):
    return f.answer_label(db, worker, assignment_id, seconds=seconds, now=at)


@pytest.fixture
def paid_project(db):
    requester, _ = f.user(db, "requester")
    # 0.20 for an estimated 60 s is exactly the floor when the estimate holds.
    project_id = f.project(
        db,
        requester,
        items=5,
        overlap=1,
        pay={
            "currency": "USD",
            "per_task": "0.20",
            "estimated_seconds": 60,
            "hourly_floor": "12.00",
        },
    )
    worker, _ = f.consented_worker(db, project_id, password=None)
    return requester, project_id, worker


def settle_after(db, requester, submission_id, at):
    review.review(db, requester, submission_id, {"decision": "approve"}, now=at)
    settle(db, now=at + timedelta(minutes=1))


def test_a_worker_who_reads_for_180_s_then_answers_is_paid_for_180_s(db, paid_project):
    requester, project_id, worker = paid_project
    lease = lease_next(db, worker, project_id, now=T0)
    present(db, worker, lease.id, T0, 180)
    stored = submit_at(db, worker, lease.id, T0 + timedelta(seconds=180), 180)
    assert stored["active_seconds"] == 180  # was 74 (5.00/h)
    settle_after(db, requester, stored["id"], T0 + timedelta(minutes=4))
    assert_at_the_floor(db, worker.id, 180)


def test_a_network_drop_from_45_to_120_s_loses_nothing(db, paid_project):
    requester, project_id, worker = paid_project
    lease = lease_next(db, worker, project_id, now=T0)
    present(db, worker, lease.id, T0, 150, lost=(60, 75, 90, 105))
    stored = submit_at(db, worker, lease.id, T0 + timedelta(seconds=150), 150)
    assert stored["active_seconds"] == 150  # was 74 (6.00/h)
    settle_after(db, requester, stored["id"], T0 + timedelta(minutes=3))
    assert_at_the_floor(db, worker.id, 150)


def test_a_ten_times_slow_worker_loses_no_fraction_of_a_second(db, paid_project):
    requester, project_id, worker = paid_project
    lease = lease_next(db, worker, project_id, now=T0)
    # 600.5 s at heartbeats 15.7 s apart: truncating each gap lost 3-3.8%.
    at, count = T0, 0
    for _ in range(38):
        at += timedelta(milliseconds=15_700)
        count += 15_700
        worktime.heartbeat(db, worker, lease.id, present_ms=count, now=at)
    end = T0 + timedelta(milliseconds=600_500)
    stored = submit_at(db, worker, lease.id, end, 601)
    assert stored["active_seconds"] == 601
    settle_after(db, requester, stored["id"], end + timedelta(minutes=1))
    assert_at_the_floor(db, worker.id, 600.5)  # was 11.64/h


def test_a_lease_shorter_than_three_estimates_is_refused_at_publication(db):
    requester, _ = f.user(db, "requester")
    with pytest.raises(InvalidInput) as refused:
        f.project(db, requester, lease_minutes=1, pay={**f.SPEC["pay"], "estimated_seconds": 120})
    assert refused.value.field == "lease_minutes"
    assert "give at least 6" in refused.value.message


def test_a_worker_slower_than_the_lease_asks_for_more_time_and_is_paid_all_of_it(db, paid_project):
    requester, project_id, worker = paid_project
    lease = lease_next(db, worker, project_id, now=T0)
    assert lease.lease_expires_at == T0 + timedelta(minutes=30)
    present(db, worker, lease.id, T0, 1500)
    more = worktime.extend(db, worker, lease.id, now=T0 + timedelta(seconds=1500))
    assert more["lease_expires_at"].startswith("2026-03-02T09:55")
    present(db, worker, lease.id, T0, 2400)  # 40 minutes, 40 x the estimate
    stored = submit_at(db, worker, lease.id, T0 + timedelta(seconds=2400), 2400)
    assert stored["active_seconds"] == 2400  # the lease no longer caps it
    settle_after(db, requester, stored["id"], T0 + timedelta(hours=1))
    assert_at_the_floor(db, worker.id, 2400)


def test_an_expired_lease_is_credited_what_was_measured(db, paid_project):
    _, project_id, worker = paid_project
    lease = lease_next(db, worker, project_id, now=T0)
    present(db, worker, lease.id, T0, 2100)  # past the 30-minute lease
    settle(db, now=T0 + timedelta(hours=2))
    assert_at_the_floor(db, worker.id, 2100)  # was 8.00/h


def test_an_api_worker_whose_lease_runs_out_gets_the_typical_time(db, paid_project):
    requester, project_id, worker = paid_project
    other, _ = f.consented_worker(db, project_id, password=None)
    at = T0
    for n in range(3):
        done = lease_next(db, other, project_id, now=at)
        at += timedelta(seconds=40 + n)
        stored = submit_at(db, other, done.id, at, 40 + n)
        review.review(db, requester, stored["id"], {"decision": "approve"}, now=T0)
    lease_next(db, worker, project_id, now=T0)  # never heartbeats, never answers
    settle(db, now=T0 + timedelta(hours=2))
    # The median (41 s) is under the estimate (60 s): 41 s at the floor, not nothing.
    assert floor_paid(db, worker.id) == 14


def test_three_parallel_leases_heartbeated_together_are_credited_the_wall_time_once(db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=40, overlap=1, max_pending=3)
    worker, _ = f.consented_worker(db, project_id, password=None)
    leases = [lease_next(db, worker, project_id, now=T0) for _ in range(3)]
    for second in range(15, 91, 15):
        for lease in leases:
            worktime.heartbeat(
                db, worker, lease.id, present_ms=second * 1000, now=T0 + timedelta(seconds=second)
            )
    end = T0 + timedelta(seconds=92)
    credited = [submit_at(db, worker, lease.id, end, 92)["active_seconds"] for lease in leases]
    assert sum(credited) == 92  # was 3 x the wall time


def take_test(db, worker, project_id, labels, now):
    """The real qualification flow: lease each test item, be there, answer."""
    for label in labels:
        lease = qualification.lease_question(db, worker, project_id, now=now)
        present(db, worker, lease.id, now, 120)
        now += timedelta(seconds=120)
        f.answer_label(db, worker, lease.id, label=label, seconds=120, now=now)
    return now


def test_tests_failed_and_retaken_are_paid_at_the_floor_and_never_reviewed(db):
    requester, _ = f.user(db, "requester")
    test = {"items": 2, "pass": 1.0, "retake_after_hours": 1}
    project_id = f.project(db, requester, overlap=1, qualification=test)
    gold = [
        {"id": f"g{n}", "data": {"text": f"gold {n}"}, "gold": {"label": "toxic"}} for n in range(4)
    ]
    f.add_items(db, requester, project_id, gold)
    worker, _ = f.consented_worker(db, project_id, password=None)
    end = take_test(db, worker, project_id, ["not_toxic", "toxic"], T0)
    assert qualification.status(db, worker, project_id, now=end)["state"] == "failed"
    # The requester may not reject the failed test's answers, for any reason.
    for sub in f.submissions_of(db, worker.id):
        with pytest.raises(Conflict):
            review.review(
                db,
                requester,
                sub,
                {"decision": "reject", "reason": "failed_checks"},
                now=end,
            )
    end = take_test(db, worker, project_id, ["toxic", "toxic"], end + timedelta(hours=2))
    assert qualification.status(db, worker, project_id, now=end)["state"] == "passed"
    settle(db, now=end + timedelta(minutes=1))
    paid = entries(db, user_id=worker.id, kind="qualification_pay")
    assert len(paid) == 4  # every test item, passed or failed
    assert_at_the_floor(db, worker.id, 4 * 120)  # was 1.71/h, then 6.86/h
