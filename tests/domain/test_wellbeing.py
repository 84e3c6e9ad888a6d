"""The wellbeing rule alone: budgets, breaks, opt-outs, over a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from fairloop.domain.suspension import kill_fee_minor
from fairloop.domain.wellbeing import (
    HazardWork,
    Policy,
    continuous_run,
    day_start,
    next_day_start,
    stricter,
    weighted_seconds,
    wellbeing_veto,
)

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # a Monday
POLICY = Policy()


def done(start: datetime, minutes: float, severity: int | None = 1) -> HazardWork:
    return HazardWork(start, start + timedelta(minutes=minutes), int(minutes * 60), severity)


def veto(history, now, *, hazards=("vcr",), opted=(), policy=POLICY):
    return wellbeing_veto(
        history=history,
        opted_out=opted,
        item_hazards=list(hazards),
        item_severity=2,
        now=now,
        policy=policy,
    )


def test_items_without_hazards_are_never_refused():
    spent = [done(T0 + timedelta(minutes=i * 31), 30, 4) for i in range(10)]
    assert veto(spent, T0 + timedelta(hours=5), hazards=()) is None


def test_opted_out_hazard_is_refused_without_a_resume_time():
    refusal = veto([], T0, hazards=("vcr", "hte"), opted=["hte"])
    assert refusal is not None and refusal.code == "opted_out" and refusal.resume_at is None
    assert "hte" in refusal.message


def test_break_is_due_after_fifty_continuous_minutes_and_ends_ten_minutes_later():
    # Five 10-minute items back to back, each a minute apart: one run of 54 minutes.
    history = [done(T0 + timedelta(minutes=11 * i), 10) for i in range(5)]
    last_end = T0 + timedelta(minutes=54)
    refusal = veto(history, last_end + timedelta(minutes=1))
    assert refusal is not None and refusal.code == "break_due"
    assert refusal.resume_at == last_end + timedelta(minutes=10)
    assert veto(history, last_end + timedelta(minutes=10)) is None


def test_a_gap_shorter_than_the_break_does_not_end_the_run():
    history = [done(T0, 30), done(T0 + timedelta(minutes=39), 15)]
    run = continuous_run(history, T0 + timedelta(minutes=60), POLICY)
    assert run == (T0, T0 + timedelta(minutes=54))


def test_daily_budget_is_weighted_by_severity_and_resumes_at_midnight():
    # 40 minutes at severity 4 (weight 3) is 120 weighted minutes: the default budget.
    history = [done(T0, 20, 4), done(T0 + timedelta(minutes=40), 20, 4)]
    refusal = veto(history, T0 + timedelta(hours=2))
    assert refusal is not None and refusal.code == "exposure_budget"
    assert refusal.resume_at == day_start(T0) + timedelta(days=1)
    assert veto(history, day_start(T0) + timedelta(days=1)) is None


def test_weekly_budget():
    policy = Policy(weekly_minutes=200)
    # 100 weighted minutes on each of Monday and Tuesday: Wednesday is refused.
    history = [done(T0, 100), done(T0 + timedelta(days=1), 100)]
    refusal = veto(history, T0 + timedelta(days=2), policy=policy)
    assert refusal is not None and refusal.code == "exposure_budget"
    # Any 7 days in a row: room again once Monday's work has rolled out.
    assert refusal.resume_at == T0 + timedelta(days=7, seconds=1)
    assert veto(history, refusal.resume_at, policy=policy) is None


def test_any_seven_days_in_a_row_count_not_the_calendar_week():
    # Thursday to Sunday, then Monday to Wednesday: 840 weighted minutes in 7 days
    # fitted under a weekly 600 when the week restarted on Monday.
    start = T0 + timedelta(days=3)
    history = [done(start + timedelta(days=d), 120) for d in range(6)]
    refusal = veto(history, start + timedelta(days=6))
    assert refusal is not None and "over 7 days" in refusal.message


def test_the_day_is_the_workers_own():
    la = ZoneInfo("America/Los_Angeles")
    # 240 weighted minutes in one Los Angeles afternoon: 08:00 UTC is midnight there
    # (PST) and 00:00 UTC a new UTC day in the middle of the local afternoon.
    afternoon = datetime(2026, 11, 3, 21, 0, tzinfo=UTC)  # 13:00 in Los Angeles
    history = [done(afternoon, 60, 4)]  # 60 minutes at weight 3: 180
    later = afternoon + timedelta(hours=3, minutes=30)  # 00:30 UTC, a new UTC day
    assert veto(history, later) is None  # the UTC day would start again
    refusal = wellbeing_veto(
        history=history,
        opted_out=(),
        item_hazards=["vcr"],
        item_severity=2,
        now=later,
        policy=POLICY,
        zone=la,
    )
    assert refusal is not None and refusal.code == "exposure_budget"
    assert refusal.resume_at == datetime(2026, 11, 4, 8, 0, tzinfo=UTC)  # midnight there


@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)))
def test_a_local_day_starts_at_local_midnight_and_holds_the_moment(naive):
    zone = ZoneInfo("America/Los_Angeles")
    moment = naive.replace(tzinfo=UTC)
    start, end = day_start(moment, zone), next_day_start(moment, zone)
    assert start <= moment < end
    assert start.astimezone(zone).hour == 0 and end.astimezone(zone).hour == 0
    assert timedelta(hours=23) <= end - start <= timedelta(hours=25)


def test_a_live_lease_counts_at_its_full_length():
    live = HazardWork(T0, None, 0, 1, lease_seconds=30 * 60)
    assert weighted_seconds(live, POLICY) == 30 * 60


def test_a_project_may_only_be_stricter():
    narrowed = stricter(
        POLICY, {"daily_exposure_minutes": 300, "break_after_minutes": 30, "break_minutes": 5}
    )
    assert narrowed.daily_minutes == 120
    assert narrowed.break_after_minutes == 30
    assert narrowed.break_minutes == 10
    assert stricter(POLICY, {"daily_exposure_minutes": 60}).daily_minutes == 60


def test_kill_fee():
    # 6.00 earned over 2 days worked: 3.00 a day; 25% for 4 days not given = 3.00.
    assert kill_fee_minor(earned_minor=600, active_days=2, days_not_given=4, percent=25) == 300
    assert kill_fee_minor(earned_minor=600, active_days=2, days_not_given=0, percent=25) == 0


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 30),  # minutes of rest before asking for the next item
            st.integers(1, 25),  # minutes the item then takes
            st.integers(0, 4),  # its severity
        ),
        min_size=1,
        max_size=60,
    )
)
def test_simulated_worker_never_passes_budget_by_more_than_one_item_nor_skips_a_break(steps):
    """A worker who always asks for a hazard item: the rule keeps both limits."""
    now, history = T0, []
    for rest, minutes, severity in steps:
        now += timedelta(minutes=rest)
        refusal = veto(history, now)
        if refusal is not None:
            assert refusal.resume_at is not None and refusal.resume_at > now
            now = refusal.resume_at
            assert veto(history, now) is None or veto(history, now).code != refusal.code
            continue
        # The lease is allowed: a break was not due.
        run = continuous_run(history, now, POLICY)
        if run and run[1] - run[0] >= timedelta(minutes=50):
            assert now - run[1] >= timedelta(minutes=10)
        history.append(done(now, minutes, severity))
        now += timedelta(minutes=minutes)
    longest = max(weighted_seconds(w, POLICY) for w in history)
    by_day: dict[datetime, float] = {}
    for w in history:
        by_day[day_start(w.started_at)] = by_day.get(day_start(w.started_at), 0) + (
            weighted_seconds(w, POLICY)
        )
    assert max(by_day.values()) <= POLICY.daily_minutes * 60 + longest
