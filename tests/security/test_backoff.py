"""The backoff rule of failed password attempts, on its own clock."""

from __future__ import annotations

from fairloop.http.ratelimit import FailureBackoff


def test_the_wait_doubles_with_each_failure_up_to_fifteen_minutes():
    backoff = FailureBackoff(free=5)
    waits = []
    for _ in range(19):
        backoff.failed("k", now=1000.0)
        waits.append(backoff.wait("k", 1000.0))
    assert waits[:4] == [0, 0, 0, 0]
    assert waits[4:9] == [1, 2, 4, 8, 16]
    assert max(waits) == 900
    assert backoff.wait("k", 1000.0 + 3601) == 0  # an hour without failing: forgotten
