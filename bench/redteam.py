"""Red-team turns under load: what the platform adds to each turn beyond the model.

Workload: a scripted OpenAI-compatible model (its own process, fixed 200 ms delay before
it answers, streaming) and `fairloop serve` (one process, SQLite) on loopback; 32
simulated red-teamers, each with its own lease, send 10 turns one after another
(`POST /api/v1/assignments/{id}/turns`). Run twice on one server: first as people
arrive (each red-teamer starts at a random moment of the first second), then all 32
in the same instant (the worst case: every turn lands in a wave of 32, the first
wave with the 32 leases). A warm-up run of 2 turns each comes first, not measured.

Per turn: the latency the worker sees, the model's time as the server measured it
(stored with the reply), and the platform's overhead two ways: latency minus the
model's measured time, and latency minus the fixed 200 ms (stricter: it also charges
the scripted server's own HTTP handling to us). Prints p50/p99 and the server's peak RSS.

Run: `.venv/bin/python bench/redteam.py [--workers 32] [--turns 10] [--delay 0.2]`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).parent))
from loop import Http, cpu_seconds, free_port, peak_rss_mb, start_server

from fairloop.db.engine import Database
from fairloop.db.migrate import upgrade
from fairloop.db.models import Turn
from fairloop.domain.specs import parse_spec
from fairloop.io.items import ItemFile
from fairloop.services.accounts import create_user
from fairloop.services.import_items import import_items
from fairloop.services.projects import consent, create_project

MODEL_SERVER = """
import sys, uvicorn
from fairloop.assist.scripted import ScriptedModel, scripted_app
model = ScriptedModel(replies=["I can't help with that, but here is some general safety advice."], delay=float(sys.argv[2]))
uvicorn.run(scripted_app(model), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
"""


def spec(model_port: int) -> dict:
    return {
        "name": "bench red team",
        "disclosure": {
            k: "benchmark" for k in ("purpose", "end_use", "data_use", "withdrawal", "contact")
        },
        "task": {
            "type": "redteam",
            "max_turns": 50,
            "model": {"base_url": f"http://127.0.0.1:{model_port}/v1", "name": "scripted"},
        },
        "overlap": 1,
        "pay": {
            "currency": "USD",
            "per_task": "1.00",
            "estimated_seconds": 300,
            "hourly_floor": "12.00",
        },
    }


def seed(db: Database, workers: int, model_port: int) -> tuple[int, list[str]]:
    requester, _ = create_user(db, "bench-req@example.org", role="requester", org="Bench")
    project_id = create_project(db, requester, parse_spec(spec(model_port)))
    rows = [{"id": f"g{i}", "data": {"goal": f"goal {i}"}, "severity": 2} for i in range(workers)]
    import_items(
        db, requester, project_id, ItemFile("bench", None, len(rows), iter(enumerate(rows, 1)))
    )
    tokens = []
    for i in range(workers):
        actor, token = create_user(db, f"bench-w{i}@example.org", role="worker")
        consent(db, actor, project_id)
        tokens.append(token)
    return project_id, tokens


async def red_teamer(
    port: int, token: str, project_id: int, turns: int, out: list, start: float
) -> None:
    await asyncio.sleep(start)
    client = Http(port, token)
    try:
        status, lease = await client.post(f"/api/v1/projects/{project_id}/assignments")
        if status != 201 or lease is None:
            raise RuntimeError(f"lease failed: {status} {lease}")
        for n in range(turns):
            started = time.perf_counter()
            status, turn = await client.post(
                f"/api/v1/assignments/{lease['id']}/turns", {"content": f"attempt {n}"}
            )
            elapsed = (time.perf_counter() - started) * 1000
            if status != 201 or turn is None:
                raise RuntimeError(f"turn failed: {status} {turn}")
            out.append((lease["id"], turn["seq"], elapsed))
    finally:
        await client.close()


async def drive(
    port: int, tokens: list[str], project_id: int, turns: int, *, arrive_within: float
) -> list:
    out: list = []
    rng = random.Random(8)
    await asyncio.gather(
        *(
            red_teamer(port, t, project_id, turns, out, rng.uniform(0, arrive_within))
            for t in tokens
        )
    )
    return out


def pct(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1]
        if len(values) > 1
        else values[0]
    )


ARRIVALS = (("arriving over 1 s", 1.0), ("all in one instant", 0.0))
WARM_UP_TURNS = 2


def model_times(db: Database) -> dict[tuple[int, int], int]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(Turn.assignment_id, Turn.seq, Turn.model_ms).where(Turn.role == "assistant")
        )
        return {(a, s): ms for a, s, ms in rows}


def add_rows(table: Table, arrival: str, samples: list, model_ms: dict, delay: float) -> None:
    latency = [ms for _, _, ms in samples]
    # A red-teamer's first turn comes with its lease: shown apart from the later turns.
    for name, values in (
        ("turn latency", latency),
        ("model time (server-measured)", [model_ms[(a, s)] for a, s, _ in samples]),
        ("overhead: latency - model time", [ms - model_ms[(a, s)] for a, s, ms in samples]),
        ("overhead: latency - fixed delay", [ms - delay * 1000 for ms in latency]),
        ("overhead after the first turn", [ms - model_ms[(a, s)] for a, s, ms in samples if s > 2]),
    ):
        table.add_row(
            arrival, name, *(f"{v:.1f}" for v in (pct(values, 50), pct(values, 99), max(values)))
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--delay", type=float, default=0.2)
    args = parser.parse_args()
    table = Table(
        title=f"red-team turns: {args.workers} workers x {args.turns} turns, model delay "
        f"{args.delay * 1000:.0f} ms, SQLite, one server process"
    )
    for col in ("red-teamers", "measure", "p50 ms", "p99 ms", "max ms"):
        table.add_column(col, justify="right")
    notes = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        model_port = free_port()
        allow = {"FAIRLOOP_OUTBOUND_ALLOW": f"127.0.0.1:{model_port}"}
        os.environ.update(allow)
        db = Database(url)
        project_id, tokens = seed(db, args.workers * (1 + len(ARRIVALS)), model_port)
        model = subprocess.Popen(
            [sys.executable, "-c", MODEL_SERVER, str(model_port), str(args.delay)]
        )
        server, port = start_server(url, allow)
        try:
            for target in (
                f"http://127.0.0.1:{port}/healthz",
                f"http://127.0.0.1:{model_port}/docs",
            ):
                for _ in range(200):
                    try:
                        httpx.get(target)
                        break
                    except httpx.TransportError:
                        time.sleep(0.05)
            # Not measured: the server's and the model's first connections and caches.
            warm_up = tokens[-args.workers :]
            asyncio.run(drive(port, warm_up, project_id, WARM_UP_TURNS, arrive_within=1.0))
            runs = []
            for n, (arrival, within) in enumerate(ARRIVALS):
                ours = tokens[n * args.workers : (n + 1) * args.workers]
                cpu_before = cpu_seconds(server.pid)
                started = time.perf_counter()
                samples = asyncio.run(
                    drive(port, ours, project_id, args.turns, arrive_within=within)
                )
                wall = time.perf_counter() - started
                cpu_ms = (cpu_seconds(server.pid) - cpu_before) * 1000 / len(samples)
                runs.append((arrival, samples))
                notes.append(
                    f"{arrival}: {len(samples)} turns in {wall:.1f} s ({len(samples) / wall:.0f} "
                    f"turns/s), server CPU {cpu_ms:.1f} ms a turn (its lease included)"
                )
            notes.append(f"server peak RSS {peak_rss_mb(server.pid):.0f} MB")
        finally:
            for proc in (server, model):
                proc.terminate()
                proc.wait(timeout=10)
        model_ms = model_times(db)
        db.dispose()
    notes.insert(0, f"after a warm-up of {args.workers} red-teamers x {WARM_UP_TURNS} turns")
    for arrival, samples in runs:
        add_rows(table, arrival, samples, model_ms, args.delay)
    console = Console(width=120)
    console.print(table)
    for note in notes:
        console.print(note)


if __name__ == "__main__":
    main()
