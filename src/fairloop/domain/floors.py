"""The floor a worker is paid at, and what money may not go under it.

A worker's floor on a project is the higher of the project's (its spec's
``pay.hourly_floor``) and their country's in the project's currency
(``FAIRLOOP_FLOORS_BY_COUNTRY``); settlement tops pay up to it. An adjustment may take
money back only down to what the floors owe for the worker's settled time, and never
below a balance of zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from fairloop.domain.pay import from_minor

FLOOR_SUM_KINDS = ("task_pay", "qualification_pay", "top_up", "adjustment")
"""Entries that count toward a project's floor: the pay kinds of
:data:`fairloop.domain.pay.FLOOR_KINDS` and an admin's adjustments on the project, so
that after a negative one the next settlement tops pay back up to the floor."""


def worker_floor(
    pay: Mapping[str, Any],
    country: str | None,
    by_country: Mapping[tuple[str, str], Decimal],
) -> Decimal:
    """The hourly floor a worker is paid at on a project with ``pay``: the project's,
    or their country's in its currency when that is higher."""
    own = Decimal(pay["hourly_floor"])
    theirs = by_country.get((country, pay["currency"])) if country else None
    return own if theirs is None else max(own, theirs)


@dataclass(frozen=True)
class FloorPosition:
    """What a worker was paid toward the floor over some settled time, and what the
    floor owes for that time."""

    where: str
    """``on project 3`` or ``in USD over all projects``."""
    currency: str
    seconds: int
    paid_minor: int
    owed_minor: int
    floor: str
    """The floor it is owed at: ``the floor of 12.00 USD an hour`` or ``the floors of
    their projects``."""


def adjustment_problem(
    amount_minor: int, currency: str, *, balance_minor: int, positions: list[FloorPosition]
) -> tuple[str, str] | None:
    """(code, message) refusing an adjustment, with the figures; None when it may go in.

    A positive adjustment always may; a negative one may not leave the balance under
    0, nor the pay of any ``positions`` under what its floor owes.
    """
    if amount_minor >= 0:
        return None
    amount = f"{from_minor(amount_minor)} {currency}"
    if balance_minor + amount_minor < 0:
        return "negative_balance", (
            f"an adjustment of {amount} would leave this worker's balance at "
            f"{from_minor(balance_minor + amount_minor)} {currency}: fairloop puts no worker "
            f"in debt, so at most {from_minor(max(0, balance_minor))} {currency} can be "
            "taken back now"
        )
    for p in positions:
        after = p.paid_minor + amount_minor
        if after >= p.owed_minor:
            continue
        rate = ""
        if p.seconds:
            hourly = (Decimal(after) * 36 / p.seconds).quantize(Decimal("0.01"), ROUND_HALF_UP)
            rate = f" ({hourly:.2f} {currency} an hour)"
        return "under_floor", (
            f"an adjustment of {amount} would leave this worker's pay {p.where} at "
            f"{from_minor(after)} {currency} for {p.seconds} s of settled time{rate}, under "
            f"the {from_minor(p.owed_minor)} {currency} owed for it at {p.floor}; at most "
            f"{from_minor(max(0, p.paid_minor - p.owed_minor))} {currency} can be taken back"
        )
    return None
