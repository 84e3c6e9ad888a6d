"""Durability under load: the real server (``fairloop serve``, a subprocess) over a
file SQLite database and over PostgreSQL, driven by 8 workers over HTTP, killed with
SIGKILL mid-load and started again. Every submission that got a 2xx is in the export
exactly once; a lease the crash orphaned expires and is leased again; every item gets
done. And 16 simultaneous replays of one Idempotency-Key store one submission."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import func, select

from fairloop.db.base import utcnow
from fairloop.db.models import Assignment, LedgerEntry, Submission
from fairloop.services.pay.settle import settle
from fairloop.services.work.assign import lease_next
from fairloop.services.work.submit import submit
from tests import factories as f

WORKERS = 8
ITEMS = 120
KILL_AFTER_ACKS = 40
SRC = str(Path(__file__).resolve().parents[2] / "src")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``fairloop serve`` as a child process on a fixed port, so clients can keep
    their base URL across a kill and a restart."""

    def __init__(self, database_url: str, cwd: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "FAIRLOOP_DATABASE_URL": database_url,
            "FAIRLOOP_SECRET_KEY": secrets.token_urlsafe(48),
            "PYTHONPATH": os.pathsep.join(
                [SRC, str(Path(SRC).parent), os.environ.get("PYTHONPATH", "")]
            ),
        }
        self.cwd = cwd
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "fairloop", "serve", "--port", str(self.port)],
            env=self.env,
            cwd=self.cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert self.proc.poll() is None, "the server exited at start"
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)


class Worker(threading.Thread):
    """Leases and answers until there is no work, as a careful client does: a request
    that got no answer is sent again (the same Idempotency-Key for a submission), and
    a lease refused as past ``max_pending`` resumes the lease it names as held."""

    def __init__(self, url: str, token: str, project_id: int, stop: threading.Event):
        super().__init__(daemon=True)
        self.client = httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        self.project_id = project_id
        self.stop = stop
        self.acked: list[tuple[int, int]] = []  # (assignment id, submission id)
        self.errors: list[str] = []
        self.interrupted = 0  # requests that got no answer (the kill)

    def call(self, method: str, path: str, **kwargs) -> httpx.Response | None:
        while not self.stop.is_set():
            try:
                return self.client.request(method, path, **kwargs)
            except httpx.TransportError:
                self.interrupted += 1
                time.sleep(0.1)  # the server is down: wait for it to come back
        return None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                lease = self.call("POST", f"/api/v1/projects/{self.project_id}/assignments")
                if lease is None or lease.status_code == 204:
                    return
                held = lease.json()["error"].get("held") if lease.status_code == 409 else None
                if lease.status_code != 201 and not held:
                    self.errors.append(f"lease {lease.status_code} {lease.text[:200]}")
                    return
                # A lease whose answer the kill cut off is still ours: take it up again.
                aid = lease.json()["id"] if lease.status_code == 201 else held[0]
                done = self.call(
                    "POST",
                    f"/api/v1/assignments/{aid}/submission",
                    json={"answer": {"label": "toxic"}, "active_seconds": 2},
                    headers={"Idempotency-Key": f"a{aid}"},
                )
                if done is None:
                    return
                if done.status_code not in (200, 201):
                    self.errors.append(f"submit {done.status_code} {done.text[:200]}")
                    return
                self.acked.append((aid, done.json()["id"]))
        finally:
            self.client.close()


