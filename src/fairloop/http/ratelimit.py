"""Password guessing, slowed where it happens: failed attempts back off per account
and address pair, and per address, never per account alone, so that nobody can lock
a person out by failing on their behalf from elsewhere.

In process memory: enough for one server process (several processes each keep their
own count until the counts move to the database)."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass

from fairloop.errors import RateLimited


@dataclass
class _Failures:
    count: int
    last: float


class FailureBackoff:
    """Failed attempts per key. After ``free`` failures each further attempt waits
    ``base * 2**(failures - free)`` seconds (at most ``longest``) after the last one;
    a key with no failure for ``forget`` seconds starts again."""

    def __init__(self, *, free: int, base: float = 1.0, longest: float = 900, forget: float = 3600):
        self.free, self.base, self.longest, self.forget = free, base, longest, forget
        self._seen: dict[str, _Failures] = {}
        self._lock = threading.Lock()

    def wait(self, key: str, now: float) -> float:
        """Seconds until ``key`` may try again (0: now)."""
        entry = self._seen.get(key)
        if entry is None or now - entry.last > self.forget or entry.count < self.free:
            return 0.0
        delay = min(self.longest, self.base * 2 ** (entry.count - self.free))
        return max(0.0, entry.last + delay - now)

    def check(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            wait = max(self.wait(key, now) for key in keys)
        if wait > 0:
            raise RateLimited(
                f"too many failed attempts; try again in {int(wait) + 1} s", field="email"
            )

    def failed(self, *keys: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            for key in keys:
                entry = self._seen.get(key)
                if entry is None or now - entry.last > self.forget:
                    entry = self._seen[key] = _Failures(0, now)
                entry.count += 1
                entry.last = now
            if len(self._seen) > 100_000:  # forget idle keys rather than grow without end
                self._seen = {k: v for k, v in self._seen.items() if now - v.last <= self.forget}

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._seen.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._seen.clear()


class AttemptLimiter:
    """Attempts per key in a sliding window (for what is not a password check)."""

    def __init__(self, *, attempts: int, window_seconds: float):
        self.attempts = attempts
        self.window = window_seconds
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, *keys: str) -> None:
        """Count one attempt against each key; RateLimited if any is over its budget."""
        now = time.monotonic()
        with self._lock:
            for key in keys:
                stamps = self._seen.setdefault(key, deque())
                while stamps and stamps[0] <= now - self.window:
                    stamps.popleft()
                if len(stamps) >= self.attempts:
                    wait = int(stamps[0] + self.window - now) + 1
                    raise RateLimited(f"too many attempts; try again in {wait} s", field="email")
            for key in keys:
                self._seen[key].append(now)
            if len(self._seen) > 100_000:
                self._seen = {
                    k: v for k, v in self._seen.items() if v and v[-1] > now - self.window
                }

    def clear(self) -> None:
        with self._lock:
            self._seen.clear()


# 5 free failures for one account from one address, then 1, 2, 4 ... s up to 15 min;
# 30 free failures from one address across accounts (a shared office or proxy).
pair_failures = FailureBackoff(free=5)
address_failures = FailureBackoff(free=30)
registrations = AttemptLimiter(attempts=30, window_seconds=60)


class PasswordAttempt:
    """One password check by ``email`` from ``address``: refused up front while that
    pair or that address is backing off; its outcome recorded afterwards."""

    def __init__(self, email: str, address: str):
        self.pair = f"pair:{email.strip().lower()}|{address}"
        self.address = f"ip:{address}"
        pair_failures.check(self.pair)
        address_failures.check(self.address)

    def failed(self) -> None:
        pair_failures.failed(self.pair)
        address_failures.failed(self.address)

    def succeeded(self) -> None:
        pair_failures.succeeded(self.pair)


def check_registration_rate(address: str) -> None:
    registrations.hit(f"ip:{address}")
