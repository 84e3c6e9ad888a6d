"""Attempts per key in a sliding window, in process memory: enough to stop password
guessing against one server process (several processes each keep their own count)."""

from __future__ import annotations

import threading
import time
from collections import deque

from fairloop.errors import RateLimited


class AttemptLimiter:
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
            if len(self._seen) > 100_000:  # forget idle keys rather than grow without end
                self._seen = {
                    k: v for k, v in self._seen.items() if v and v[-1] > now - self.window
                }


# 10 a minute per account, 30 a minute per address: a person never notices.
login_attempts = AttemptLimiter(attempts=10, window_seconds=60)
address_attempts = AttemptLimiter(attempts=30, window_seconds=60)


def check_login_rate(email: str, address: str) -> None:
    login_attempts.hit(f"email:{email.strip().lower()}")
    address_attempts.hit(f"ip:{address}")
