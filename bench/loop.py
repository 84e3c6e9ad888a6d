"""The work loop under load: import, then lease-then-submit over real HTTP.

Workload: 100,000 label items (overlap 3, 2 labels) imported into a fresh SQLite file;
`fairloop serve` on loopback; 1 and then 8 concurrent simulated workers (asyncio +
httpx, one process) each looping lease -> submit for a fixed time.

Prints import time, lease and submit p50/p99, cycles per second and the server's
peak RSS. Run: `.venv/bin/python bench/loop.py [--items N] [--seconds S]`.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from fairloop.db.engine import Database
from fairloop.db.migrate import upgrade
from fairloop.domain.actors import Actor
from fairloop.domain.specs import parse_spec
from fairloop.io.items import open_items
from fairloop.services.accounts import create_user
from fairloop.services.import_items import import_items
from fairloop.services.projects import consent, create_project

SPEC = {
    "name": "bench",
    "disclosure": {
        k: "benchmark" for k in ("purpose", "end_use", "data_use", "withdrawal", "contact")
    },
    "task": {"type": "label", "labels": ["yes", "no"]},
    "overlap": 3,
    "lease_minutes": 30,
    "pay": {
        "currency": "USD",
        "per_task": "0.10",
        "estimated_seconds": 20,
        "hourly_floor": "12.00",
    },
}


def seed(db: Database, items: int, workers: int, folder: Path) -> tuple[int, float, list[str]]:
    requester, _ = create_user(db, "bench-req@example.org", role="requester", org="Bench")
    project_id = create_project(db, requester, parse_spec(SPEC))
    path = folder / "items.jsonl"
    with path.open("w") as out:
        for i in range(items):
            out.write(
                json.dumps({"id": f"b{i}", "data": {"text": f"benchmark item number {i}"}}) + "\n"
            )
    started = time.perf_counter()
    count = import_items(db, requester, project_id, open_items(path))
    import_seconds = time.perf_counter() - started
    assert count == items
    tokens = []
    for n in range(workers):
        actor, token = create_user(db, f"bench-w{n}@example.org", role="worker")
        consent(db, Actor(actor.id, "worker", actor.email), project_id)
        tokens.append(token)
    return project_id, import_seconds, tokens


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    url: str, settings: dict[str, str] | None = None, *, processes: int = 1
) -> tuple[subprocess.Popen[bytes], int]:
    """``fairloop serve`` on ``url``'s database (and any other ``FAIRLOOP_`` settings),
    on a free loopback port, with ``processes`` server processes.

    Seeding is done by now: this process, the load generator, freezes what it holds
    out of its garbage collector, so that its own full collections (tens of ms) are
    not measured as the server's latency."""
    gc.collect()
    gc.freeze()
    port = free_port()
    env = {
        **os.environ,
        "FAIRLOOP_DATABASE_URL": url,
        "FAIRLOOP_SECRET_KEY": secrets.token_urlsafe(48),
        **(settings or {}),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fairloop",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(processes),
        ],
        env=env,
    )
    return server, port


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Http:
    """A minimal keep-alive HTTP/1.1 client on asyncio streams: the load generator must
    not eat the CPU the server needs (httpx costs about 1 ms of CPU a request here)."""

    def __init__(self, port: int, token: str):
        self.port = port
        self.auth = f"Authorization: Bearer {token}\r\n"
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(
        self, path: str, body: dict | None = None, headers: str = ""
    ) -> tuple[int, dict | None]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        payload = json.dumps(body).encode() if body is not None else b""
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{self.auth}{headers}"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
        )
        self.writer.write(head.encode() + payload)
        assert self.reader is not None
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        data = await self.reader.readexactly(length) if length else b""
        return status, json.loads(data) if data else None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


async def worker_loop(
    port: int, token: str, project_id: int, until: float, lease_ms: list, submit_ms: list
) -> int:
    cycles = 0
    client = Http(port, token)
    try:
        while time.perf_counter() < until:
            t0 = time.perf_counter()
            status, lease = await client.post(f"/api/v1/projects/{project_id}/assignments")
            t1 = time.perf_counter()
            if status != 201 or lease is None:
                raise RuntimeError(f"lease failed: {status} {lease}")
            status, done = await client.post(
                f"/api/v1/assignments/{lease['id']}/submission",
                {"answer": {"label": "yes"}, "active_seconds": 5},
                headers=f"Idempotency-Key: a{lease['id']}\r\n",
            )
            t2 = time.perf_counter()
            if status != 201:
                raise RuntimeError(f"submit failed: {status} {done}")
            lease_ms.append((t1 - t0) * 1000)
            submit_ms.append((t2 - t1) * 1000)
            cycles += 1
    finally:
        await client.close()
    return cycles


async def drive(port: int, tokens: list[str], project_id: int, seconds: float) -> dict[str, float]:
    lease_ms: list[float] = []
    submit_ms: list[float] = []
    started = time.perf_counter()
    until = started + seconds
    counts = await asyncio.gather(
        *(worker_loop(port, t, project_id, until, lease_ms, submit_ms) for t in tokens)
    )
    elapsed = time.perf_counter() - started
    q = lambda xs, p: statistics.quantiles(xs, n=100)[p - 1]  # noqa: E731
    return {
        "cycles": sum(counts),
        "cycles_per_s": sum(counts) / elapsed,
        "lease_p50": q(lease_ms, 50),
        "lease_p99": q(lease_ms, 99),
        "submit_p50": q(submit_ms, 50),
        "submit_p99": q(submit_ms, 99),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    console = Console(width=150)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'bench.db'}"
        upgrade(url)
        db = Database(url)
        project_id, import_seconds, tokens = seed(db, args.items, 8, folder)
        db.dispose()
        server, port = start_server(url)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    httpx.get(f"{base}/healthz")
                    break
                except httpx.TransportError:
                    time.sleep(0.05)
            results = {}
            for n in (1, 8):
                cpu_before = cpu_seconds(server.pid)
                results[n] = asyncio.run(drive(port, tokens[:n], project_id, args.seconds))
                results[n]["server_cpu_ms"] = (
                    (cpu_seconds(server.pid) - cpu_before) * 1000 / results[n]["cycles"]
                )
            rss = peak_rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=10)
    table = Table(
        title=f"work loop: {args.items:,} items, overlap 3, 2 labels, SQLite, {args.seconds:.0f} s per run"
    )
    columns = (
        "workers",
        "cycles",
        "cycles/s",
        "lease p50 ms",
        "lease p99 ms",
        "submit p50 ms",
        "submit p99 ms",
        "server CPU ms/cycle",
    )
    for col in columns:
        table.add_column(col, justify="right")
    for n, r in results.items():
        table.add_row(
            str(n), str(r["cycles"]), f"{r['cycles_per_s']:.0f}", f"{r['lease_p50']:.1f}", f"{r['lease_p99']:.1f}",
            f"{r['submit_p50']:.1f}", f"{r['submit_p99']:.1f}", f"{r['server_cpu_ms']:.2f}",
        )  # fmt: skip
    console.print(table)
    console.print(
        f"import of {args.items:,} items: {import_seconds:.2f} s   server peak RSS: {rss:.0f} MB"
    )


if __name__ == "__main__":
    main()
