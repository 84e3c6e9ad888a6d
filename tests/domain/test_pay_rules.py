"""The pure pay rules: floor arithmetic and the check at publication."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from fairloop.domain.pay import (
    floor_owed,
    floor_problem,
    from_minor,
    hourly,
    to_minor,
    top_up,
)
from fairloop.domain.rejections import Claim, check_review, too_fast_evidence

T0 = datetime(2026, 3, 2, tzinfo=UTC)
PAY = {"currency": "USD", "per_task": "0.20", "estimated_seconds": 60, "hourly_floor": "12.00"}


@given(
    floor=st.integers(1, 10_000),
    seconds=st.integers(0, 10**7),
    paid=st.integers(0, 10**9),
)
def test_a_top_up_brings_pay_to_at_least_the_floor_and_never_more_than_needed(floor, seconds, paid):
    gap = top_up(floor_minor_per_hour=floor, seconds=seconds, paid_minor=paid)
    assert gap >= 0
    assert (paid + gap) * 3600 >= floor * seconds
    if gap:  # the least whole minor unit that does it
        assert (paid + gap - 1) * 3600 < floor * seconds


def test_money_round_trips_and_rates():
    assert to_minor("0.30") == 30 and from_minor(30) == "0.30" and from_minor(-5) == "-0.05"
    assert hourly(20, 60) == "12.00" and hourly(5, 0) is None
    assert floor_owed(1200, 1) == 1  # a second at the floor is a cent, rounded up


def test_floor_problems_name_the_field_and_give_the_figures():
    assert floor_problem(PAY, Decimal("12.00")) is None
    low = floor_problem({**PAY, "per_task": "0.10"}, Decimal("12.00"))
    assert low is not None and low.field == "pay.per_task"
    assert "6.00 USD an hour" in low.message and "pay at least 0.20" in low.message
    under = floor_problem({**PAY, "hourly_floor": "8.00"}, Decimal("12.00"))
    assert under is not None and under.field == "pay.hourly_floor" and "12.00" in under.message
    assert floor_problem({**PAY, "currency": "PHP"}, None).field == "pay.currency"


def test_too_fast_needs_the_figures_to_show_it():
    times = [60] * 20 + [58, 62] * 5
    assert too_fast_evidence(50, times) is not None
    assert too_fast_evidence(59, times) is None
    assert too_fast_evidence(1, [60] * 5) is None  # too few to judge
    assert check_review("approve", None, None) == ("approve", None, Claim())
