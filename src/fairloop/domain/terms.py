"""The terms a worker accepts with a project, as figures: what the consent page and
the project's JSON show before anyone consents.

Fairwork's cloudwork principles ask that terms and risks be shown before work is
accepted; each figure here is one a worker would check later against what happened
(pay and floor against earnings, notice and kill fee against a suspension, the
auto-approval and appeal deadlines against a review).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypedDict

from fairloop.domain.hazards import describe
from fairloop.domain.pay import AUTO_APPROVE_DAYS
from fairloop.domain.suspension import ACTIVE_DAYS
from fairloop.domain.worktime import READING_SECONDS

KILL_FEE_PERCENT = 25
"""The least kill fee a project may offer (``suspension_fee_percent``)."""


class KillFee(TypedDict):
    """Paid when a project is suspended with less notice than ``notice_days``."""

    percent: int
    """Of the worker's average daily earnings on the project, per day of notice not given."""
    window_days: int
    """The average is over the days worked in this many days before the suspension."""


class Terms(TypedDict):
    currency: str
    per_task: str
    estimated_seconds: int
    hourly_at_estimate: str
    """What a task pays an hour when it takes exactly the estimate."""
    hourly_floor: str
    """The least paid an hour of time really worked, tests included: settlement tops up."""
    lease_minutes: int
    reading_seconds: int
    """How long the task page counts reading without input before asking "still there?"."""
    notice_days: int
    kill_fee: KillFee
    auto_approve_days: int
    appeal_deadline_days: int
    """Appeals open longer than this are decided for the worker."""
    qualification_items: int | None
    """Items of the paid qualification test, when the project has one."""
    hazards: list[dict[str, str]]
    severity_examples: dict[str, str]
    support: dict[str, Any] | None


def terms_of(spec: dict[str, Any], *, lease_minutes: int, appeal_deadline_days: int) -> Terms:
    """The terms of the project stored as ``spec`` (its JSON), with the lease it
    really has and the instance's appeal deadline."""
    pay = spec["pay"]
    qualification = spec.get("qualification") or {}
    return {
        "currency": pay["currency"],
        "per_task": pay["per_task"],
        "estimated_seconds": int(pay["estimated_seconds"]),
        "hourly_at_estimate": _hourly(pay["per_task"], int(pay["estimated_seconds"])),
        "hourly_floor": pay["hourly_floor"],
        "lease_minutes": lease_minutes,
        "reading_seconds": int(spec.get("reading_seconds", READING_SECONDS)),
        "notice_days": int(spec.get("notice_days", 7)),
        "kill_fee": {
            "percent": int(spec.get("suspension_fee_percent", KILL_FEE_PERCENT)),
            "window_days": ACTIVE_DAYS,
        },
        "auto_approve_days": int(spec.get("auto_approve_days", AUTO_APPROVE_DAYS)),
        "appeal_deadline_days": appeal_deadline_days,
        "qualification_items": qualification.get("items"),
        "hazards": [describe(code) for code in spec.get("hazards", [])],
        "severity_examples": dict(spec.get("severity_examples", {})),
        "support": spec.get("support"),
    }


def _hourly(per_task: str, seconds: int) -> str:
    rate = Decimal(per_task) * 3600 / seconds
    return f"{rate.quantize(Decimal('0.01'), ROUND_HALF_UP):.2f}"
