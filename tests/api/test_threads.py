"""A served app works on at most ``threads`` requests' database work at once; the
rest wait their turn and are all answered. Red-team turns have threads of their own."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from fairloop.app import create_app
from fairloop.domain.specs import parse_spec
from fairloop.services.projects import create_project
from tests import factories as f
from tests.conftest import clean
from tests.factories.model import redteam_spec
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


def test_a_turn_is_stored_while_every_shared_thread_is_busy(sqlite_backend, model_server) -> None:
    clean(sqlite_backend.db)
    db = sqlite_backend.db
    app = create_app(db, threads=1)
    release = threading.Event()

    @app.get("/test-block")
    def block() -> dict[str, int]:  # holds the one shared thread until released
        release.wait(30)
        return {"ok": 1}

    requester, _ = f.user(db, "requester")
    spec = parse_spec(redteam_spec(model_server.base_url))
    project_id = create_project(db, requester, spec)
    f.add_items(db, requester, project_id, [{"id": "g1", "data": {"goal": "a goal"}}])
    _, token = f.consented_worker(db, project_id)
    auth = {"Authorization": f"Bearer {token}"}
    with serving(app) as url, ThreadPoolExecutor(1) as pool:
        lease = httpx.post(f"{url}/api/v1/projects/{project_id}/assignments", headers=auth)
        assert lease.status_code == 201, lease.text
        blocked = pool.submit(httpx.get, url + "/test-block", timeout=30)
        time.sleep(0.2)
        try:
            turn = httpx.post(
                f"{url}/api/v1/assignments/{lease.json()['id']}/turns",
                json={"content": "hello"},
                headers=auth,
                timeout=5,
            )
            assert turn.status_code == 201, turn.text
            assert not blocked.done()
            # Work on the shared pool waits its turn meanwhile.
            with pytest.raises(httpx.ReadTimeout):
                httpx.get(
                    f"{url}/api/v1/assignments/{lease.json()['id']}/turns",
                    headers=auth,
                    timeout=0.5,
                )
        finally:
            release.set()
        assert blocked.result().status_code == 200
