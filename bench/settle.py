"""Settlement speed: 1,000,000 submissions over 10,000 workers and 100 projects.

Workload: a fresh SQLite file; 100 `label` projects (per_task 0.10 USD for an
estimated 30 s: exactly the 12.00 floor), 10,000 workers, each doing 10 tasks on each
of 10 projects: 1,000,000 items, assignments and submissions, seeded with Core bulk
inserts. Measured active time is 10 to 119 s a task, so most workers are slower than
the estimate and are owed top-ups. Every submission is pending and 5 days old, so
settlement auto-approves all of them (1,000,000 task-pay entries), then tops up
100,000 worker-project pairs. Then settles again, which must add nothing.

Each settlement runs in a fresh process, through the same service as
`fairloop pay settle`; the table shows its time and the process's peak RSS.

Run: `.venv/bin/python bench/settle.py [--db PATH]` (an existing --db is reused as is).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import func, insert, select

from fairloop.db.engine import Database
from fairloop.db.models import Assignment, Item, LedgerEntry, Submission, User

PROJECTS = 100
WORKERS = 10_000
PER_WORKER = 100  # 10 projects x 10 tasks
CHUNK = 50_000
SPEC = {
    "disclosure": {k: "benchmark" for k in ("purpose", "end_use", "data_use", "withdrawal", "contact")},
    "task": {"type": "label", "instructions": "Pick one.", "labels": ["a", "b"]},
    "overlap": 1,
    "lease_minutes": 30,
    "pay": {"currency": "USD", "per_task": "0.10", "estimated_seconds": 30, "hourly_floor": "12.00"},
}  # fmt: skip
NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
T0 = NOW - timedelta(days=5)


def seed(db: Database) -> float:
    from fairloop.domain.specs import parse_spec
    from fairloop.services.accounts import create_user
    from fairloop.services.projects import create_project

    started = time.perf_counter()
    requester, _ = create_user(db, "bench-settle@example.org", role="requester", org="Bench")
    projects = [
        create_project(db, requester, parse_spec({**SPEC, "name": f"bench {p}"}))
        for p in range(PROJECTS)
    ]
    with db.core_transaction() as conn:
        conn.execute(
            insert(User),
            [{"email": f"sw{n}@example.org", "role": "worker", "created_at": T0} for n in range(WORKERS)],
        )  # fmt: skip
        workers = list(conn.scalars(select(User.id).where(User.role == "worker").order_by(User.id)))
        total = WORKERS * PER_WORKER
        for start in range(0, total, CHUNK):
            items, assignments, submissions = [], [], []
            for n in range(start, min(total, start + CHUNK)):
                w, k = n % WORKERS, n // WORKERS  # the worker's k-th task
                project = projects[(w * 10 + k // 10) % PROJECTS]
                at = T0 + timedelta(seconds=n % 3600)
                seconds = 10 + (n * 7919) % 110
                items.append(
                    {
                        "id": n + 1,
                        "project_id": project,
                        "seq": n + 1,
                        "data": {"text": "x"},
                        "neg_priority": 0,
                        "submission_count": 1,
                        "created_at": T0,
                    }
                )
                assignments.append(
                    {
                        "id": n + 1,
                        "project_id": project,
                        "item_id": n + 1,
                        "worker_id": workers[w],
                        "state": "submitted",
                        "leased_at": at,
                        "lease_expires_at": at + timedelta(minutes=30),
                        "ended_at": at,
                        "active_seconds": seconds,
                        "heartbeat_ms": seconds * 1000,
                        "kind": "task",
                    }
                )
                submissions.append({"assignment_id": n + 1, "project_id": project, "item_id": n + 1,
                                    "worker_id": workers[w], "idempotency_key": f"s{n}",
                                    "answer": {"label": "a"}, "active_seconds": seconds,
                                    "submitted_at": at, "late": False, "counted": True,
                                    "review_state": "pending"})  # fmt: skip
            conn.execute(insert(Item), items)
            conn.execute(insert(Assignment), assignments)
            conn.execute(insert(Submission), submissions)
    return time.perf_counter() - started


def run_once(url: str) -> dict[str, float]:
    """One settlement in this process: its figures as JSON on stdout."""
    from fairloop.services.pay.settle import settle

    db = Database(url)
    started = time.perf_counter()
    result = settle(db, now=NOW)
    seconds = time.perf_counter() - started
    with db.engine.connect() as conn:
        entries = conn.scalar(select(func.count(LedgerEntry.id)))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {**result.as_json(), "seconds": seconds, "peak_mb": peak, "entries": entries}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="SQLite file (made and seeded if absent)")
    parser.add_argument("--run", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        print(json.dumps(run_once(args.run)))
        return
    from fairloop.db.migrate import upgrade

    path = args.db or Path(tempfile.mkdtemp(prefix="fl-settle-")) / "bench.db"
    url = f"sqlite:///{path}"
    console = Console()
    if not path.exists():
        upgrade(url)
        took = seed(Database(url))
        console.print(f"seeded {WORKERS * PER_WORKER:,} submissions in {took:.1f} s ({path})")
    table = Table(title="fairloop pay settle: 1,000,000 submissions, 10,000 workers, 100 projects")
    for column in (
        "run",
        "approved",
        "top-ups",
        "top-up total",
        "entries after",
        "seconds",
        "peak RSS MB",
    ):
        table.add_column(column, justify="right")  # fmt: skip
    for n in (1, 2):
        out = subprocess.run(
            [sys.executable, __file__, "--run", url], capture_output=True, text=True, check=True
        )
        r = json.loads(out.stdout)
        table.add_row(
            "first" if n == 1 else "again",
            f"{r['approved']:,}",
            f"{r['top_ups']:,}",
            f"{r['top_up_minor'] / 100:,.2f} USD",
            f"{r['entries']:,}",
            f"{r['seconds']:.1f}",
            f"{r['peak_mb']:.0f}",
        )
    console.print(table)


if __name__ == "__main__":
    main()
