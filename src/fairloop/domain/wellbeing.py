"""How much harmful content a person may see: exposure budgets, breaks and opt-outs.

Plain functions over plain data, so the scheduler hook, the lease service and the
property tests all ask the same rule. Exposure is active time on items that carry
hazards, weighted by the item's severity; it is counted per day of the worker's own
time zone (daily budget) and over any 7 days in a row (weekly budget). The rule is
asked when an item is handed out and again while it is worked on (:func:`limit_reached`). A *break* is due after ``break_after_minutes`` of
continuous hazard work: hazard assignments separated by less than ``break_minutes``
count as one continuous run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo

from fairloop.domain.hazards import MAX_SEVERITY

MAX_DAILY_MINUTES = 300
"""The Internet Watch Foundation's cap for its own analysts: no project may exceed it."""

DEFAULT_WEIGHTS: tuple[float, ...] = (1.0, 1.0, 1.5, 2.0, 3.0)
"""Exposure weight per severity 0..4 (an instance setting)."""


@dataclass(frozen=True, slots=True)
class Policy:
    """The limits in force for one worker on one project (the stricter of instance and
    project settings)."""

    daily_minutes: int = 120
    """Weighted minutes of hazard exposure a UTC day."""
    weekly_minutes: int = 600
    """Weighted minutes over any 7 days in a row."""
    break_after_minutes: int = 50
    """Continuous minutes of hazard work after which a break is due."""
    break_minutes: int = 10
    """Length of that break; also the gap that ends a continuous run."""
    weights: tuple[float, ...] = field(default=DEFAULT_WEIGHTS)
    """Weight per severity 0..MAX_SEVERITY."""

    def weight(self, severity: int | None) -> float:
        # An item with hazards but no severity is treated as the worst: the safe side.
        level = MAX_SEVERITY if severity is None else max(0, min(MAX_SEVERITY, severity))
        return self.weights[level]


def stricter(instance: Policy, project: dict[str, int] | None) -> Policy:
    """The instance policy narrowed by a project's ``wellbeing`` section (never widened)."""
    if not project:
        return instance
    return Policy(
        daily_minutes=min(
            instance.daily_minutes, project.get("daily_exposure_minutes", MAX_DAILY_MINUTES)
        ),
        weekly_minutes=instance.weekly_minutes,
        break_after_minutes=min(
            instance.break_after_minutes,
            project.get("break_after_minutes", instance.break_after_minutes),
        ),
        break_minutes=max(instance.break_minutes, project.get("break_minutes", 0)),
        weights=instance.weights,
    )


@dataclass(frozen=True, slots=True)
class HazardWork:
    """One assignment on an item with hazards, as the rule needs it.

    ``ended_at`` is None while the lease is live; such work is counted at its full
    potential (the whole lease) so that a lease taken elsewhere cannot overshoot.
    """

    started_at: datetime
    ended_at: datetime | None
    active_seconds: int
    severity: int | None
    lease_seconds: int = 0


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a hazard item may not be leased now, and when it may be."""

    code: str  # exposure_budget | break_due | opted_out
    message: str
    resume_at: datetime | None


def weighted_seconds(work: HazardWork, policy: Policy) -> float:
    seconds = work.active_seconds if work.ended_at is not None else work.lease_seconds
    return max(0, seconds) * policy.weight(work.severity)


WEEK = timedelta(days=7)


def day_start(moment: datetime, zone: tzinfo = UTC) -> datetime:
    """The start (in UTC) of the day ``moment`` falls in, in the worker's ``zone``."""
    local = moment.astimezone(zone)
    midnight = datetime(local.year, local.month, local.day, tzinfo=zone)
    return midnight.astimezone(UTC)


def next_day_start(moment: datetime, zone: tzinfo = UTC) -> datetime:
    """The next local midnight, in UTC (a day is 23 or 25 hours when clocks change)."""
    local = moment.astimezone(zone)
    tomorrow = (datetime(local.year, local.month, local.day) + timedelta(days=1)).replace(
        tzinfo=zone
    )
    return tomorrow.astimezone(UTC)


