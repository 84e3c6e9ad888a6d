"""Invariant 8: a requester sees workers only as pseudonyms, and only its own projects."""

from __future__ import annotations

import json

from tests import factories as f


def test_another_organisation_cannot_see_or_touch_a_project(http, db):
    owner, _ = f.user(db, "requester", org="Owner Lab")
    project_id = f.project(db, owner, items=2)
    _rival, rival_token = f.user(db, "requester", org="Rival Lab")
    rival = http(rival_token)
    before = f.row_counts(db)
    for response in (
        rival.get(f"/api/v1/projects/{project_id}"),
        rival.get(f"/api/v1/projects/{project_id}/export?format=raw"),
        rival.post(f"/api/v1/projects/{project_id}/items", json=[{"data": {"text": "x"}}]),
        rival.post(f"/api/v1/projects/{project_id}/pause"),
    ):
        assert response.status_code == 404, response.text
    assert rival.get("/api/v1/projects").json() == []
    assert f.row_counts(db) == before


def test_exports_name_workers_only_by_a_per_project_pseudonym(http, db):
    requester, token = f.user(db, "requester")
    first = f.project(db, requester, items=1, overlap=1)
    second = f.project(db, requester, items=1, overlap=1)
    worker, wtoken = f.user(db, "worker")
    api = http(wtoken)
    for project_id in (first, second):
        api.post(f"/api/v1/projects/{project_id}/consent")
        lease = api.post(f"/api/v1/projects/{project_id}/assignments").json()
        api.post(
            f"/api/v1/assignments/{lease['id']}/submission",
            json={"answer": {"label": "toxic"}, "active_seconds": 2},
            headers={"Idempotency-Key": f"p{project_id}"},
        )
    names = []
    for project_id in (first, second):
        text = http(token).get(f"/api/v1/projects/{project_id}/export?format=raw").text
        assert worker.email not in text
        row = json.loads(text)
        assert row["worker"].startswith("w-") and str(worker.id) != row["worker"]
        names.append(row["worker"])
    # Two projects cannot join their data on a shared worker id.
    assert names[0] != names[1]


def test_workers_cannot_use_requester_endpoints(http, db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=1)
    _w, token = f.consented_worker(db, project_id)
    worker_api = http(token)
    assert worker_api.get(f"/api/v1/projects/{project_id}/export").status_code == 404
    assert worker_api.post("/api/v1/projects", json=f.spec()).status_code == 403
