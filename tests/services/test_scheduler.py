"""The scheduler on both databases: gold, dynamic overlap, skills, qualification,
daily cap, max_pending and scarcity."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from fairloop.cli.common import OPERATOR
from fairloop.db.models import Assignment, Item, ProjectWorker, QualificationAttempt
from fairloop.errors import InvalidInput, NotNow, PendingLimit
from fairloop.services.exports import export_rows
from fairloop.services.projects import project_view
from fairloop.services.work import qualification
from fairloop.services.work.assign import lease_next, release
from fairloop.services.work.skills import grant_skill
from fairloop.services.work.submit import submit
from tests import factories as f

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def answer(db, worker, lease, label="toxic", *, now=T0):
    stored, _ = submit(
        db,
        worker,
        lease.id,
        {"label": label},
        active_seconds=5,
        idempotency_key=f"k{lease.id}",
        now=now,
    )
    return stored


def items(n, *, gold=0, prefix="i", **extra):
    rows = [{"id": f"{prefix}{i}", "data": {"text": f"comment {i}"}, **extra} for i in range(n)]
    rows += [
        {"id": f"g{i}", "data": {"text": f"gold {i}"}, "gold": {"label": "toxic"}}
        for i in range(gold)
    ]
    return rows


def test_gold_is_mixed_in_at_its_rate_never_twice_scored_and_never_exported(db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, overlap=1, gold_rate=0.25)
    f.add_items(db, requester, project_id, items(60, gold=10))
    worker, _ = f.consented_worker(db, project_id)
    kinds = []
    for n in range(40):
        lease = lease_next(db, worker, project_id, now=T0)
        assert "gold" not in lease.as_json()["item"]  # indistinguishable to the worker
        kinds.append(lease.external_id[0])
        # Right on even leases only: accuracy is kept per worker.
        answer(db, worker, lease, "toxic" if n % 2 == 0 else "not_toxic")
    golds = [k for k in kinds if k == "g"]
    assert abs(len(golds) - 0.25 * 40) <= 1
    with db.transaction(readonly=True) as s:
        handed = s.scalars(
            select(Assignment.item_id).where(Assignment.worker_id == worker.id)
        ).all()
        pw = s.scalars(select(ProjectWorker).where(ProjectWorker.user_id == worker.id)).one()
    assert len(handed) == len(set(handed))
    assert pw.gold_answered == len(golds) and pw.gold_leased == len(golds)
    assert 0 < pw.gold_correct < pw.gold_answered
    for fmt in ("raw", "aggregated"):
        rows = list(export_rows(db, requester, project_id, fmt))
        assert rows and not any(str(r["external_id"]).startswith("g") for r in rows)
    progress = project_view(db, requester, project_id)["progress"]
    assert progress["items"] == 60 and progress["gold_items"] == 10


def test_dynamic_overlap_stops_on_agreement_asks_more_on_disagreement(db):
    requester, _ = f.user(db, "requester")
    dynamic = {"min": 2, "max": 4, "confidence": 0.7}
    project_id = f.project(db, requester, items=2, overlap=dynamic)
    workers = [f.consented_worker(db, project_id)[0] for _ in range(5)]
    # i0: everyone says toxic; i1: workers split.
    split = {0: "toxic", 1: "not_toxic", 2: "toxic", 3: "not_toxic", 4: "toxic"}
    f.work_through(
        db,
        project_id,
        workers,
        lambda w, eid: {"label": "toxic" if eid == "i0" else split[workers.index(w)]},
    )
    with db.transaction(readonly=True) as s:
        got = dict(s.execute(select(Item.external_id, Item.submission_count)).all())
        wanted = dict(s.execute(select(Item.external_id, Item.wanted)).all())
    assert got == {"i0": 2, "i1": 4} and wanted == {"i0": 2, "i1": 4}
    progress = project_view(db, requester, project_id)["progress"]
    assert progress["items_complete"] == 2
    assert progress["submissions_saved"] == 2  # i0 stopped at 2 of 4


def test_items_needing_a_skill_go_only_to_workers_who_have_it(db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, overlap=1)
    f.add_items(
        db,
        requester,
        project_id,
        [
            {"id": "sw", "data": {"text": "habari"}, "skills": ["language:sw"], "priority": 5},
            {"id": "med", "data": {"text": "dx"}, "skills": "domain:medicine@3", "priority": 5},
            {"id": "plain", "data": {"text": "hello"}},
        ],
    )
    worker, _ = f.consented_worker(db, project_id)
    lease = lease_next(db, worker, project_id, now=T0)
    assert lease.external_id == "plain"
    answer(db, worker, lease)
    assert lease_next(db, worker, project_id, now=T0) is None
    grant_skill(db, OPERATOR, worker.email, "language:sw")
    grant_skill(db, OPERATOR, worker.email, "domain:medicine", level=2)
    lease = lease_next(db, worker, project_id, now=T0)
    assert lease.external_id == "sw"
    answer(db, worker, lease)
    assert lease_next(db, worker, project_id, now=T0) is None  # level 2 < 3
    grant_skill(db, OPERATOR, worker.email, "domain:medicine@3")
    assert lease_next(db, worker, project_id, now=T0).external_id == "med"


def test_a_spec_skill_is_required_of_every_worker(db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=2, skills=["language:sw@2"])
    worker, _ = f.consented_worker(db, project_id)
    with pytest.raises(NotNow) as refused:
        lease_next(db, worker, project_id, now=T0)
    assert refused.value.code == "skill_required" and "language:sw@2" in refused.value.message
    grant_skill(db, OPERATOR, worker.email, "language:sw", level=2)
    assert lease_next(db, worker, project_id, now=T0) is not None


def take_test(db, worker, project_id, labels, *, now):
    for label in labels:
        lease = qualification.lease_question(db, worker, project_id, now=now)
        now += timedelta(seconds=30)
        answer(db, worker, lease, label, now=now)


def test_qualification_first_with_pass_mark_retake_rule_and_granted_skill(db):
    requester, _ = f.user(db, "requester")
    test = {"items": 2, "pass": 1.0, "retake_after_hours": 24, "grants": ["language:sw"]}
    project_id = f.project(db, requester, overlap=1, qualification=test)
    f.add_items(db, requester, project_id, items(3, gold=3))
    worker, _ = f.consented_worker(db, project_id)
    with pytest.raises(NotNow) as refused:
        lease_next(db, worker, project_id, now=T0)
    assert refused.value.code == "qualification_required"
    assert refused.value.link == f"/work/projects/{project_id}/qualification"

    take_test(db, worker, project_id, ["toxic", "not_toxic"], now=T0)
    standing = qualification.status(db, worker, project_id, now=T0 + timedelta(minutes=1))
    assert standing["state"] == "failed" and standing["correct"] == 1
    with pytest.raises(NotNow) as wait:
        qualification.lease_question(db, worker, project_id, now=T0 + timedelta(hours=23))
    assert wait.value.code == "retake_wait" and wait.value.resume_at.startswith("2026-11-03T09:01")

    later = T0 + timedelta(hours=25)
    take_test(db, worker, project_id, ["toxic", "toxic"], now=later)
    later += timedelta(minutes=1)
    assert qualification.status(db, worker, project_id, now=later)["state"] == "passed"
    from fairloop.services.work.skills import my_skills

    assert my_skills(db, worker) == {"language:sw": 1}
    lease = lease_next(db, worker, project_id, now=later)
    # The test's gold items (the first gold imported) never come back as work.
    assert lease.external_id.startswith(("i", "g2"))
    with db.transaction(readonly=True) as s:
        tests = s.execute(
            select(Assignment.kind, Assignment.active_seconds).where(
                Assignment.kind == "qualification"
            )
        ).all()
        attempts = s.scalars(select(QualificationAttempt.passed)).all()
    assert len(tests) == 4 and all(seconds > 0 for _, seconds in tests)  # recorded as work
    assert sorted(attempts) == [False, True]


def test_daily_cap_shares_scarce_work_and_resets_the_next_day(db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=5, overlap=1, daily_cap=2)
    worker, _ = f.consented_worker(db, project_id)
    for _ in range(2):
        answer(db, worker, lease_next(db, worker, project_id, now=T0))
    with pytest.raises(NotNow) as capped:
        lease_next(db, worker, project_id, now=T0)
    assert capped.value.code == "daily_cap" and capped.value.resume_at.startswith("2026-11-03T00")
    other, _ = f.consented_worker(db, project_id)
    assert lease_next(db, other, project_id, now=T0) is not None
    assert lease_next(db, worker, project_id, now=T0 + timedelta(days=1)) is not None


def test_max_pending_caps_leases_and_scarcity_drops_it_to_one(db):
    requester, _ = f.user(db, "requester")
    plenty = f.project(db, requester, items=40, overlap=1, max_pending=3)
    worker, _ = f.consented_worker(db, plenty)
    held = [lease_next(db, worker, plenty, now=T0).id for _ in range(3)]
    before = f.row_counts(db)
    with pytest.raises(PendingLimit) as refused:
        lease_next(db, worker, plenty, now=T0)
    assert refused.value.held == held and refused.value.field == "max_pending"
    assert f.row_counts(db) == before
    release(db, worker, held[0], now=T0)
    assert lease_next(db, worker, plenty, now=T0) is not None

    scarce = f.project(db, requester, items=5, overlap=1, max_pending=3)
    hoarder, _ = f.consented_worker(db, scarce)
    assert lease_next(db, hoarder, scarce, now=T0) is not None
    with pytest.raises(PendingLimit):
        lease_next(db, hoarder, scarce, now=T0)
    others = [f.consented_worker(db, scarce)[0] for _ in range(4)]
    assert all(lease_next(db, w, scarce, now=T0) is not None for w in others)


def test_bad_item_skill_and_too_few_gold_items_refuse_the_import(db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, qualification={"items": 3, "pass": 0.6})
    before = f.row_counts(db)
    with pytest.raises(InvalidInput) as bad:
        f.add_items(
            db,
            requester,
            project_id,
            [*items(2, gold=3), {"data": {"text": "x"}, "skills": ["Swahili"]}],
        )
    assert bad.value.field == "test:6: skills" and "kind:value" in bad.value.message
    with pytest.raises(InvalidInput) as few:
        f.add_items(db, requester, project_id, items(5, gold=2))
    assert few.value.field == "qualification.items" and "only 2 gold" in few.value.message
    assert f.row_counts(db) == before


def test_priority_then_least_submitted_then_import_order(db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, overlap=2)
    f.add_items(
        db,
        requester,
        project_id,
        [
            {"id": "low", "data": {"text": "a"}},
            {"id": "high", "data": {"text": "b"}, "priority": 3},
        ],
    )
    workers = [f.consented_worker(db, project_id)[0] for _ in range(3)]
    order = []
    for w in workers:
        lease = lease_next(db, w, project_id, now=T0)
        order.append(lease.external_id)
        answer(db, w, lease)
    assert order == ["high", "high", "low"]
    assert Counter(order) == {"high": 2, "low": 1}