def week_resume(history: Sequence[HazardWork], now: datetime, policy: Policy) -> datetime:
    """When enough of the last 7 days' work has rolled out of the window for the
    weekly budget to have room again."""
    window = sorted((w for w in history if w.started_at >= now - WEEK), key=lambda w: w.started_at)
    total = sum(weighted_seconds(w, policy) for w in window)
    for w in window:
        total -= weighted_seconds(w, policy)
        if total < policy.weekly_minutes * 60:
            # Work begun at s is in the window up to s + 7 days, inclusive.
            return w.started_at + WEEK + timedelta(seconds=1)
    return now


def exposure_since(history: Iterable[HazardWork], since: datetime, policy: Policy) -> float:
    """Weighted seconds of the work begun at or after ``since``."""
    return sum(weighted_seconds(w, policy) for w in history if w.started_at >= since)


def continuous_run(
    history: Sequence[HazardWork], now: datetime, policy: Policy
) -> tuple[datetime, datetime] | None:
    """(start, end) of the latest run of hazard work, or None if there is none.

    Work separated by less than a break belongs to one run; live work runs until now.
    """
    gap = timedelta(minutes=policy.break_minutes)
    spans = sorted((w.started_at, w.ended_at or now) for w in history if w.started_at <= now)
    run: tuple[datetime, datetime] | None = None
    for start, end in spans:
        joins = run is not None and start - run[1] < gap
        run = (run[0], max(run[1], end)) if run is not None and joins else (start, end)
    return run


def wellbeing_veto(
    *,
    history: Sequence[HazardWork],
    opted_out: Iterable[str],
    item_hazards: Sequence[str] | None,
    item_severity: int | None,
    now: datetime,
    policy: Policy,
    zone: tzinfo = UTC,
) -> Refusal | None:
    """None if the worker may be leased this item now, else the refusal and resume time.

    Items without hazards are always allowed: budgets and breaks only limit exposure.
    """
    if not item_hazards:
        return None
    blocked = sorted(set(item_hazards) & set(opted_out))
    if blocked:
        return Refusal("opted_out", f"you opted out of {', '.join(blocked)}", None)
    return limit_reached(history=history, now=now, policy=policy, zone=zone)


def limit_reached(
    *, history: Sequence[HazardWork], now: datetime, policy: Policy, zone: tzinfo = UTC
) -> Refusal | None:
    """The break, daily or weekly limit the worker has reached by ``now``, or None.

    Asked before an item is handed out (live leases count at their full length) and
    during a hazard task (the task's own lease at its measured time), so no limit is
    passed while an item is open."""
    run = continuous_run(history, now, policy)
    if run is not None:
        rest = timedelta(minutes=policy.break_minutes)
        worked = run[1] - run[0]
        if worked >= timedelta(minutes=policy.break_after_minutes) and now - run[1] < rest:
            return Refusal(
                "break_due",
                f"time for a {policy.break_minutes}-minute break after "
                f"{int(worked.total_seconds() // 60)} minutes of sensitive content",
                run[1] + rest,
            )
    today = exposure_since(history, day_start(now, zone), policy) >= policy.daily_minutes * 60
    week = exposure_since(history, now - WEEK, policy) >= policy.weekly_minutes * 60
    if not (today or week):
        return None
    # Work resumes when both budgets have room: after midnight for the day, once
    # enough of the last 7 days has rolled out for the week.
    resume = max(
        next_day_start(now, zone) if today else now,
        week_resume(history, now, policy) if week else now,
    )
    if today:
        message = f"today's exposure budget of {policy.daily_minutes} weighted minutes is used up"
    else:
        message = (
            f"the exposure budget of {policy.weekly_minutes} weighted minutes over 7 days "
            "is used up"
        )
    return Refusal("exposure_budget", message, resume)


def parse_weights(text: str) -> tuple[float, ...]:
    """``"1,1,1.5,2,3"`` -> weights per severity 0..4; refuses anything else clearly."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != MAX_SEVERITY + 1:
        raise ValueError(f"exposure weights need {MAX_SEVERITY + 1} numbers, one per severity")
    weights = tuple(float(p) for p in parts)
    if any(not 0 <= w <= 100 for w in weights):
        raise ValueError("exposure weights must be between 0 and 100")
    return weights
