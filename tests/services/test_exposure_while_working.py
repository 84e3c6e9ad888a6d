"""Exposure is bounded while it happens, tried the way the fair-work issue broke it: an
item that pushes past the budget mid-task, a lease too long for hazard work, leases
that run out, test items for an opted-out worker, and a day that is not the worker's.
Figures are weighted minutes (severity 4 weighs 3 by default)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fairloop.errors import Conflict, InvalidInput, WellbeingRefusal
from fairloop.services.pay.settle import settle
from fairloop.services.wellbeing import exposure
from fairloop.services.work import qualification, worktime
from fairloop.services.work.assign import lease_next
from tests import factories as f
from tests.factories.pay import entries

T0 = datetime(2026, 11, 3, 15, 0, tzinfo=UTC)
BUDGET = 120  # the instance's default daily budget, weighted minutes


def hazard_project(db, requester, *, items=20, severity=4, **overrides):
    project_id = f.project(
        db, requester, overlap=1, lease_minutes=60, **f.hazard_spec(["vcr"], **overrides)
    )
    rows = [
        {"id": f"h{n}", "data": {"text": f"hard {n}"}, "hazards": ["vcr"], "severity": severity}
        for n in range(items)
    ]
    f.add_items(db, requester, project_id, rows)
    return project_id


def work(db, worker, lease_id, start, seconds):
    """The page is there for ``seconds``, heartbeating every 15 s with its count;
    returns the last heartbeat's answer."""
    last = None
    for second in range(15, seconds + 1, 15):
        last = worktime.heartbeat(
            db, worker, lease_id, present_ms=second * 1000, now=start + timedelta(seconds=second)
        )
        if last["ended"]:
            return last
    return last


def exposure_today(db, worker, now):
    return exposure.my_wellbeing(db, worker, now=now)["exposure_today_minutes"]


@pytest.fixture
def setup(db):
    requester, _ = f.user(db, "requester")
    project_id = hazard_project(db, requester)
    worker, _ = f.consented_worker(db, project_id, password=None)
    return requester, project_id, worker


def test_the_lease_ends_when_the_budget_is_reached_mid_task_and_the_time_is_paid(db, setup):
    _, project_id, worker = setup
    first = lease_next(db, worker, project_id, now=T0)
    work(db, worker, first.id, T0, 37 * 60 + 30)  # 112.5 weighted minutes
    f.answer_label(db, worker, first.id, seconds=2250, now=T0 + timedelta(seconds=2250))
    start = T0 + timedelta(seconds=2255)
    # 112.5 < 120: one more item is allowed, and the worker stays on it for long.
    second = lease_next(db, worker, project_id, now=start)
    ended = work(db, worker, second.id, start, 30 * 60)
    assert ended["ended"]["code"] == "exposure_budget"
    assert (
        "today's exposure budget of 120 weighted minutes is used up" in (ended["ended"]["message"])
    )
    at = start + timedelta(seconds=ended["active_seconds"])
    # At most one heartbeat (15 s at weight 3) past the budget: was 201.8.
    assert BUDGET <= exposure_today(db, worker, at) <= BUDGET + 0.75
    with pytest.raises(Conflict):  # the lease is over; the answer form went away
        f.answer_label(db, worker, second.id, now=at)
    settle(db, now=at + timedelta(minutes=1))
    [paid] = [e for e in entries(db, user_id=worker.id) if e.kind == "top_up"]
    assert paid.amount_minor > 0  # the ended task's minutes count toward the floor


def test_the_lease_ends_when_a_break_is_due_mid_task(db):
    """One long item of light content: under the budget, but past the break rule
    (50 minutes of continuous hazard work) the lease ends, the time paid."""
    requester, _ = f.user(db, "requester")
    project_id = hazard_project(db, requester, severity=1)
    worker, _ = f.consented_worker(db, project_id, password=None)
    lease = lease_next(db, worker, project_id, now=T0)
    ended = work(db, worker, lease.id, T0, 55 * 60)
    assert ended["ended"]["code"] == "break_due"
    assert 50 * 60 <= ended["active_seconds"] <= 50 * 60 + 15  # was: the whole lease
    assert exposure_today(db, worker, T0 + timedelta(minutes=56)) <= BUDGET
    with pytest.raises(WellbeingRefusal) as resting:
        lease_next(db, worker, project_id, now=T0 + timedelta(minutes=55))
    assert resting.value.code == "break_due"


