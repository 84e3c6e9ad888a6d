"""Export speed: the dpo and raw datasets of a large compare project.

Workload: one `compare` project on a fresh SQLite file with 333,334 items (a prompt
and two responses of a few hundred characters each) and 1,000,000 submissions
(3 distinct workers per item, out of 1,000; picks A, B or tie at random), seeded with
Core bulk inserts. Then, each in a fresh process: the `dpo` dataset to Parquet and the
`raw` dataset to JSON lines, through the same service and writer as
`fairloop export`. Prints rows, seconds and the process's peak RSS.

Run: `.venv/bin/python bench/export.py [--items N] [--db PATH]` (an existing --db
with the bench project is reused).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import insert, select

from fairloop.db.engine import Database
from fairloop.db.models import Assignment, Item, Project, ProjectWorker, Submission, User
from fairloop.domain.actors import Actor

NAME = "bench-export"
WORKERS = 1_000
CHUNK = 20_000
SPEC = {
    "name": NAME,
    "disclosure": {k: "benchmark" for k in ("purpose", "end_use", "data_use", "withdrawal", "contact")},
    "task": {"type": "compare", "instructions": "Which is better?"},
    "overlap": 3,
    "lease_minutes": 30,
    "pay": {"currency": "USD", "per_task": "0.14", "estimated_seconds": 40, "hourly_floor": "12.00"},
}  # fmt: skip
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _item(i: int) -> dict:
    prompt = (
        f"Question {i}: how do I keep a sourdough starter alive while travelling for two weeks?"
    )
    return {
        "prompt": prompt,
        "responses": [
            {"id": "a", "text": f"Answer A to {i}. Feed it, then refrigerate it. " * 4},
            {"id": "b", "text": f"Answer B to {i}. Dry some on baking paper first. " * 4},
        ],
    }


def seed(db: Database, items: int) -> tuple[int, Actor, float]:
    from fairloop.domain.specs import parse_spec
    from fairloop.services.accounts import create_user
    from fairloop.services.projects import create_project

    started = time.perf_counter()
    requester, _ = create_user(db, "bench-export@example.org", role="requester", org="Bench")
    project_id = create_project(db, requester, parse_spec(SPEC))
    rng = random.Random(7)
    with db.core_transaction() as conn:
        conn.execute(
            insert(User),
            [{"email": f"bw{n}@example.org", "role": "worker", "created_at": T0} for n in range(WORKERS)],
        )  # fmt: skip
        workers = list(conn.scalars(select(User.id).where(User.role == "worker").order_by(User.id)))
        conn.execute(
            insert(ProjectWorker),
            [{"project_id": project_id, "user_id": w, "pseudonym": f"w-{w:010x}", "created_at": T0}
             for w in workers],
        )  # fmt: skip
        first_item = 1 + (conn.scalar(select(Item.id).order_by(Item.id.desc()).limit(1)) or 0)
        first_assignment = 1 + (conn.scalar(select(Assignment.id).order_by(Assignment.id.desc()).limit(1)) or 0)  # fmt: skip
        for start in range(0, items, CHUNK):
            end = min(items, start + CHUNK)
            conn.execute(
                insert(Item),
                [{"id": first_item + i, "project_id": project_id, "seq": i + 1,
                  "external_id": f"q{i}", "data": _item(i), "neg_priority": 0,
                  "submission_count": 3, "created_at": T0} for i in range(start, end)],
            )  # fmt: skip
            assignments, submissions = [], []
            for i in range(start, end):
                shown = ["a", "b"]
                for k in range(3):
                    n = i * 3 + k
                    worker = workers[(i + k * 7) % WORKERS]
                    rng.shuffle(shown)
                    at = T0 + timedelta(seconds=n)
                    pick = rng.choice(("a", "a", "b", "b", "tie"))
                    assignments.append(
                        {"id": first_assignment + n, "project_id": project_id,
                         "item_id": first_item + i, "worker_id": worker, "state": "submitted",
                         "shown": list(shown), "leased_at": at, "lease_expires_at": at + timedelta(minutes=30),
                         "ended_at": at, "active_seconds": 30, "kind": "task"}
                    )  # fmt: skip
                    submissions.append(
                        {"assignment_id": first_assignment + n, "project_id": project_id,
                         "item_id": first_item + i, "worker_id": worker, "idempotency_key": f"b{n}",
                         "answer": {"preferred": pick, "strength": None if pick == "tie" else 2,
                                    "criteria": {}, "rationale": ""},
                         "active_seconds": 30 + n % 50, "submitted_at": at, "late": False,
                         "counted": True, "review_state": "pending"}
                    )  # fmt: skip
            conn.execute(insert(Assignment), assignments)
            conn.execute(insert(Submission), submissions)
    return project_id, requester, time.perf_counter() - started


def _peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM; ru_maxrss would keep the parent's peak across
    fork and exec)."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024


def run_case(url: str, project_id: int, requester_id: int, fmt: str, out: Path) -> None:
    """In a fresh process: export, then print one JSON line of figures."""
    from fairloop.io.writers import write_rows
    from fairloop.services.exports import columns_for, export_rows

    db = Database(url)
    actor = Actor(requester_id, "requester", "bench-export@example.org")
    started = time.perf_counter()
    rows = export_rows(db, actor, project_id, fmt)
    count = write_rows(rows, out, columns_for(fmt))
    seconds = time.perf_counter() - started
    peak_mb = _peak_rss_mb()
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    left_out = getattr(rows, "left_out", 0)
    print(json.dumps({"rows": count, "seconds": seconds, "cpu": cpu.ru_utime + cpu.ru_stime, "peak_mb": peak_mb, "left_out": left_out,
                      "bytes": out.stat().st_size}))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--items", type=int, default=333_334)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--case", nargs=4, metavar=("URL", "PROJECT", "REQUESTER", "FORMAT:OUT"), help=argparse.SUPPRESS)  # fmt: skip
    args = parser.parse_args()
    if args.case:
        url, project, requester, spec = args.case
        fmt, out = spec.split(":", 1)
        run_case(url, int(project), int(requester), fmt, Path(out))
        return
    folder = Path(tempfile.mkdtemp(prefix="fairloop-bench-export-"))
    path = args.db or folder / "bench.db"
    url = f"sqlite:///{path}"
    from fairloop.db.migrate import upgrade

    upgrade(url)
    db = Database(url)
    with db.transaction(readonly=True) as session:
        found = session.execute(select(Project.id, Project.created_by).where(Project.name == NAME)).first()  # fmt: skip
    console = Console()
    if found is None:
        project_id, requester, seed_seconds = seed(db, args.items)
        requester_id = requester.id
        console.print(f"seeded {args.items:,} items, {args.items * 3:,} submissions in {seed_seconds:.1f} s")  # fmt: skip
    else:
        project_id, requester_id = found
    db.dispose()
    table = Table(
        title=f"export of {args.items * 3:,} compare submissions over {args.items:,} items"
    )
    for column in (
        "dataset",
        "file",
        "rows",
        "ties left out",
        "MB written",
        "seconds",
        "CPU s",
        "peak RSS MB",
    ):
        table.add_column(column, justify="right")
    for fmt, name in (("dpo", "dpo.parquet"), ("raw", "raw.jsonl")):
        out = folder / name
        done = subprocess.run(
            [sys.executable, __file__, "--case", url, str(project_id), str(requester_id), f"{fmt}:{out}"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        r = json.loads(done.stdout.strip().splitlines()[-1])
        table.add_row(fmt, name, f"{r['rows']:,}", f"{r['left_out']:,}", f"{r['bytes'] / 1e6:.0f}",
                      f"{r['seconds']:.2f}", f"{r['cpu']:.2f}", f"{r['peak_mb']:.0f}")  # fmt: skip
    console.print(table)


if __name__ == "__main__":
    main()
