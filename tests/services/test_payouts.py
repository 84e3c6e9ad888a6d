"""Payouts exactly once: settlement committing while payouts are marked, and two
markings at once, pay each cent once and leave no balance under zero (issue 15, part 4).

The scenario measured before the fix, on PostgreSQL: a first ``--mark-paid`` reads a
worker's balance (0.20); a settlement commits 0.20 more; a second ``--mark-paid``
reads 0.40 and pays it; the first then pays its 0.20: 0.60 paid for 0.40 owed,
balance -0.20.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from fairloop.db.models import LedgerEntry
from fairloop.domain.actors import Actor
from fairloop.services.pay import payouts, review
from fairloop.services.pay.payouts import mark_paid, payouts_due
from fairloop.services.pay.settle import settle
from tests import factories as f
from tests.factories.pay import T0, do_task

ADMIN = Actor(id=0, role="admin", email="operator@cli")


def _balances(db) -> dict[int, int]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(LedgerEntry.user_id, func.sum(LedgerEntry.amount_minor)).group_by(
                LedgerEntry.user_id
            )
        )
        return {int(u): int(s) for u, s in rows}


def _sums(db, worker_id: int) -> tuple[int, int]:
    """(earned, paid out) of one worker, in minor units."""
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(LedgerEntry.kind, LedgerEntry.amount_minor).where(
                LedgerEntry.user_id == worker_id
            )
        ).all()
    earned = sum(a for k, a in rows if k != "payout")
    paid = -sum(a for k, a in rows if k == "payout")
    return earned, paid


@pytest.fixture
def owed(db):
    """A worker with 0.20 approved and 0.20 pending that settlement will approve."""
    requester, _ = f.user(db, "requester", password=None)
    project_id = f.project(db, requester, items=5, overlap=1)
    worker, _ = f.consented_worker(db, project_id, password=None)
    first = do_task(db, worker, project_id, T0, 30)
    review.review(db, requester, first["id"], {"decision": "approve"})
    do_task(db, worker, project_id, T0 + timedelta(minutes=5), 30)
    return worker


def test_settlement_committing_while_payouts_are_marked_pays_each_cent_once(db, owed, monkeypatch):
    """The first marking pauses between reading the balances and writing its payouts;
    meanwhile settlement commits new pay and a second marking runs."""
    read, go_on = threading.Event(), threading.Event()
    original = payouts._due

    def paused_due(conn):
        due = original(conn)
        if threading.current_thread().name == "first":
            read.set()
            go_on.wait(10)
        return due

    monkeypatch.setattr(payouts, "_due", paused_due)
    results: dict[str, list[payouts.Payout]] = {}

    def run(name: str) -> None:
        results[name] = mark_paid(db, ADMIN)

    first = threading.Thread(target=run, args=("first",), name="first")
    first.start()
    assert read.wait(10)
    # On SQLite, settlement waits for the single writer; on PostgreSQL it commits now.
    settling = threading.Thread(target=settle, args=(db,), kwargs={"now": T0 + timedelta(days=4)})
    settling.start()
    settling.join(2)
    second = threading.Thread(target=run, args=("second",), name="second")
    second.start()
    second.join(1)  # before the fix, the second marking paid 0.40 here
    go_on.set()
    for t in (first, settling, second):
        t.join(30)
        assert not t.is_alive()
    earned, paid = _sums(db, owed.id)
    assert (earned, paid) == (40, sum(p.amount_minor for r in results.values() for p in r))
    assert paid <= earned and all(b >= 0 for b in _balances(db).values())
    # Whatever is left is paid by the next marking, and then nothing is due.
    mark_paid(db, ADMIN)
    assert _sums(db, owed.id) == (40, 40)
    assert payouts_due(db, ADMIN) == [] and mark_paid(db, ADMIN) == []


def test_two_markings_at_once_pay_a_balance_once(db, owed):
    settle(db, now=T0 + timedelta(days=4))
    start = threading.Barrier(2)
    results: list[list[payouts.Payout]] = []

    def run() -> None:
        start.wait(10)
        results.append(mark_paid(db, ADMIN))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(len(r) for r in results) == [0, 1]
    assert _sums(db, owed.id) == (40, 40)
    assert _balances(db)[owed.id] == 0
