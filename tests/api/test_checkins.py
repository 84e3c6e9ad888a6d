"""Check-ins: the worker sees their own; requesters see an average only over 5 or more
workers; the answers never change what a worker is given or paid."""

from __future__ import annotations

from sqlalchemy import select

from fairloop.db.models import Assignment, LedgerEntry
from fairloop.services.wellbeing.checkins import submit_checkin
from fairloop.services.work.assign import lease_next
from tests import factories as f

LOW = [1, 1, 1, 1, 1, 1, 1]
HIGH = [5, 5, 5, 5, 5, 5, 5]


def exposed_workers(db, requester, project_id, n):
    """n workers who each leased one hazard item of the project."""
    workers = []
    for _ in range(n):
        worker, token = f.consented_worker(db, project_id)
        assert lease_next(db, worker, project_id) is not None
        workers.append((worker, token))
    return workers


def hazard_project(db, requester, items):
    project_id = f.project(db, requester, overlap=10, **f.hazard_spec(["vcr"]))
    f.add_items(
        db,
        requester,
        project_id,
        [{"data": {"text": f"t{i}"}, "hazards": ["vcr"], "severity": 1} for i in range(items)],
    )
    return project_id


def test_requester_sees_nothing_below_five_workers_then_only_the_mean(http, db):
    requester, req_token = f.user(db, "requester")
    project_id = hazard_project(db, requester, 1)
    workers = exposed_workers(db, requester, project_id, 5)
    req = http(req_token)
    for n, (_worker, token) in enumerate(workers[:4]):
        assert http(token).post("/api/v1/me/checkins", json={"answers": LOW}).status_code == 201
        seen = req.get(f"/api/v1/projects/{project_id}/wellbeing").json()
        assert seen["workers"] is None and seen["mean_score"] is None, n
        assert "answers" not in str(seen)
    http(workers[4][1]).post("/api/v1/me/checkins", json={"answers": HIGH})
    seen = req.get(f"/api/v1/projects/{project_id}/wellbeing").json()
    assert seen["workers"] == 5 and seen["mean_score"] == round((4 * 7 + 35) / 5, 1)


def test_a_worker_sees_only_their_own_check_ins(http, db):
    _a, token_a = f.user(db, "worker")
    _b, token_b = f.user(db, "worker")
    http(token_a).post("/api/v1/me/checkins", json={"answers": LOW})
    assert http(token_b).get("/api/v1/me/checkins").json() == []
    mine = http(token_a).get("/api/v1/me/checkins").json()
    assert [c["answers"] for c in mine] == [LOW]


def test_another_organisation_cannot_read_the_aggregate(http, db):
    requester, _ = f.user(db, "requester", org="Lab A")
    project_id = hazard_project(db, requester, 1)
    _other, token = f.user(db, "requester", org="Lab B")
    assert http(token).get(f"/api/v1/projects/{project_id}/wellbeing").status_code == 404


def test_bad_check_ins_are_refused_naming_the_answer(http, db):
    _w, token = f.user(db, "worker")
    api = http(token)
    before = f.row_counts(db)
    bad = api.post("/api/v1/me/checkins", json={"answers": [1, 2, 3, 4, 5, 6, 1]})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "answers[5]"
    short = api.post("/api/v1/me/checkins", json={"answers": [1, 2]})
    assert short.status_code == 422 and short.json()["error"]["field"] == "answers"
    assert f.row_counts(db) == before


def test_check_ins_never_change_leasing_or_pay(db):
    """Two identical worlds, one with check-ins: the same items are leased, same ledger."""
    outcomes = []
    for with_checkins in (False, True):
        from tests.conftest import clean

        clean(db)
        requester, _ = f.user(db, "requester")
        project_id = hazard_project(db, requester, 3)
        worker, _ = f.consented_worker(db, project_id)
        if with_checkins:
            for _ in range(3):
                submit_checkin(db, worker, LOW)
        lease = lease_next(db, worker, project_id)
        with db.transaction(readonly=True) as s:
            ledger = s.execute(select(LedgerEntry.amount_minor)).all()
            item_order = s.scalar(select(Assignment.item_id))
        outcomes.append((lease.data, lease.hazards, len(ledger), item_order is not None))
    assert outcomes[0] == outcomes[1]


def test_no_other_table_refers_to_check_ins():
    from fairloop.db.models import Base

    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            assert fk.column.table.name != "wellbeing_checkins", table.name