def test_acknowledged_work_survives_sigkill_under_load(db, tmp_path):
    requester, rtoken = f.user(db, "requester")
    project_id = f.project(db, requester, items=ITEMS, overlap=1)
    tokens = [f.consented_worker(db, project_id)[1] for _ in range(WORKERS)]
    _straggler, straggler_token = f.consented_worker(db, project_id)
    server = Server(db.url, tmp_path)
    server.start()
    stop = threading.Event()
    try:
        # A worker who leases an item and is never heard from again.
        with httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {straggler_token}"}
        ) as gone:
            orphan = gone.post(f"/api/v1/projects/{project_id}/assignments").json()
        workers = [Worker(server.url, t, project_id, stop) for t in tokens]
        for w in workers:
            w.start()
        deadline = time.monotonic() + 20
        while sum(len(w.acked) for w in workers) < KILL_AFTER_ACKS:
            assert time.monotonic() < deadline, "no load reached the server"
            time.sleep(0.005)
        server.kill()  # mid-load: requests are in flight on every worker thread
        acked_at_kill = sum(len(w.acked) for w in workers)
        server.start()
        for w in workers:
            w.join(timeout=60)
        stop.set()
        assert not any(w.is_alive() for w in workers), "workers did not finish"
        assert [e for w in workers for e in w.errors] == []
        acked = [pair for w in workers for pair in w.acked]
        assert len(acked) > acked_at_kill  # work went on after the restart
        assert sum(w.interrupted for w in workers) > 0  # the kill cut requests short

        # The orphaned lease still holds its item; once it expires another worker gets
        # it, and the last item is done. (The server's clock cannot be moved, so this
        # step calls the services with a later "now".)
        later = utcnow() + timedelta(minutes=31)
        other = f.consented_worker(db, project_id)[0]
        lease = lease_next(db, other, project_id, now=later)
        assert lease is not None and lease.item_id == orphan["item"]["id"]
        submit(db, other, lease.id, {"label": "toxic"}, active_seconds=1, idempotency_key="late")
        assert lease_next(db, other, project_id, now=later) is None

        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {rtoken}"}) as r:
            export = r.get(f"/api/v1/projects/{project_id}/export?format=raw")
            assert export.status_code == 200
            rows = [json.loads(line) for line in export.text.splitlines() if line]
            # A replay after the restart answers with the stored submission.
            first = next(i for i, w in enumerate(workers) if w.acked)
            aid, sid = workers[first].acked[0]
            replay = httpx.post(
                f"{server.url}/api/v1/assignments/{aid}/submission",
                json={"answer": {"label": "toxic"}, "active_seconds": 2},
                headers={"Idempotency-Key": f"a{aid}", "Authorization": f"Bearer {tokens[first]}"},
            )
    finally:
        stop.set()
        server.kill()
    exported = Counter(row["submission_id"] for row in rows)
    assert all(exported[sid] == 1 for _aid, sid in acked), "an acknowledged submission is missing"
    assert len({sid for _a, sid in acked}) == len(acked)  # one submission per assignment
    assert len(rows) == ITEMS and set(exported.values()) == {1}  # every item, exactly once
    assert replay.status_code == 200 and replay.json()["id"] == sid
    # Paid exactly once: settling (twice, past any auto-approval) writes one task pay
    # entry per submission, the acknowledged ones and the late one alike.
    assert task_pay_keys(db) == {}
    for _ in range(2):
        settle(db, now=utcnow() + timedelta(days=22))
    keys = task_pay_keys(db)
    assert set(keys) == {f"task_pay:submission:{s}" for s in exported}
    assert set(keys.values()) == {1}


def test_sixteen_replays_of_one_key_store_one_submission(db, http):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=1, overlap=1)
    _w, token = f.consented_worker(db, project_id)
    aid = http(token).post(f"/api/v1/projects/{project_id}/assignments").json()["id"]
    barrier = threading.Barrier(16)
    answers: list[httpx.Response] = []

    def send() -> None:
        with httpx.Client(base_url=http(token).base_url, timeout=30) as client:
            barrier.wait()
            answers.append(
                client.post(
                    f"/api/v1/assignments/{aid}/submission",
                    json={"answer": {"label": "toxic"}, "active_seconds": 3},
                    headers={"Idempotency-Key": "same-key", "Authorization": f"Bearer {token}"},
                )
            )

    threads = [threading.Thread(target=send) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = Counter(a.status_code for a in answers)
    assert codes[201] == 1 and codes[200] == 15, codes
    assert len({a.json()["id"] for a in answers}) == 1
    with db.transaction(readonly=True) as session:
        assert session.scalar(select(func.count(Submission.id))) == 1
        assert session.scalar(select(Assignment.state).where(Assignment.id == aid)) == "submitted"
    for _ in range(2):
        settle(db, now=utcnow() + timedelta(days=22))
    assert task_pay_keys(db) == {f"task_pay:submission:{answers[0].json()['id']}": 1}


def task_pay_keys(db) -> dict[str, int]:
    """Task pay entries per idempotency key."""
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(LedgerEntry.idempotency_key, func.count())
            .where(LedgerEntry.kind == "task_pay")
            .group_by(LedgerEntry.idempotency_key)
        )
        return dict(rows.all())
