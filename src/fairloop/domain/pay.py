"""What a minute of work is worth: the pure rules of the pay engine.

Money is integer minor units (cents) with an ISO 4217 currency code; only currencies
with two decimal places are accepted, so ``minor = amount * 100`` everywhere. Time is
whole seconds, measured by the server (see :mod:`fairloop.domain.worktime`).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, ROUND_UP, Decimal
from typing import Any

from fairloop.errors import InvalidInput

_CODES = (
    "AED AUD BDT BGN BRL CAD CHF CNY CZK DKK EGP EUR GBP GHS HKD HUF IDR ILS INR KES "
    "LKR MAD MXN MYR NGN NOK NZD PEN PHP PKR PLN RON RSD SEK SGD THB TRY TWD TZS UAH USD ZAR"
)
CURRENCIES = frozenset(_CODES.split(" "))
"""ISO 4217 codes of two-decimal currencies we pay in (zero-decimal currencies such
as JPY are not offered)."""

KINDS = (
    "task_pay",
    "qualification_pay",
    "top_up",
    "bonus",
    "suspension_pay",
    "adjustment",
    "payout",
)
"""Ledger entry kinds. Pay for the floor counts the first three; bonuses and
suspension pay come on top and never stand in for the floor."""

FLOOR_KINDS = ("task_pay", "qualification_pay", "top_up")
TIME_KINDS = ("task", "qualification", "training", "screening")

AUTO_APPROVE_DAYS = 3
MAX_AUTO_APPROVE_DAYS = 21


def to_minor(amount: str | Decimal) -> int:
    """``"0.30"`` -> 30."""
    return int((Decimal(amount) * 100).to_integral_value(rounding=ROUND_HALF_UP))


def from_minor(minor: int) -> str:
    """30 -> ``"0.30"``: money leaves the system as a decimal string."""
    return f"{Decimal(minor) / 100:.2f}"


def hourly(minor: int, seconds: int) -> str | None:
    """Effective hourly pay as a decimal string, or None with no time recorded."""
    if seconds <= 0:
        return None
    rate = (Decimal(minor) * 3600 / seconds / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return f"{rate:.2f}"


def floor_owed(floor_minor_per_hour: int, seconds: int) -> int:
    """What ``seconds`` of work earn at the floor, rounded up: never a cent short."""
    return int(
        (Decimal(floor_minor_per_hour) * seconds / 3600).to_integral_value(rounding=ROUND_UP)
    )


def top_up(*, floor_minor_per_hour: int, seconds: int, paid_minor: int) -> int:
    """The gap between floor pay for the time worked and what was paid (0 if none)."""
    return max(0, floor_owed(floor_minor_per_hour, seconds) - paid_minor)


@dataclass(frozen=True)
class FloorProblem:
    field: str
    message: str


def floor_problem(pay: dict[str, Any], instance_minimum: Decimal | None) -> FloorProblem | None:
    """Why a project's pay may not be published, with the figures; None when it may.

    ``instance_minimum`` is the instance's least hourly floor in the project's
    currency, or None when the instance pays in no such currency.
    """
    currency = pay["currency"]
    floor = Decimal(pay["hourly_floor"])
    if instance_minimum is None:
        return FloorProblem(
            "pay.currency", f"this instance sets no minimum hourly floor in {currency}"
        )
    if floor < instance_minimum:
        return FloorProblem(
            "pay.hourly_floor",
            f"hourly_floor {floor:.2f} {currency} is below this instance's minimum of "
            f"{instance_minimum:.2f} {currency} an hour",
        )
    per_task = Decimal(pay["per_task"])
    seconds = int(pay["estimated_seconds"])
    rate = (per_task * 3600 / seconds).quantize(Decimal("0.01"), ROUND_HALF_UP)
    if per_task * 3600 < floor * seconds:
        return FloorProblem(
            "pay.per_task",
            f"per_task {per_task:.2f} {currency} for an estimated {seconds} s is "
            f"{rate:.2f} {currency} an hour, below the hourly_floor of {floor:.2f}; pay at "
            f"least {Decimal(floor * seconds / 3600).quantize(Decimal('0.01'), ROUND_UP):.2f}",
        )
    return None


def parse_minimums(default_currency: str, default: str, others: str) -> dict[str, Decimal]:
    """The instance's minimum hourly floors by currency, from the settings' text form
    (``others`` as ``"GBP:12.21,EUR:11.00"``); where both name a currency, the higher
    minimum holds (as ``Settings.minimum_floors``, which also refuses a minimum of 0)."""
    minimums = {default_currency: Decimal(default)}
    for part in filter(None, (p.strip() for p in others.split(","))):
        code, _, amount = part.partition(":")
        value = Decimal(amount.strip())
        minimums[code.strip().upper()] = max(value, minimums.get(code.strip().upper(), value))
    return minimums


def median_seconds(values: list[int]) -> int | None:
    return int(statistics.median(values)) if values else None


# A worker's own count past this (three years) is no count of anything.
MAX_REPORTED_SECONDS = 100_000_000


def reported_seconds(value: object) -> int:
    """The active seconds a worker's client reports, from JSON (a whole number) or a
    page's form (its digits); absent is 0. Anything else is refused, naming the field."""
    if value is None:
        return 0
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 10:
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidInput(
            "active_seconds must be a whole number of seconds, 0 or more", field="active_seconds"
        )
    if value > MAX_REPORTED_SECONDS:
        raise InvalidInput(
            f"active_seconds is more than {MAX_REPORTED_SECONDS:,} s", field="active_seconds"
        )
    return value
