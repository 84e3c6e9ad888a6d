"""Invariant 10 over random working days, on the real services and database with a
fake clock: one worker holds one to three leases at once, reads without input,
loses heartbeats to a dropped connection, and submits, gives back or walks away.
However the day goes, the time credited is the wall time the worker was there (no
more, not a second less), and after settlement the pay for it is at the floor."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from fairloop.db.models import Assignment
from fairloop.domain.pay import floor_owed
from fairloop.services.pay.settle import settle
from fairloop.services.work import worktime
from fairloop.services.work.assign import lease_next, release
from tests import factories as f
from tests.conftest import clean
from tests.factories.pay import T0, floor_paid

FLOOR = 1200
stretch = st.tuples(
    st.integers(1, 3),  # leases held at once
    st.integers(1, 20),  # present this many 15-s beats
    st.frozensets(st.integers(0, 19), max_size=8),  # beats lost to the network
    st.integers(0, 600_000),  # extra ms before the end (no beat lands on a second)
    st.sampled_from(["submit", "release", "walk_away"]),
    st.integers(0, 3600),  # rest afterwards, seconds
)


def _stretch(db, worker, project_id, now, leases, beats, lost, extra_ms, outcome):
    """One stretch of work; returns (when it ended, the wall ms the worker was there)."""
    held = [lease_next(db, worker, project_id, now=now) for _ in range(leases)]
    held = [h for h in held if h is not None]
    for n in range(beats):
        at = now + timedelta(seconds=15 * (n + 1))
        if n in lost:
            continue
        for lease in held:  # every tab heartbeats with its own count
            worktime.heartbeat(db, worker, lease.id, present_ms=15_000 * (n + 1), now=at)
    present_ms = 15_000 * beats + (extra_ms if outcome != "walk_away" else 0)
    end = now + timedelta(milliseconds=present_ms)
    claimed = -(-present_ms // 1000)
    for lease in held:
        if outcome == "submit":
            f.answer_label(db, worker, lease.id, seconds=claimed, now=end)
        elif outcome == "release":
            release(db, worker, lease.id, active_seconds=claimed, now=end)
    if outcome == "walk_away":
        # The last heartbeats that were lost are lost for good: no page came back.
        tail = next((n for n in range(beats, 0, -1) if n - 1 not in lost), 0)
        present_ms = 15_000 * tail
        end = max(h.lease_expires_at for h in held) if held else end
    return end, present_ms if held else 0


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(stretch, min_size=1, max_size=6))
def test_credited_time_is_the_wall_time_there_and_it_is_paid_at_the_floor(db, day):
    clean(db)
    requester, _ = f.user(db, "requester", password=None)
    pay = {"currency": "USD", "per_task": "0.05", "estimated_seconds": 15, "hourly_floor": "12.00"}
    project_id = f.project(db, requester, items=120, overlap=1, max_pending=3, pay=pay)
    worker, _ = f.consented_worker(db, project_id, password=None)
    now, there_ms = T0, 0
    for leases, beats, lost, extra_ms, outcome, rest in day:
        now, ms = _stretch(db, worker, project_id, now, leases, beats, lost, extra_ms, outcome)
        there_ms += ms
        now += timedelta(seconds=rest + 1)
    with db.engine.connect() as conn:
        credited = conn.scalar(select(func.sum(Assignment.active_seconds)))
        held = conn.scalar(select(func.count(Assignment.id)))
    ended_ms = (credited or 0) * 1000
    # Never more than the wall time (each assignment rounds its total up, by < 1 s).
    assert ended_ms <= there_ms + 1000 * held
    settle(db, now=now + timedelta(days=30))
    paid = floor_paid(db, worker.id)
    assert paid >= floor_owed(FLOOR, -(-there_ms // 1000)), (paid, there_ms)
