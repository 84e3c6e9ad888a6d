"""Invariant 1: an acknowledged submission survives the server being killed."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time

import httpx
from sqlalchemy import select

from fairloop.db.models import Submission
from tests import factories as f


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_acknowledged_work_survives_sigkill(db, tmp_path):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=20, overlap=1)
    _w, token = f.consented_worker(db, project_id)
    port = free_port()
    env = {
        **os.environ,
        "FAIRLOOP_DATABASE_URL": db.url,
        "FAIRLOOP_SECRET_KEY": secrets.token_urlsafe(48),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "fairloop", "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    acknowledged = []
    try:
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}
        ) as api:
            deadline = time.monotonic() + 20
            while True:
                try:
                    api.get("/healthz")
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "server did not start"
                    time.sleep(0.1)
            for n in range(10):
                lease = api.post(f"/api/v1/projects/{project_id}/assignments").json()
                done = api.post(
                    f"/api/v1/assignments/{lease['id']}/submission",
                    json={"answer": {"label": "toxic"}, "active_seconds": 1},
                    headers={"Idempotency-Key": f"k{n}"},
                )
                assert done.status_code == 201
                acknowledged.append(done.json()["id"])
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
    with db.transaction(readonly=True) as s:
        stored = set(s.scalars(select(Submission.id)))
    assert set(acknowledged) <= stored
