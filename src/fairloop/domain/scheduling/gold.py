"""Gold items mixed into the work, and the qualification test.

Gold is served so that each worker's share of gold stays near ``gold_rate``; the
moment within each stretch is jittered per worker, so no fixed position gives gold
away.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta


def _jitter(worker_id: int, gold_leased: int) -> float:
    digest = hashlib.blake2b(f"{worker_id}:{gold_leased}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") / 2**32


def gold_due(*, gold_rate: float, leased: int, gold_leased: int, worker_id: int) -> bool:
    """Whether this worker's next item should be gold.

    Gold is due once the worker's leases reach the next point at which the share
    would fall below ``gold_rate``, shifted by a per-worker jitter in [0, 1) stretch:
    the share stays within one item of ``gold_rate`` at every moment.
    """
    if gold_rate <= 0:
        return False
    next_at = (gold_leased + _jitter(worker_id, gold_leased)) / gold_rate
    return leased + 1 >= next_at


@dataclass(frozen=True, slots=True)
class QualificationRule:
    items: int
    pass_mark: float
    retake_after_hours: int


@dataclass(frozen=True, slots=True)
class Attempt:
    started_at: datetime
    answered: int
    correct: int
    finished_at: datetime | None = None


def attempt_passed(rule: QualificationRule, attempt: Attempt) -> bool:
    return attempt.answered >= rule.items and attempt.correct >= rule.pass_mark * rule.items


def retake_at(rule: QualificationRule, last: Attempt | None) -> datetime | None:
    """When a failed attempt may be retaken (None: no failed attempt in the way)."""
    if last is None or last.finished_at is None or attempt_passed(rule, last):
        return None
    return last.finished_at + timedelta(hours=rule.retake_after_hours)


def may_start_attempt(rule: QualificationRule, last: Attempt | None, now: datetime) -> bool:
    when = retake_at(rule, last)
    return when is None or when <= now
