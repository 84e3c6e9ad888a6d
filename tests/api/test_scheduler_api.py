"""The scheduler over HTTP: spec fields refused with the field named, nothing
changed; the qualification's 403 with a link; max_pending's 409; skills."""

from __future__ import annotations

import pytest

from tests import factories as f


def error_of(response, status):
    assert response.status_code == status, response.text
    return response.json()["error"]


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"overlap": {"min": 4, "max": 2, "confidence": 0.9}}, "overlap.min", "above"),
        ({"overlap": {"min": 2, "max": 4, "confidence": 0}}, "overlap.confidence", "greater"),
        ({"overlap": {"min": 2, "max": 4, "confidence": 1.0}}, "overlap.confidence", "less"),
        ({"overlap": {"min": 2, "max": 4}}, "overlap.confidence", "required"),
        ({"gold_rate": 1}, "gold_rate", "less"),
        ({"gold_rate": -0.1}, "gold_rate", "greater"),
        ({"skills": ["Swahili"]}, "skills", "kind:value"),
        (
            {"qualification": {"items": 2, "pass": 0.8, "grants": ["x y"]}},
            "qualification.grants",
            "skill",
        ),
        ({"max_pending": 0}, "max_pending", "greater"),
        ({"daily_cap": 0}, "daily_cap", "greater"),
    ],
)
def test_bad_scheduler_fields_in_a_spec(http, db, overrides, field, words):
    _, token = f.user(db, "requester")
    before = f.row_counts(db)
    err = error_of(http(token).post("/api/v1/projects", json=f.spec(**overrides)), 422)
    assert err["field"] == field and words in err["message"]
    assert f.row_counts(db) == before


def test_import_refuses_a_bad_item_skill_and_too_few_gold_for_the_test(http, db):
    requester, token = f.user(db, "requester")
    project_id = f.project(db, requester, qualification={"items": 2, "pass": 0.5})
    api = http(token)
    before = f.row_counts(db)
    rows = [
        {"data": {"text": "a"}, "gold": {"label": "toxic"}},
        {"data": {"text": "b"}, "gold": {"label": "toxic"}},
        {"data": {"text": "c"}, "skills": ["language:"]},
    ]
    err = error_of(api.post(f"/api/v1/projects/{project_id}/items", json=rows), 422)
    assert err["field"] == "body:3: skills"
    err = error_of(api.post(f"/api/v1/projects/{project_id}/items", json=rows[:1]), 422)
    assert err["field"] == "qualification.items" and "only 1 gold" in err["message"]
    assert f.row_counts(db) == before


def test_qualification_required_is_a_403_with_a_link_then_the_test_is_leased(http, db):
    requester, _ = f.user(db, "requester")
    project_id = f.qualified_project(db, requester)
    _, token = f.consented_worker(db, project_id)
    api = http(token)
    err = error_of(api.post(f"/api/v1/projects/{project_id}/assignments"), 403)
    assert err["code"] == "qualification_required"
    assert err["link"] == f"/work/projects/{project_id}/qualification"
    assert api.get(f"/api/v1/projects/{project_id}/qualification").json()["state"] == "not_started"
    lease = api.post(f"/api/v1/projects/{project_id}/qualification/assignments")
    assert lease.status_code == 201 and set(lease.json()) >= {"id", "item", "task"}
    assert "gold" not in lease.json()["item"]
    assert f.post_answer(api, lease.json()["id"], "toxic", key="q1").status_code == 201
    assert api.get(f"/api/v1/projects/{project_id}/qualification").json()["state"] == "passed"
    work = api.post(f"/api/v1/projects/{project_id}/assignments")
    assert work.status_code == 201 and work.json()["item"]["data"] == {"text": "w"}


def test_leasing_past_max_pending_is_a_409_naming_it(http, db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=3)
    _, token = f.consented_worker(db, project_id)
    api = http(token)
    held = api.post(f"/api/v1/projects/{project_id}/assignments").json()
    before = f.row_counts(db)
    err = error_of(api.post(f"/api/v1/projects/{project_id}/assignments"), 409)
    assert err["code"] == "max_pending" and err["field"] == "max_pending"
    assert err["held"] == [held["id"]] and "max_pending" in err["message"]
    assert f.row_counts(db) == before


def test_admins_grant_skills_and_others_may_not(http, db):
    _, admin = f.user(db, "admin")
    worker, worker_token = f.user(db, "worker")
    body = {"email": worker.email, "skill": "language:sw", "level": 3}
    before = f.row_counts(db)
    assert error_of(http(worker_token).post("/api/v1/skills", json=body), 403)["code"]
    err = error_of(http(admin).post("/api/v1/skills", json={**body, "skill": "sw"}), 422)
    assert err["field"] == "skill"
    err = error_of(http(admin).post("/api/v1/skills", json={**body, "level": 9}), 422)
    assert err["field"] == "level"
    assert f.row_counts(db) == before
    granted = http(admin).post("/api/v1/skills", json=body)
    assert granted.status_code == 200 and granted.json()["level"] == 3
    assert http(worker_token).get("/api/v1/me/skills").json() == {"language:sw": 3}
