"""Spreadsheet formulas in exports, and the secret key an instance starts with."""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tests import factories as f

FORMULAS = ['=HYPERLINK("http://evil.example")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def test_csv_export_neutralises_formulas(db, tmp_path):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, overlap=1)
    f.add_items(db, requester, project_id, [{"id": v, "data": {"text": v}} for v in FORMULAS])
    worker, _ = f.consented_worker(db, project_id)
    f.work_through(db, project_id, [worker])
    out = tmp_path / "raw.csv"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "fairloop",
            "export",
            str(project_id),
            "--format",
            "raw",
            "--out",
            str(out),
        ],
        env={**os.environ, "FAIRLOOP_DATABASE_URL": db.url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    with out.open(newline="") as fh:
        cells = [row["external_id"] for row in csv.DictReader(fh)]
    assert sorted(cells) == sorted("'" + v for v in FORMULAS)
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)


def serve(env: dict[str, str], port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "fairloop", "serve", "--port", str(port)],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(
    "key", ["", "changeme", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "short-but-random-7Qx"]
)
def test_serve_refuses_a_missing_or_weak_secret_key(tmp_path, key):
    env = {"FAIRLOOP_SECRET_KEY": key, "FAIRLOOP_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    proc = serve(env, free_port())
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert "FAIRLOOP_SECRET_KEY" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_serve_starts_with_a_strong_secret_key(tmp_path):
    from fairloop.db.migrate import upgrade

    url = f"sqlite:///{tmp_path}/x.db"
    upgrade(url)
    port = free_port()
    proc = serve(
        {"FAIRLOOP_SECRET_KEY": "k" + os.urandom(24).hex(), "FAIRLOOP_DATABASE_URL": url}, port
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.communicate()[1]
                assert time.monotonic() < deadline
                time.sleep(0.2)
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
