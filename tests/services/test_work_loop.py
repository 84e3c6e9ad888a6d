"""Invariants 2, 3 and 7 at the service layer, on both databases."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from fairloop.db.models import Assignment, Item, Submission
from fairloop.errors import Forbidden, PendingLimit
from fairloop.services.projects import consent
from fairloop.services.work.assign import lease_next, release
from fairloop.services.work.submit import submit
from tests import factories as f

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def answer(db, worker, lease, *, now=None, key=None):
    return submit(
        db,
        worker,
        lease.id,
        {"label": "toxic"},
        active_seconds=20,
        idempotency_key=key or f"k{lease.id}",
        now=now,
    )


def test_no_task_before_consent_and_a_new_disclosure_asks_again(db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=3)
    worker, _ = f.user(db, "worker")
    with pytest.raises(Forbidden) as refused:
        lease_next(db, worker, project_id)
    assert refused.value.code == "consent_required"
    consent(db, worker, project_id)
    first = lease_next(db, worker, project_id)
    assert first is not None
    answer(db, worker, first)

    from fairloop.services.projects import revise_disclosure

    revise_disclosure(
        db, requester, project_id, {**f.SPEC["disclosure"], "end_use": "Now also a reward model."}
    )
    with pytest.raises(Forbidden) as again:
        lease_next(db, worker, project_id)
    assert again.value.code == "consent_required"
    consent(db, worker, project_id)
    assert lease_next(db, worker, project_id) is not None


def test_least_submitted_first_then_import_order(db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=3, overlap=2)
    first, second, third = (f.consented_worker(db, project_id)[0] for _ in range(3))
    lease = lease_next(db, first, project_id, now=T0)
    assert lease.external_id == "i0"
    answer(db, first, lease, now=T0)
    # i0 now has a submission: i1 (none yet) comes before it.
    assert lease_next(db, second, project_id, now=T0).external_id == "i1"
    # i1 and i2 both have no submission yet (a lease is not one): import order decides.
    assert lease_next(db, third, project_id, now=T0).external_id == "i1"


def test_a_worker_never_gets_an_item_twice_and_overlap_holds(db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=4, overlap=2)
    workers = [f.consented_worker(db, project_id)[0] for _ in range(3)]
    seen: dict[int, set[int]] = {w.id: set() for w in workers}
    for _ in range(4):
        for worker in workers:
            lease = lease_next(db, worker, project_id, now=T0)
            if lease is None:
                continue
            assert lease.item_id not in seen[worker.id]
            seen[worker.id].add(lease.item_id)
            answer(db, worker, lease, now=T0)
    with db.transaction(readonly=True) as s:
        counts = Counter(s.scalars(select(Submission.item_id)))
    assert sorted(counts.values()) == [2, 2, 2, 2]
    assert all(lease_next(db, w, project_id, now=T0) is None for w in workers)


def test_an_expired_lease_frees_the_item_and_late_work_is_still_accepted(db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=1, overlap=1, lease_minutes=30)
    slow, _ = f.consented_worker(db, project_id)
    quick, _ = f.consented_worker(db, project_id)
    lease = lease_next(db, slow, project_id, now=T0)
    assert lease_next(db, quick, project_id, now=T0 + timedelta(minutes=29)) is None
    second = lease_next(db, quick, project_id, now=T0 + timedelta(minutes=31))
    assert second is not None and second.item_id == lease.item_id

    late, replayed = answer(db, slow, lease, now=T0 + timedelta(minutes=40))
    assert not replayed and late["late"] is True and late["counted"] is True
    on_time, _ = answer(db, quick, second, now=T0 + timedelta(minutes=41))
    # Both are stored (and will be paid), but the item never exceeds its overlap.
    assert on_time["counted"] is False
    with db.transaction(readonly=True) as s:
        assert s.scalar(select(Item.submission_count)) == 1
        assert len(s.scalars(select(Submission)).all()) == 2


def test_a_released_item_goes_back_to_the_pool_but_not_to_the_same_worker(db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=1, overlap=1)
    leaver, _ = f.consented_worker(db, project_id)
    other, _ = f.consented_worker(db, project_id)
    lease = lease_next(db, leaver, project_id, now=T0)
    assert lease_next(db, other, project_id, now=T0) is None
    assert (
        release(db, leaver, lease.id, active_seconds=50, now=T0 + timedelta(seconds=60))[
            "active_seconds"
        ]
        == 50
    )
    assert lease_next(db, leaver, project_id, now=T0) is None
    assert lease_next(db, other, project_id, now=T0).item_id == lease.item_id


def test_a_worker_holding_max_pending_live_leases_is_refused_naming_it(db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=3)
    worker, _ = f.consented_worker(db, project_id)
    held = lease_next(db, worker, project_id, now=T0)
    before = f.row_counts(db)
    with pytest.raises(PendingLimit) as refused:
        lease_next(db, worker, project_id, now=T0)
    assert refused.value.field == "max_pending" and refused.value.held == [held.id]
    assert f.row_counts(db) == before
    # Once the lease runs out it no longer counts.
    assert lease_next(db, worker, project_id, now=T0 + timedelta(minutes=31)) is not None


@pytest.mark.parametrize("overlap", [1, 3])
def test_eight_threads_never_exceed_overlap_nor_repeat_an_item(db, overlap):
    requester, _ = f.user(db, "requester")
    items = 40
    project_id = f.project(db, requester, items=items, overlap=overlap)
    workers = [f.consented_worker(db, project_id)[0] for _ in range(8)]
    errors: list[BaseException] = []

    def work(worker):
        try:
            while (lease := lease_next(db, worker, project_id)) is not None:
                answer(db, worker, lease)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with db.transaction(readonly=True) as s:
        pairs = s.execute(select(Assignment.item_id, Assignment.worker_id)).all()
        per_item = Counter(
            s.scalars(select(Submission.item_id).where(Submission.counted.is_(True)))
        )
    assert len(pairs) == len(set(pairs)), "a worker got an item twice"
    assert max(per_item.values()) <= overlap
    # All the work there was got done: every item reached its overlap.
    assert sum(per_item.values()) == items * overlap
