"""Leases: queue order, room under overlap, pending leases and expiry.

The service turns :func:`queue_order` into one indexed SQL query; the rule that a
lease must respect is :func:`has_room`, checked again under the item's lock.
"""

from __future__ import annotations

from datetime import datetime, timedelta

MAX_PENDING = 1
"""Live leases one worker may hold in one project: no hoarding."""

SCARCITY_FACTOR = 10
"""Work is scarce when fewer open items remain than this many times ``max_pending``."""


def pending_cap(max_pending: int, open_items: int) -> int:
    """Live leases a worker may hold now: ``max_pending``, but only one while work is
    scarce, so nobody waits for items another worker is sitting on."""
    return max_pending if open_items >= max_pending * SCARCITY_FACTOR else 1


def queue_order(neg_priority: int, submission_count: int, seq: int) -> tuple[int, int, int]:
    """Highest priority first, then least-submitted, then import order."""
    return (neg_priority, submission_count, seq)


def has_room(*, overlap: int, submissions: int, live_leases: int) -> bool:
    """An item may be leased while counted submissions plus live leases stay under overlap."""
    return submissions + live_leases < overlap


def lease_expiry(now: datetime, lease_minutes: int) -> datetime:
    return now + timedelta(minutes=lease_minutes)


def lease_is_live(*, state: str, expires_at: datetime, now: datetime) -> bool:
    return state == "leased" and expires_at > now
