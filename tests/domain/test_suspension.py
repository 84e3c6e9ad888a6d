"""The notice and kill fee rules: a spec promising no notice is refused; the fee is a
share of what work really earns a day, top-ups and test time included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fairloop.domain.specs import parse_spec
from fairloop.domain.suspension import (
    continues_pause,
    earned_minor,
    kill_fee_minor,
    paused_days,
    promised_days,
)
from fairloop.errors import InvalidInput
from tests import factories as f

T = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_spec_promising_no_notice_is_refused_on_notice_days():
    with pytest.raises(InvalidInput) as caught:
        parse_spec(f.spec(notice_days=0))
    assert caught.value.field == "notice_days"
    assert parse_spec(f.spec(notice_days=1)).notice_days == 1


def test_a_stored_spec_with_no_notice_is_read_as_one_day():
    assert promised_days({"notice_days": 0}) == 1
    assert promised_days({}) == 7


def test_earnings_are_topped_up_to_the_floor_over_all_paid_time():
    # 4 tasks at 0.10, 1,200 s at 12.00 an hour: the top-up makes 4.00.
    assert (
        earned_minor(task_pay_minor=40, test_seconds=0, seconds=1200, floor_minor_per_hour=1200)
        == 400
    )
    # Released items or tests alone: their time at the floor.
    assert (
        earned_minor(task_pay_minor=0, test_seconds=300, seconds=300, floor_minor_per_hour=1200)
        == 100
    )
    # Task pay above the floor stays what was earned, plus test time at the floor.
    assert (
        earned_minor(task_pay_minor=80, test_seconds=300, seconds=420, floor_minor_per_hour=1200)
        == 180
    )
    assert kill_fee_minor(earned_minor=400, active_days=1, days_not_given=7, percent=25) == 700


def test_a_pause_counts_whole_days_up_to_the_notice_and_a_quick_resume_continues_it():
    assert paused_days(T, T + timedelta(days=3, minutes=5), 7) == 3
    assert paused_days(T, T + timedelta(days=30), 7) == 7
    assert paused_days(T, T + timedelta(hours=1), 7) == 1
    assert continues_pause(T, T + timedelta(hours=23))
    assert not continues_pause(T, T + timedelta(days=1))
    assert not continues_pause(None, T)
