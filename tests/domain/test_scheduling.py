from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from fairloop.domain.scheduling import credited_seconds, has_room, queue_order

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@given(st.integers(1, 50), st.integers(0, 60), st.integers(0, 60))
def test_room_means_staying_under_overlap(overlap, submissions, live):
    assert has_room(overlap=overlap, submissions=submissions, live_leases=live) == (
        submissions + live < overlap
    )


@given(st.integers(0, 10**6), st.integers(0, 10**5), st.integers(1, 1440))
def test_credited_time_never_exceeds_wall_time_or_the_lease(claimed, elapsed, lease_minutes):
    now = T0 + timedelta(seconds=elapsed)
    got = credited_seconds(claimed=claimed, leased_at=T0, now=now, lease_minutes=lease_minutes)
    assert 0 <= got <= claimed
    assert got <= elapsed and got <= lease_minutes * 60
    if claimed <= min(elapsed, lease_minutes * 60):
        assert got == claimed


@given(
    st.lists(
        st.tuples(st.integers(-5, 5), st.integers(0, 5), st.integers(0, 1000)),
        min_size=2,
        unique_by=lambda t: t[2],
    )
)
def test_queue_order_puts_priority_then_fewest_submissions_then_import_order_first(rows):
    first = min(rows, key=lambda r: queue_order(*r))
    assert first[0] == min(r[0] for r in rows)
    same_priority = [r for r in rows if r[0] == first[0]]
    assert first[1] == min(r[1] for r in same_priority)
