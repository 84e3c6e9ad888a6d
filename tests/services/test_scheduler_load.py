"""Sixteen threads on 2,000 items at overlap 3, on both databases: every submission
accounted for, no slot leased twice, no worker twice on an item."""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import func, select

from fairloop.db.models import Assignment, Item, Submission
from fairloop.services.work.assign import lease_next
from fairloop.services.work.submit import submit
from tests import factories as f

THREADS, ITEMS, OVERLAP = 16, 2_000, 3


def test_sixteen_threads_two_thousand_items_overlap_three(db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=ITEMS, overlap=OVERLAP)
    workers = [f.consented_worker(db, project_id)[0] for _ in range(THREADS)]
    acknowledged: list[list[int]] = [[] for _ in workers]
    failures: list[BaseException] = []

    def work(n: int) -> None:
        worker = workers[n]
        try:
            while (lease := lease_next(db, worker, project_id)) is not None:
                stored, _ = submit(
                    db,
                    worker,
                    lease.id,
                    {"label": "toxic"},
                    active_seconds=1,
                    idempotency_key=f"w{n}-{lease.id}",
                )
                acknowledged[n].append(stored["id"])
        except BaseException as exc:  # surfaced below; a thread must not die silently
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures[0]
    with db.transaction(readonly=True) as s:
        stored = s.execute(select(Submission.id, Submission.item_id, Submission.worker_id)).all()
        counts = s.execute(
            select(Item.submission_count, func.count()).group_by(Item.submission_count)
        ).all()
        states = Counter(s.scalars(select(Assignment.state)))
        counted = s.scalar(select(func.count()).where(Submission.counted.is_(True)))
    # Every acknowledged submission is stored, once; nothing else is.
    assert sorted(i for acks in acknowledged for i in acks) == sorted(r.id for r in stored)
    assert len(stored) == ITEMS * OVERLAP == counted
    # Every item got exactly its overlap; no slot was leased twice (no lease was left
    # over, none was released), and no worker answered an item twice.
    assert counts == [(OVERLAP, ITEMS)]
    assert states == {"submitted": ITEMS * OVERLAP}
    assert len({(r.item_id, r.worker_id) for r in stored}) == len(stored)
