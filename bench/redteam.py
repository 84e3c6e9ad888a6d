"""Red-team turns under load: what the platform adds to each turn beyond the model.

Workload: a scripted OpenAI-compatible model (its own process, fixed 200 ms delay before
it answers, streaming) and `fairloop serve` (one process, SQLite) on loopback; 32
simulated red-teamers, each with its own lease, send 10 turns one after another
(`POST /api/v1/assignments/{id}/turns`), all 32 at once.

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


async def red_teamer(port: int, token: str, project_id: int, turns: int, out: list) -> None:
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


async def drive(port: int, tokens: list[str], project_id: int, turns: int) -> list:
    out: list = []
    await asyncio.gather(*(red_teamer(port, t, project_id, turns, out) for t in tokens))
    return out


def pct(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1]
        if len(values) > 1
        else values[0]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--delay", type=float, default=0.2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        model_port = free_port()
        allow = {"FAIRLOOP_OUTBOUND_ALLOW": f"127.0.0.1:{model_port}"}
        os.environ.update(allow)
        db = Database(url)
        project_id, tokens = seed(db, args.workers, model_port)
        model = subprocess.Popen(
            [sys.executable, "-c", MODEL_SERVER, str(model_port), str(args.delay)]
        )
        server, port = start_server(url, allow)
        base = f"http://127.0.0.1:{port}"
        try:
            for target in (base + "/healthz", f"http://127.0.0.1:{model_port}/docs"):
                for _ in range(200):
                    try:
                        httpx.get(target)
                        break
                    except httpx.TransportError:
                        time.sleep(0.05)
            cpu_before = cpu_seconds(server.pid)
            started = time.perf_counter()
            samples = asyncio.run(drive(port, tokens, project_id, args.turns))
            wall = time.perf_counter() - started
            cpu_ms = (cpu_seconds(server.pid) - cpu_before) * 1000 / len(samples)
            rss = peak_rss_mb(server.pid)
        finally:
            for proc in (server, model):
                proc.terminate()
                proc.wait(timeout=10)
        with db.engine.connect() as conn:
            model_ms = {
                (a, s): ms
                for a, s, ms in conn.execute(
                    select(Turn.assignment_id, Turn.seq, Turn.model_ms).where(
                        Turn.role == "assistant"
                    )
                )
            }
        db.dispose()
    latency = [ms for _, _, ms in samples]
    over_measured = [ms - model_ms[(a, s)] for a, s, ms in samples]
    over_fixed = [ms - args.delay * 1000 for ms in latency]
    # Every red-teamer's first turn lands in the same instant as the 31 others (and
    # their leases): the start burst, shown apart from the steady turns.
    steady = [ms - model_ms[(a, s)] for a, s, ms in samples if s > 2]
    table = Table(
        title=f"red-team turns: {args.workers} workers x {args.turns} turns, model delay "
        f"{args.delay * 1000:.0f} ms, SQLite, one server process"
    )
    for col in ("measure", "p50 ms", "p99 ms", "max ms"):
        table.add_column(col, justify="right")
    for name, values in (
        ("turn latency", latency),
        ("model time (server-measured)", list(model_ms.values())),
        ("overhead: latency - model time", over_measured),
        ("overhead: latency - fixed delay", over_fixed),
        ("overhead after the first turn", steady),
    ):
        table.add_row(
            name, f"{pct(values, 50):.1f}", f"{pct(values, 99):.1f}", f"{max(values):.1f}"
        )
    console = Console()
    console.print(table)
    console.print(
        f"{len(samples)} turns in {wall:.1f} s ({len(samples) / wall:.0f} turns/s); "
        f"server CPU {cpu_ms:.1f} ms a turn (its lease included); server peak RSS {rss:.0f} MB"
    )


if __name__ == "__main__":
    main()
