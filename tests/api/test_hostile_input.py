"""Inputs found by review: each gets a clear 4xx, never a 500, and changes nothing."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from fairloop.db.models import Assignment
from fairloop.errors import PendingLimit
from fairloop.services.work.assign import lease_next
from tests import factories as f


@pytest.mark.parametrize(
    "body",
    [
        '{"data": {"text": "x", "v": NaN}}',
        '{"data": {"text": "x", "v": Infinity}}',
        '{"data": {"text": "\\ud800"}}',
        '{"data": {"text": "a\\u0000b"}}',
        '{"id": "a\\u0000", "data": {"text": "x"}}',
        '{"data": {"text": "x"}, "priority": "--1"}',
        '{"data": {"text": "x"}, "priority": "\u00b2"}',
    ],
)
def test_values_no_database_can_store_are_refused(http, db, body):
    requester, token = f.user(db, "requester")
    project_id = f.project(db, requester)
    before = f.row_counts(db)
    response = http(token).post(f"/api/v1/projects/{project_id}/items", content=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"].startswith("body:1")
    assert f.row_counts(db) == before


def test_ids_beyond_64_bits_are_a_422(http, db):
    _w, token = f.user(db, "worker")
    huge = "9" * 25
    for path in (f"/api/v1/projects/{huge}", f"/api/v1/assignments/{huge}/release"):
        method = "get" if "release" not in path else "post"
        response = getattr(http(token), method)(path)
        assert response.status_code == 422 and response.json()["error"]["field"] in (
            "project_id",
            "assignment_id",
        )


def test_absurd_pay_is_refused_with_its_field(http, db):
    _r, token = f.user(db, "requester")
    spec = f.spec(pay={**f.SPEC["pay"], "per_task": "1e27"})
    response = http(token).post("/api/v1/projects", json=spec)
    assert response.status_code == 422 and response.json()["error"]["field"] == "pay.per_task"


def test_password_guessing_is_rate_limited(http, db):
    worker, _ = f.user(db, "worker")
    api = http()
    codes = [
        api.post(
            "/api/v1/auth/token", json={"email": worker.email, "password": "guess"}
        ).status_code
        for _ in range(7)
    ]
    # Five free failures from one address, then it backs off (see test_rate_limits.py).
    assert codes[:5] == [401] * 5 and codes[5:] == [429, 429]


def test_a_changed_disclosure_over_the_api_asks_again(http, db):
    requester, rtoken = f.user(db, "requester")
    project_id = f.project(db, requester, items=2)
    _w, wtoken = f.consented_worker(db, project_id)
    changed = {**f.SPEC["disclosure"], "end_use": "Also a reward model for Test Lab."}
    revised = http(rtoken).put(f"/api/v1/projects/{project_id}/disclosure", json=changed)
    assert revised.json()["disclosure_version"] == 2
    refused = http(wtoken).post(f"/api/v1/projects/{project_id}/assignments")
    assert refused.status_code == 403 and "version 2" in refused.json()["error"]["message"]
    bad = http(rtoken).put(f"/api/v1/projects/{project_id}/disclosure", json={"purpose": "x"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "disclosure.end_use"


def test_parallel_leases_by_one_worker_take_one_item(db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=20)
    worker, _ = f.consented_worker(db, project_id)
    errors: list[BaseException] = []

    def lease():
        try:
            lease_next(db, worker, project_id)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=lease) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # One lease; every other is refused as past max_pending (1).
    assert len(errors) == 5 and all(isinstance(e, PendingLimit) for e in errors)
    with db.transaction(readonly=True) as s:
        assert s.scalar(select(func.count(Assignment.id))) == 1
