"""The work loop over real HTTP: invariants 1 and 7, and the layouts of INTERFACE.md."""

from __future__ import annotations

import json
import threading

from sqlalchemy import func, select

from fairloop.db.models import Submission
from tests import factories as f


def test_health(http):
    assert http().get("/healthz").json() == {"status": "ok"}


def test_token_from_password_then_the_loop(http, db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=2)
    worker, _ = f.user(db, "worker")
    token = http().post("/api/v1/auth/token", json={"email": worker.email, "password": f.PASSWORD})
    assert token.status_code == 200
    api = http(token.json()["token"])

    refused = api.post(f"/api/v1/projects/{project_id}/assignments")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "consent_required"
    assert (
        api.get(f"/api/v1/projects/{project_id}")
        .json()["disclosure"]["purpose"]
        .startswith("Label")
    )
    assert api.post(f"/api/v1/projects/{project_id}/consent").status_code == 200

    lease = api.post(f"/api/v1/projects/{project_id}/assignments")
    assert lease.status_code == 201
    body = lease.json()
    assert set(body) >= {"id", "item", "task", "shown", "lease_expires_at"}
    assert body["item"]["data"] == {"text": "comment 0"}
    done = f.post_answer(api, body["id"], "toxic", key="one", seconds=12)
    assert done.status_code == 201
    assert done.json()["answer"] == {"label": "toxic"}


def test_a_replayed_submission_returns_the_first_response_and_stores_one_row(http, db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=1)
    _worker, token = f.consented_worker(db, project_id)
    api = http(token)
    lease = api.post(f"/api/v1/projects/{project_id}/assignments").json()
    url = f"/api/v1/assignments/{lease['id']}/submission"
    first = api.post(
        url,
        json={"answer": {"label": "toxic"}, "active_seconds": 3},
        headers={"Idempotency-Key": "abc"},
    )
    # A retry after a lost response, even with a different body, gets the first answer back.
    again = api.post(
        url,
        json={"answer": {"label": "not_toxic"}, "active_seconds": 9},
        headers={"Idempotency-Key": "abc"},
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    with db.transaction(readonly=True) as s:
        assert s.scalar(select(func.count(Submission.id))) == 1


def test_concurrent_replays_store_one_row(http, db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=1)
    _worker, token = f.consented_worker(db, project_id)
    api0 = http(token)
    lease = api0.post(f"/api/v1/projects/{project_id}/assignments").json()
    statuses: list[int] = []

    def send():
        with http(token) as api:
            r = f.post_answer(api, lease["id"], "toxic", key="race", seconds=1)
            statuses.append(r.status_code)

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200] * 5 + [201]
    with db.transaction(readonly=True) as s:
        assert s.scalar(select(func.count(Submission.id))) == 1


def test_no_work_is_204_and_release_gives_back(http, db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=1, overlap=1)
    _a, token_a = f.consented_worker(db, project_id)
    _b, token_b = f.consented_worker(db, project_id)
    lease = http(token_a).post(f"/api/v1/projects/{project_id}/assignments").json()
    assert http(token_b).post(f"/api/v1/projects/{project_id}/assignments").status_code == 204
    released = http(token_a).post(f"/api/v1/assignments/{lease['id']}/release")
    assert released.json()["state"] == "released"
    assert http(token_b).post(f"/api/v1/projects/{project_id}/assignments").status_code == 201


def test_paused_project_gives_no_new_leases(http, db):
    requester, req_token = f.user(db, "requester")
    project_id = f.project(db, requester, items=2)
    _w, token = f.consented_worker(db, project_id)
    assert http(req_token).post(f"/api/v1/projects/{project_id}/pause").json()["state"] == "paused"
    refused = http(token).post(f"/api/v1/projects/{project_id}/assignments")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "project_paused"


def test_import_and_export_over_the_api(http, db):
    _requester, token = f.user(db, "requester")
    api = http(token)
    created = api.post("/api/v1/projects", json=f.spec(overlap=1))
    assert created.status_code == 201
    project_id = created.json()["id"]
    lines = "\n".join(json.dumps({"id": f"c{i}", "data": {"text": f"t{i}"}}) for i in range(5))
    assert api.post(f"/api/v1/projects/{project_id}/items", content=lines).json() == {"imported": 5}
    assert api.post(
        f"/api/v1/projects/{project_id}/items", json=[{"data": {"text": "x"}}]
    ).json() == {"imported": 1}
    _w, wtoken = f.consented_worker(db, project_id)
    wapi = http(wtoken)
    for n in range(6):
        lease = wapi.post(f"/api/v1/projects/{project_id}/assignments").json()
        label = "toxic" if n % 2 else "not_toxic"
        f.post_answer(wapi, lease["id"], label, key=str(n), seconds=5)
    raw = [
        json.loads(line)
        for line in api.get(f"/api/v1/projects/{project_id}/export?format=raw").text.splitlines()
    ]
    assert len(raw) == 6
    assert {r["external_id"] for r in raw} == {"c0", "c1", "c2", "c3", "c4", None}
    assert set(raw[0]) >= {
        "submission_id",
        "item_id",
        "external_id",
        "worker",
        "answer",
        "active_seconds",
        "submitted_at",
        "assignment_id",
        "shown",
    }
    agg = api.get(f"/api/v1/projects/{project_id}/export?format=aggregated").text.splitlines()
    assert len(agg) == 6
    progress = api.get(f"/api/v1/projects/{project_id}").json()["progress"]
    assert progress == {
        "items": 6,
        "items_complete": 6,
        "submissions": 6,
        "workers": 1,
        "pending_review": 6,
        "gold_items": 0,
        "submissions_saved": 0,
    }
