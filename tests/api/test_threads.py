"""A served app works on at most ``threads`` requests' database work at once; the
rest wait their turn and are all answered."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from fairloop.app import create_app
from tests.servers import serving


def test_requests_past_the_thread_limit_wait_and_are_all_answered(sqlite_backend) -> None:
    app = create_app(sqlite_backend.db, threads=2)
    lock = threading.Lock()
    running = {"now": 0, "most": 0}

    @app.get("/test-slow")
    def slow() -> dict[str, int]:  # a sync route: FastAPI runs it on the thread pool
        with lock:
            running["now"] += 1
            running["most"] = max(running["most"], running["now"])
        time.sleep(0.1)
        with lock:
            running["now"] -= 1
        return {"ok": 1}

    with serving(app) as url, ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: httpx.get(url + "/test-slow", timeout=30), range(8)))
    assert [a.status_code for a in answers] == [200] * 8
    assert running["most"] == 2
