"""Invariant 9 over HTTP: bad input gets a clear 4xx naming the field; nothing changes."""

from __future__ import annotations

import pytest

from tests import factories as f


def error_of(response, status):
    assert response.status_code == status, response.text
    return response.json()["error"]


@pytest.fixture
def requester_api(http, db):
    requester, token = f.user(db, "requester")
    return requester, http(token)


def test_spec_missing_disclosure_purpose(requester_api, db):
    _, api = requester_api
    body = f.spec()
    del body["disclosure"]["purpose"]
    before = f.row_counts(db)
    err = error_of(api.post("/api/v1/projects", json=body), 422)
    assert err["field"] == "disclosure.purpose" and "required" in err["message"]
    assert f.row_counts(db) == before


def test_unknown_task_type(requester_api, db):
    _, api = requester_api
    before = f.row_counts(db)
    err = error_of(
        api.post("/api/v1/projects", json=f.spec(task={"type": "colouring", "labels": ["a", "b"]})),
        422,
    )
    assert err["field"] == "task.type" and "colouring" in err["message"]
    assert f.row_counts(db) == before


def test_body_that_is_not_json(requester_api, db):
    _, api = requester_api
    err = error_of(api.post("/api/v1/projects", content=b"{name: oops"), 422)
    assert err["field"] == "body"


def test_a_json_line_that_is_not_json_fails_the_whole_import(requester_api, db):
    requester, api = requester_api
    project_id = f.project(db, requester)
    before = f.row_counts(db)
    lines = (
        '{"data": {"text": "fine"}}\n{"data": {"text": "also fine"}}\n{"data": {"text": oops}}\n'
    )
    err = error_of(api.post(f"/api/v1/projects/{project_id}/items", content=lines), 422)
    assert err["field"] == "body:3" and "JSON" in err["message"]
    assert f.row_counts(db) == before


def test_an_item_without_data_names_its_line(requester_api, db):
    requester, api = requester_api
    project_id = f.project(db, requester)
    before = f.row_counts(db)
    err = error_of(
        api.post(
            f"/api/v1/projects/{project_id}/items", json=[{"data": {"text": "a"}}, {"text": "b"}]
        ),
        422,
    )
    assert err["field"] == "body:2: text"
    assert f.row_counts(db) == before


def test_a_label_that_is_not_in_the_spec(http, db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=1)
    _w, token = f.consented_worker(db, project_id)
    api = http(token)
    lease = api.post(f"/api/v1/projects/{project_id}/assignments").json()
    before = f.row_counts(db)
    err = error_of(
        f.post_answer(api, lease["id"], "spicy", key="x", seconds=3),
        422,
    )
    assert err["field"] == "answer.label" and "spicy" in err["message"]
    assert f.row_counts(db) == before
    # The lease is untouched: the worker can still answer it properly.
    ok = f.post_answer(api, lease["id"], "toxic", key="x", seconds=3)
    assert ok.status_code == 201


def test_a_submission_to_someone_elses_assignment(http, db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=2)
    _owner, owner_token = f.consented_worker(db, project_id)
    _thief, thief_token = f.consented_worker(db, project_id)
    lease = http(owner_token).post(f"/api/v1/projects/{project_id}/assignments").json()
    before = f.row_counts(db)
    err = error_of(
        f.post_answer(http(thief_token), lease["id"], "toxic", key="steal", seconds=3),
        404,
    )
    assert err["field"] == "assignment_id"
    assert error_of(http(thief_token).post(f"/api/v1/assignments/{lease['id']}/release"), 404)
    assert f.row_counts(db) == before


def test_a_token_that_does_not_exist(http, db):
    before = f.row_counts(db)
    err = error_of(http("fl_not-a-real-token").get("/api/v1/projects"), 401)
    assert err["field"] == "Authorization"
    assert error_of(http().get("/api/v1/projects"), 401)["field"] == "Authorization"
    assert f.row_counts(db) == before


def test_a_submission_without_idempotency_key(http, db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=1)
    _w, token = f.consented_worker(db, project_id)
    api = http(token)
    lease = api.post(f"/api/v1/projects/{project_id}/assignments").json()
    before = f.row_counts(db)
    err = error_of(
        api.post(
            f"/api/v1/assignments/{lease['id']}/submission", json={"answer": {"label": "toxic"}}
        ),
        400,
    )
    assert err["field"] == "Idempotency-Key"
    assert f.row_counts(db) == before


def test_wrong_password(http, db):
    worker, _ = f.user(db, "worker")
    err = error_of(
        http().post("/api/v1/auth/token", json={"email": worker.email, "password": "nope"}), 401
    )
    assert err["code"] == "unauthorized"
