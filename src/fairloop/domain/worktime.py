"""Time really worked: the pure rules that turn heartbeats, the page's own record and
a worker's claim into credited milliseconds.

Three bounds hold for every credit. It never exceeds the wall time it covers. No
moment of a worker's day is credited twice: parallel leases share the wall time
(``through`` is where the worker's credited time ends so far). And nothing is
truncated: credit is kept in milliseconds and rounded up to whole seconds only when
an assignment ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

HEARTBEAT_SECONDS = 15
"""How often a task page sends a heartbeat while the worker is there."""
MAX_GAP_MS = 30_000
"""The most one bare heartbeat (one without the page's record, as an API script sends)
can add: a longer silence means the worker was away."""
READING_SECONDS = 120
"""How long a visible, focused page counts without input before it asks "still
there?". A spec may widen it (``reading_seconds``), never narrow it."""
MAX_READING_SECONDS = 1800
MIN_LEASE_FACTOR = 3
"""A lease is at least this many times the estimate: slow workers keep their lease."""


_MS = timedelta(milliseconds=1)


@dataclass(frozen=True)
class Clock:
    """What the server knows of one assignment's time."""

    leased_at: datetime
    lease_expires_at: datetime
    heartbeat_at: datetime | None
    heartbeat_ms: int
    page_ms: int | None


def _wall_ms(start: datetime, now: datetime) -> int:
    # Integer division of timedeltas: exact, where float seconds lose a millisecond.
    return max(0, (now - start) // _MS)


def _start(clock: Clock, through: datetime | None) -> datetime:
    """Where this credit may begin: after the last one, and after any moment already
    credited to the worker's other leases."""
    since = clock.heartbeat_at or clock.leased_at
    return max(since, through) if through is not None else since


def heartbeat_ms(
    clock: Clock, *, through: datetime | None, now: datetime, page_ms: int | None
) -> int:
    """Milliseconds a heartbeat adds. With the page's own count of time present
    (``page_ms``, cumulative), the time it counted since its last report, which
    recovers what a network drop lost; without, the gap up to MAX_GAP_MS. Either way
    at most the wall time since the credit may begin."""
    start = _start(clock, through)
    if page_ms is None:
        # Nothing vouches for presence past the lease but the page's own check.
        return min(_wall_ms(start, min(now, clock.lease_expires_at)), MAX_GAP_MS)
    return min(_wall_ms(start, now), max(0, page_ms - (clock.page_ms or 0)))


def final_ms(clock: Clock, *, through: datetime | None, now: datetime, claimed_seconds: int) -> int:
    """Milliseconds credited when the assignment ends (submitted or released).

    A page reports its count in the claim (whole seconds, rounded up): the time since
    its last heartbeat is what it counted beyond the last report. A client that sent
    bare heartbeats gets the last gap like any heartbeat. A client that sent none (an
    API script) gets its claim, bounded by the wall time within the lease.
    """
    claimed_ms = claimed_seconds * 1000
    if clock.heartbeat_at is None:
        end = min(now, clock.lease_expires_at)
        return min(claimed_ms, _wall_ms(_start(clock, through), end))
    page = claimed_ms if clock.page_ms is not None else None
    return heartbeat_ms(clock, through=through, now=now, page_ms=page)


def to_seconds(ms: int) -> int:
    """Whole seconds, rounded up: a fraction of a second worked is never lost."""
    return -(-max(0, ms) // 1000)


def unmeasured_seconds(
    *, median_seconds: int | None, estimated_seconds: int, lease_seconds: int
) -> int:
    """What a lease that ran out with no heartbeat at all (an API worker) is credited:
    the project's median time or the estimate, whichever is lower, up to the lease."""
    typical = (
        estimated_seconds if median_seconds is None else min(median_seconds, estimated_seconds)
    )
    return max(0, min(typical, lease_seconds))


def lease_problem(*, lease_minutes: int, estimated_seconds: int) -> str | None:
    """Why a lease is too short for the work it holds, or None."""
    if lease_minutes * 60 >= MIN_LEASE_FACTOR * estimated_seconds:
        return None
    least = -(-MIN_LEASE_FACTOR * estimated_seconds // 60)
    return (
        f"lease_minutes {lease_minutes} is shorter than {MIN_LEASE_FACTOR} times the estimate "
        f"of {estimated_seconds} s; give at least {least}"
    )
