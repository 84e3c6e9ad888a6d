"""The rules of time really worked: wall time bounds every credit, parallel leases
share it, a dropped connection loses nothing, no fraction is truncated."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from fairloop.domain.worktime import (
    MAX_GAP_MS,
    Clock,
    final_ms,
    heartbeat_ms,
    lease_problem,
    to_seconds,
    unmeasured_seconds,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
MS = timedelta(milliseconds=1)


def _clock(**changes: object) -> Clock:
    return replace(Clock(T0, T0 + HOUR, None, 0, None), **changes)  # type: ignore[arg-type]


class _Worker:
    """Heartbeats applied as the service applies them: one credited-through clock for
    all of a worker's leases."""

    def __init__(self, leases: int) -> None:
        self.clocks = [_clock() for _ in range(leases)]
        self.through: datetime | None = None

    def beat(self, lease: int, now: datetime, page: int | None) -> int:
        clock = self.clocks[lease]
        got = heartbeat_ms(clock, through=self.through, now=now, page_ms=page)
        page_ms = clock.page_ms if page is None else max(page, clock.page_ms or 0)
        self.clocks[lease] = replace(
            clock,
            heartbeat_ms=clock.heartbeat_ms + got,
            heartbeat_at=max(now, clock.heartbeat_at or T0),
            page_ms=page_ms,
        )
        self.through = max(now, self.through or now)
        return got

    def total(self) -> int:
        return sum(c.heartbeat_ms for c in self.clocks)


beats = st.lists(
    st.tuples(st.integers(0, 2), st.integers(1, 120_000), st.booleans()), min_size=1, max_size=40
)


@given(beats)
def test_parallel_leases_never_credit_more_than_the_wall_time(events):
    worker = _Worker(3)
    now = T0
    for lease, step_ms, with_page in events:
        now += timedelta(milliseconds=step_ms)
        # A page that claims to have counted all the time since the lease began.
        page = (now - T0) // MS if with_page else None
        assert worker.beat(lease, now, page) >= 0
    assert worker.total() <= (now - T0) // MS


@given(st.lists(st.integers(1, 200_000), min_size=1, max_size=30), st.data())
def test_a_page_present_throughout_is_credited_all_of_it_whatever_heartbeats_were_lost(steps, data):
    worker = _Worker(1)
    now = T0
    for step in steps:
        now += timedelta(milliseconds=step)
        # Some heartbeats never arrive (the network dropped); the page kept counting.
        if data.draw(st.booleans()):
            worker.beat(0, now, (now - T0) // MS)
    elapsed = (now - T0) // MS
    last = final_ms(
        worker.clocks[0], through=worker.through, now=now, claimed_seconds=to_seconds(elapsed)
    )
    assert worker.total() + last == elapsed


def test_a_network_drop_from_45_to_120_s_of_a_150_s_task_is_recovered():
    worker = _Worker(1)
    for second in (15, 30, 45):
        worker.beat(0, T0 + timedelta(seconds=second), second * 1000)
    # 60 to 105 s never arrive; at 120 s the connection is back.
    worker.beat(0, T0 + timedelta(seconds=120), 120_000)
    worker.beat(0, T0 + timedelta(seconds=135), 135_000)
    end = T0 + timedelta(seconds=150)
    last = final_ms(worker.clocks[0], through=worker.through, now=end, claimed_seconds=150)
    assert to_seconds(worker.total() + last) == 150


def test_three_leases_heartbeated_together_share_the_minute():
    worker = _Worker(3)
    for second in range(15, 61, 15):
        for lease in range(3):
            worker.beat(lease, T0 + timedelta(seconds=second), second * 1000)
    assert worker.total() == 60_000


def test_a_bare_heartbeat_adds_at_most_the_gap_cap_and_nothing_past_the_lease():
    clock = _clock(heartbeat_at=T0)
    assert heartbeat_ms(clock, through=None, now=T0 + timedelta(minutes=5), page_ms=None) == (
        MAX_GAP_MS
    )
    late = _clock(heartbeat_at=T0 + HOUR)
    assert heartbeat_ms(late, through=None, now=T0 + 2 * HOUR, page_ms=None) == 0


def test_an_api_claim_is_bounded_by_the_wall_time_within_the_lease():
    clock = _clock()
    assert final_ms(clock, through=None, now=T0 + timedelta(seconds=20), claimed_seconds=500) == (
        20_000
    )
    assert final_ms(clock, through=None, now=T0 + 5 * HOUR, claimed_seconds=10**6) == 3_600_000


@given(st.integers(0, 10**12))
def test_seconds_are_rounded_up_never_truncated(ms):
    assert ms <= to_seconds(ms) * 1000 < ms + 1000


@given(st.integers(0, 10**6) | st.none(), st.integers(1, 86_400), st.integers(60, 86_400))
def test_an_unmeasured_lease_gets_the_lower_of_median_and_estimate_within_the_lease(
    median, estimate, lease
):
    got = unmeasured_seconds(median_seconds=median, estimated_seconds=estimate, lease_seconds=lease)
    assert 0 <= got <= min(estimate, lease)
    if median is not None:
        assert got <= median


def test_a_lease_shorter_than_three_estimates_is_refused_with_the_least_that_fits():
    problem = lease_problem(lease_minutes=1, estimated_seconds=120)
    assert problem is not None and "give at least 6" in problem
    assert lease_problem(lease_minutes=6, estimated_seconds=120) is None
