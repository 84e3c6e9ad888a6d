"""The scheduler under load, on SQLite and on PostgreSQL, over real HTTP.

Workload: 100,000 label items of which 5% are gold (``gold_rate: 0.05``), dynamic
overlap ``{min: 2, max: 4, confidence: 0.75}``, 20% of items needing ``language:sw``
and 10% ``domain:medicine@2``; 1,000 workers with mixed skills (30% speak Swahili,
20% hold medicine at level 2). ``fairloop serve`` (one process) on loopback; 1, 8 and
32 concurrent simulated workers, each cycling through its share of the 1,000 worker
identities, lease -> submit for a fixed time; about one answer in four disagrees, so
dynamic overlap asks for more on some items.

PostgreSQL: FAIRLOOP_BENCH_POSTGRES (default postgresql+psycopg://postgres@127.0.0.1:5432/test),
in a fresh schema dropped afterwards. Prints lease p50/p99 and cycles/s per run.
Run: `.venv/bin/python bench/scheduler.py [--items N] [--seconds S] [--backends sqlite,postgres]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine

sys.path.insert(0, str(Path(__file__).parent))
from loop import SPEC, Http, start_server

from fairloop.cli.common import OPERATOR
from fairloop.db.engine import Database
from fairloop.db.migrate import upgrade
from fairloop.domain.actors import Actor
from fairloop.domain.specs import parse_spec
from fairloop.io.items import open_items
from fairloop.services.accounts import create_user
from fairloop.services.import_items import import_items
from fairloop.services.projects import consent, create_project
from fairloop.services.work.skills import grant_skill

PG_URL = os.environ.get(
    "FAIRLOOP_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
WORKERS = 1_000
CONCURRENCY = (1, 8, 32)
SCHEDULER_SPEC = {
    **SPEC,
    "name": "scheduler bench",
    "overlap": {"min": 2, "max": 4, "confidence": 0.75},
    "gold_rate": 0.05,
}


def write_items(path: Path, items: int) -> None:
    rng = random.Random(4)
    with path.open("w") as out:
        for i in range(items):
            row: dict = {"id": f"b{i}", "data": {"text": f"benchmark item number {i}"}}
            if i % 20 == 0:
                row["gold"] = {"label": "yes"}
            roll = rng.random()
            if roll < 0.2:
                row["skills"] = ["language:sw"]
            elif roll < 0.3:
                row["skills"] = ["domain:medicine@2"]
            out.write(json.dumps(row) + "\n")


def seed(db: Database, items: int, folder: Path) -> tuple[int, float, list[str]]:
    requester, _ = create_user(db, "bench-req@example.org", role="requester", org="Bench")
    project_id = create_project(db, requester, parse_spec(SCHEDULER_SPEC))
    path = folder / "items.jsonl"
    write_items(path, items)
    started = time.perf_counter()
    assert import_items(db, requester, project_id, open_items(path)) == items
    import_seconds = time.perf_counter() - started
    tokens = []
    for n in range(WORKERS):
        actor, token = create_user(db, f"bench-w{n}@example.org", role="worker")
        consent(db, Actor(actor.id, "worker", actor.email), project_id)
        if n % 10 < 3:
            grant_skill(db, OPERATOR, actor.email, "language:sw")
        if n % 10 in (2, 3):
            grant_skill(db, OPERATOR, actor.email, "domain:medicine", level=2)
        tokens.append(token)
    return project_id, import_seconds, tokens


class Client(Http):
    """bench/loop.py's keep-alive client, acting as a different worker per request."""

    def use(self, token: str) -> None:
        self.auth = f"Authorization: Bearer {token}\r\n"


async def simulated_worker(
    port: int, tokens: list[str], project_id: int, until: float, lease_ms: list, seed: int
) -> int:
    rng = random.Random(seed)
    client = Client(port, tokens[0])
    cycles = 0
    try:
        while time.perf_counter() < until:
            client.use(rng.choice(tokens))
            t0 = time.perf_counter()
            status, lease = await client.post(f"/api/v1/projects/{project_id}/assignments")
            t1 = time.perf_counter()
            if status == 204:
                continue
            if status != 201 or lease is None:
                raise RuntimeError(f"lease failed: {status} {lease}")
            label = "yes" if rng.random() < 0.75 else "no"
            status, done = await client.post(
                f"/api/v1/assignments/{lease['id']}/submission",
                {"answer": {"label": label}, "active_seconds": 5},
                headers=f"Idempotency-Key: s{lease['id']}\r\n",
            )
            if status != 201:
                raise RuntimeError(f"submit failed: {status} {done}")
            lease_ms.append((t1 - t0) * 1000)
            cycles += 1
    finally:
        await client.close()
    return cycles


async def drive(port: int, tokens: list[str], project_id: int, n: int, seconds: float) -> dict:
    lease_ms: list[float] = []
    started = time.perf_counter()
    until = started + seconds
    # Each simulated worker has its own share of identities: no identity in two loops.
    shares = [tokens[i::n] for i in range(n)]
    counts = await asyncio.gather(
        *(simulated_worker(port, shares[i], project_id, until, lease_ms, i) for i in range(n))
    )
    elapsed = time.perf_counter() - started
    q = statistics.quantiles(lease_ms, n=100)
    return {"cycles": sum(counts), "per_s": sum(counts) / elapsed, "p50": q[49], "p99": q[98]}


@contextmanager
def database(backend: str, folder: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'bench.db'}"
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def run_backend(
    backend: str, items: int, seconds: float, processes: int = 1, concurrency=CONCURRENCY
) -> tuple[float, dict[int, dict]]:
    with tempfile.TemporaryDirectory() as tmp, database(backend, Path(tmp)) as url:
        upgrade(url)
        db = Database(url)
        project_id, import_seconds, tokens = seed(db, items, Path(tmp))
        db.dispose()
        server, port = start_server(url, processes=processes)
        try:
            for _ in range(200):
                try:
                    httpx.get(f"http://127.0.0.1:{port}/healthz")
                    break
                except httpx.TransportError:
                    time.sleep(0.05)
            results = {
                n: asyncio.run(drive(port, tokens, project_id, n, seconds)) for n in concurrency
            }
        finally:
            server.terminate()
            server.wait(timeout=10)
    return import_seconds, results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument(
        "--pg-processes",
        type=int,
        default=1,
        help="server processes on PostgreSQL (serve --workers)",
    )
    parser.add_argument(
        "--concurrency", default="1,8,32", help="concurrent simulated workers, one run each"
    )
    args = parser.parse_args()
    table = Table(
        title=f"scheduler: {args.items:,} items, 5% gold, dynamic overlap 2-4, {WORKERS:,} workers "
        f"with mixed skills, {args.seconds:.0f} s per run"
    )
    for col in (
        "database",
        "server processes",
        "concurrent workers",
        "cycles",
        "cycles/s",
        "lease p50 ms",
        "lease p99 ms",
    ):
        table.add_column(col, justify="right")
    imports = []
    for backend in args.backends.split(","):
        processes = args.pg_processes if backend == "postgres" else 1
        import_seconds, results = run_backend(
            backend,
            args.items,
            args.seconds,
            processes,
            [int(n) for n in args.concurrency.split(",")],
        )
        imports.append(f"{backend} import {import_seconds:.1f} s")
        for n, r in results.items():
            table.add_row(
                backend,
                str(processes),
                str(n),
                str(r["cycles"]),
                f"{r['per_s']:.0f}",
                f"{r['p50']:.1f}",
                f"{r['p99']:.1f}",
            )
    console = Console(width=150)
    console.print(table)
    console.print(", ".join(imports), f"; load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
