"""Bodies that used to reach a 500: JSON nested deeper than any real item or answer
(on every JSON route, the token endpoint included) and an amount of "1E+1000". Each
is now a 422 naming the field, with nothing stored."""

from __future__ import annotations

import pytest

from fairloop.io.jsontext import MAX_DEPTH
from tests import factories as f

# 8 KB: under the token endpoint's 10 KB body limit, yet deeper than Python's parser
# can recurse.
DEEP = "[" * 4000 + "]" * 4000


def nested(depth: int) -> str:
    return '{"answer": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize("path", ["/api/v1/auth/token", "/api/v1/projects"])
def test_deeply_nested_json_is_a_422_on_any_json_route(http, db, path):
    _, token = f.user(db, "requester", password=None)
    before = f.row_counts(db)
    r = http(token).post(path, content=DEEP, headers={"Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["field"] == "body" and f"more than {MAX_DEPTH} deep" in error["message"]
    assert f.row_counts(db) == before


def test_an_answer_nested_past_the_limit_is_refused_and_one_within_it_is_judged(http, db):
    requester, _ = f.user(db, "requester", password=None)
    project_id = f.project(db, requester, items=1, overlap=1)
    _, token = f.consented_worker(db, project_id, password=None)
    api = http(token)
    lease = api.post(f"/api/v1/projects/{project_id}/assignments").json()
    url = f"/api/v1/assignments/{lease['id']}/submission"
    headers = {"Content-Type": "application/json", "Idempotency-Key": "deep"}
    deep = api.post(url, content=nested(MAX_DEPTH + 1), headers=headers)
    assert deep.status_code == 422 and deep.json()["error"]["field"] == "body"
    # Within the limit, the answer itself is judged (and refused for its shape).
    shallow = api.post(url, content=nested(MAX_DEPTH - 2), headers=headers)
    assert shallow.status_code == 422 and shallow.json()["error"]["field"] == "answer"


def test_a_body_over_a_small_limit_says_its_size_in_kb(http):
    r = http().post("/api/v1/auth/token", content="x" * 20_000)
    assert r.status_code == 422 and "larger than 10 KB" in r.json()["error"]["message"]


def test_a_bonus_of_1e1000_is_a_422_naming_the_amount(http, db):
    requester, token = f.user(db, "requester", password=None)
    project_id = f.project(db, requester, items=1, overlap=1)
    f.consented_worker(db, project_id, password=None)
    before = f.row_counts(db)
    body = {"worker": "w-anyone", "amount": "1E+1000", "note": "thanks"}
    r = http(token).post(f"/api/v1/projects/{project_id}/bonuses", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == "amount" and "10000" in r.json()["error"]["message"]
    assert f.row_counts(db) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"pay": {**f.SPEC["pay"], "estimated_seconds": True}}, "pay.estimated_seconds"),
        ({"overlap": True}, "overlap"),
        ({"lease_minutes": False}, "lease_minutes"),
    ],
)
def test_a_boolean_is_no_number_in_a_spec(http, db, change, field):
    """`estimated_seconds: true` was taken as 1 s."""
    _, token = f.user(db, "requester", password=None)
    before = f.row_counts(db)
    r = http(token).post("/api/v1/projects", json=f.spec(**change))
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["field"] == field and "is not a number" in error["message"]
    assert f.row_counts(db) == before


@pytest.mark.parametrize("state", ["paused", "suspended"])
def test_no_consent_to_a_project_that_is_not_live(http, db, state):
    from fairloop.services.projects import set_state
    from fairloop.services.suspend import suspend

    requester, _ = f.user(db, "requester", password=None)
    project_id = f.project(db, requester, items=1, overlap=1)
    if state == "paused":
        set_state(db, requester, project_id, "paused")
    else:
        suspend(db, requester, project_id)
    _, token = f.user(db, "worker", password=None)
    before = f.row_counts(db)
    r = http(token).post(f"/api/v1/projects/{project_id}/consent")
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "project_not_live" and state in r.json()["error"]["message"]
    assert f.row_counts(db) == before


def test_a_new_sqlite_database_is_readable_by_its_owner_only(tmp_path):
    import stat

    from fairloop.db.engine import Database
    from fairloop.db.migrate import upgrade

    path = tmp_path / "fresh.db"
    db = Database(f"sqlite:///{path}")
    db.engine.dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # was 0644: anyone could read it
    migrated = tmp_path / "migrated.db"  # `fairloop db upgrade` on a new file
    upgrade(f"sqlite:///{migrated}")
    assert stat.S_IMODE(migrated.stat().st_mode) == 0o600


def test_a_workers_lease_does_not_carry_the_requesters_item_id(http, db):
    """A gold item imported as "gold-check-1" told the worker it was a check."""
    requester, _ = f.user(db, "requester", password=None)
    project_id = f.project(db, requester, overlap=1)
    rows = [{"id": "gold-check-1", "data": {"text": "a test"}, "gold": {"label": "toxic"}}]
    f.add_items(db, requester, project_id, rows)
    _, token = f.consented_worker(db, project_id, password=None)
    lease = http(token).post(f"/api/v1/projects/{project_id}/assignments")
    assert lease.status_code == 201 and lease.json()["item"]["data"] == {"text": "a test"}
    assert "gold-check-1" not in lease.text and "external_id" not in lease.text


def test_another_organisations_submission_reads_like_an_unknown_one(http, db):
    requester, _ = f.user(db, "requester", password=None)
    project_id = f.project(db, requester, items=1, overlap=1)
    worker, _ = f.consented_worker(db, project_id, password=None)
    from fairloop.services.work.assign import lease_next

    lease = lease_next(db, worker, project_id)
    sid = f.answer_label(db, worker, lease.id)["id"]
    _, stranger = f.user(db, "requester", org="Other Lab", password=None)
    api = http(stranger)
    theirs = api.post(f"/api/v1/submissions/{sid}/review", json={"decision": "approve"})
    unknown = api.post("/api/v1/submissions/999999/review", json={"decision": "approve"})
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.json()["error"]["message"] == f"no submission {sid}"
    assert unknown.json()["error"]["message"] == "no submission 999999"
    assert "project" not in theirs.text
