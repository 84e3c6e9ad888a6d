"""The kill fee owed when a project is suspended with less notice than it promised."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ACTIVE_DAYS = 14
"""Workers with work in this many days before a suspension receive the kill fee."""


def minor_units(amount: Decimal) -> int:
    """``Decimal("0.30")`` -> 30 (two-decimal currencies)."""
    return int((amount * 100).to_integral_value(rounding=ROUND_HALF_UP))


def kill_fee_minor(
    *, earned_minor: int, active_days: int, days_not_given: int, percent: int
) -> int:
    """``percent`` of the average daily earnings (per day worked in the window) times
    the days of notice not given, rounded to the nearest minor unit."""
    if active_days <= 0 or days_not_given <= 0 or earned_minor <= 0:
        return 0
    fee = Decimal(earned_minor) / active_days * days_not_given * percent / 100
    return int(fee.to_integral_value(rounding=ROUND_HALF_UP))
