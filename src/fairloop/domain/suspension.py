"""The notice and the kill fee owed when a project stops: suspended with less notice
than it promised, or paused for longer than a pause may last."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from fairloop.domain.pay import floor_owed

ACTIVE_DAYS = 14
"""Workers with work in this many days before a suspension receive the kill fee."""
MIN_NOTICE_DAYS = 1
"""The least notice a project may promise (the spec refuses less): a suspension always
lets workers finish the day, or pays them for it."""
DEFAULT_NOTICE_DAYS = 7
RESUME_DAYS = 1
"""A pause that follows a resume by less than this continues the pause before it:
resuming for a moment does not restart the clock of a pause."""


def minor_units(amount: Decimal) -> int:
    """``Decimal("0.30")`` -> 30 (two-decimal currencies)."""
    return int((amount * 100).to_integral_value(rounding=ROUND_HALF_UP))


def promised_days(spec: dict[str, Any]) -> int:
    """The notice a project promised (a stored spec from before the rule of at least
    one day is read as one day)."""
    return max(MIN_NOTICE_DAYS, int(spec.get("notice_days", DEFAULT_NOTICE_DAYS)))


def earned_minor(
    *, task_pay_minor: int, test_seconds: int, seconds: int, floor_minor_per_hour: int
) -> int:
    """What work earns once settled: its task pay and its test time at the floor, topped
    up to the floor over all of its time (``seconds``: tasks, tests, released items,
    leases that ran out), as settlement pays it."""
    paid = task_pay_minor + floor_owed(floor_minor_per_hour, test_seconds)
    return max(paid, floor_owed(floor_minor_per_hour, seconds))


def kill_fee_minor(
    *, earned_minor: int, active_days: int, days_not_given: int, percent: int
) -> int:
    """``percent`` of the average daily earnings (per day worked in the window) times
    the days of notice not given, rounded to the nearest minor unit."""
    if active_days <= 0 or days_not_given <= 0 or earned_minor <= 0:
        return 0
    fee = Decimal(earned_minor) / active_days * days_not_given * percent / 100
    return int(fee.to_integral_value(rounding=ROUND_HALF_UP))


def pause_ends(paused_at: datetime, limit_days: int) -> datetime:
    """When a pause begun at ``paused_at`` becomes a suspension."""
    return paused_at + timedelta(days=limit_days)


def paused_days(paused_at: datetime, now: datetime, promised: int) -> int:
    """The days a pause stopped work without notice (whole days, at least one, at most
    the notice promised): what the kill fee of a pause turned suspension pays for."""
    return max(1, min(promised, (now - paused_at).days))


def continues_pause(resumed_at: datetime | None, now: datetime) -> bool:
    """Whether a pause at ``now`` continues the one before (resumed at ``resumed_at``)."""
    return resumed_at is not None and now - resumed_at < timedelta(days=RESUME_DAYS)