def test_a_hazard_project_may_not_lease_for_more_than_an_hour(db):
    requester, _ = f.user(db, "requester")
    with pytest.raises(InvalidInput) as refused:
        f.project(db, requester, lease_minutes=1440, **f.hazard_spec(["vcr"]))
    assert refused.value.field == "lease_minutes"
    assert "60 minutes a lease of hazard content may last" in refused.value.message


def test_a_hazard_lease_that_runs_out_counts_its_measured_time_as_exposure(db, setup):
    _, project_id, worker = setup
    lease = lease_next(db, worker, project_id, now=T0)
    work(db, worker, lease.id, T0, 20 * 60)  # then the worker closes the tab
    after = T0 + timedelta(hours=2)
    assert exposure_today(db, worker, after) == 60.0  # was 0.0


def test_test_items_pass_the_same_opt_outs_and_budget(db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(
        db,
        requester,
        overlap=1,
        lease_minutes=60,
        qualification={"items": 3, "pass": 1.0},
        **f.hazard_spec(["cse"]),
    )
    gold = [
        {"id": f"g{n}", "data": {"text": f"g {n}"}, "gold": {"label": "toxic"}}
        | {"hazards": ["cse"], "severity": 4}
        for n in range(3)
    ]
    f.add_items(db, requester, project_id, gold)
    worker, _ = f.consented_worker(db, project_id, password=None)
    exposure.set_opt_outs(db, worker, ["cse"])
    # No test item is served to the worker who opted out (three were, before).
    assert qualification.lease_question(db, worker, project_id, now=T0) is None
    other, _ = f.consented_worker(db, project_id, password=None)
    served = qualification.lease_question(db, other, project_id, now=T0)
    assert served is not None and served.hazards == ["cse"]
    # Past the budget, a test item is refused like any other, with when to return.
    assert work(db, other, served.id, T0, 40 * 60)["ended"]["code"] == "exposure_budget"
    with pytest.raises(WellbeingRefusal) as refused:
        qualification.lease_question(db, other, project_id, now=T0 + timedelta(minutes=41))
    assert refused.value.code == "exposure_budget"


def test_the_day_is_the_workers_own(db, setup):
    _, project_id, worker = setup
    exposure.set_time_zone(db, worker, "America/Los_Angeles")
    # 13:00 in Los Angeles, 21:00 UTC: 40 minutes at weight 3 fill the budget.
    start = datetime(2026, 11, 3, 21, 0, tzinfo=UTC)
    lease = lease_next(db, worker, project_id, now=start)
    assert work(db, worker, lease.id, start, 45 * 60)["ended"]["code"] == "exposure_budget"
    # 00:30 UTC is a new UTC day but still the same afternoon in Los Angeles.
    later = datetime(2026, 11, 4, 0, 30, tzinfo=UTC)
    with pytest.raises(WellbeingRefusal) as refused:
        lease_next(db, worker, project_id, now=later)
    assert refused.value.code == "exposure_budget"
    assert refused.value.resume_at.startswith("2026-11-04T08:00")  # midnight there
    assert lease_next(db, worker, project_id, now=datetime(2026, 11, 4, 8, 1, tzinfo=UTC))


def test_a_time_zone_that_does_not_exist_is_refused_naming_the_field(db, setup):
    _, _, worker = setup
    with pytest.raises(InvalidInput) as refused:
        exposure.set_time_zone(db, worker, "Mars/Olympus")
    assert refused.value.field == "time_zone" and "'Mars/Olympus'" in refused.value.message
    assert exposure.my_wellbeing(db, worker, now=T0)["time_zone"] == "UTC"
