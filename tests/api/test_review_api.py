"""Review with due process over HTTP: a late rejection is a 409 with its code and the
work is paid; the requester's own admin gets a 403 with its code; the worker reads
the decision, its note and who made it in ``/api/v1/me/earnings``."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from fairloop.db.base import utcnow
from fairloop.db.models import Submission
from tests import factories as f

QUOTE = {"quotes": ["toxic"], "note": "one word where a reason was asked for"}


def error_of(response, status):
    assert response.status_code == status, response.text
    return response.json()["error"]


def worked(db, http):
    """A requester (organisation "Test Lab"), a worker's submission, their clients."""
    requester, req_token = f.user(db, "requester")
    project_id = f.project(db, requester, items=2, overlap=1)
    _worker, token = f.consented_worker(db, project_id)
    api = http(token)
    lease = api.post(f"/api/v1/projects/{project_id}/assignments").json()
    answered = f.post_answer(api, lease["id"], "toxic", key=f"k{lease['id']}")
    assert answered.status_code == 201, answered.text
    return http(req_token), api, answered.json()["id"]


def test_a_rejection_after_the_deadline_is_a_409_and_the_work_is_paid(db, http):
    requester_api, api, sid = worked(db, http)
    with db.engine.begin() as conn:  # submitted four days ago; settlement never ran
        conn.execute(
            update(Submission)
            .where(Submission.id == sid)
            .values(submitted_at=utcnow() - timedelta(days=4))
        )
    body = {"decision": "reject", "reason": "low_effort", "evidence": QUOTE}
    err = error_of(requester_api.post(f"/api/v1/submissions/{sid}/review", json=body), 409)
    assert (err["code"], err["field"]) == ("review_deadline_passed", "submission_id")
    mine = api.get("/api/v1/me/earnings").json()
    assert (mine["balance"], mine["pending"], mine["rejections"]) == ("0.20", "0.00", [])


def test_the_requesters_own_admin_gets_a_403_and_the_worker_reads_the_decision(db, http):
    requester_api, api, sid = worked(db, http)
    body = {"decision": "reject", "reason": "low_effort", "evidence": QUOTE}
    assert requester_api.post(f"/api/v1/submissions/{sid}/review", json=body).status_code == 200
    appeal = api.post(f"/api/v1/submissions/{sid}/appeal", json={"text": "It is toxic."}).json()
    _, own_token = f.user(db, "admin", org="Test Lab")
    own = http(own_token)
    before = f.row_counts(db)
    decision = {"decision": "uphold", "note": "The requester is right about this."}
    err = error_of(own.post(f"/api/v1/appeals/{appeal['id']}/decision", json=decision), 403)
    assert err["code"] == "not_independent"
    assert f.row_counts(db) == before
    assert own.get("/api/v1/appeals").json() == []

    _, outside_token = f.user(db, "admin")
    outside = http(outside_token)
    [listed] = outside.get("/api/v1/appeals").json()
    assert (listed["answer"], listed["reason"]) == ({"label": "toxic"}, "low_effort")
    assert "Quoted from the answer" in listed["evidence"] and listed["deadline"]
    note = "The label is right: the comment insults a person."
    done = outside.post(
        f"/api/v1/appeals/{appeal['id']}/decision", json={"decision": "overturn", "note": note}
    )
    assert done.status_code == 200, done.text
    mine = api.get("/api/v1/me/earnings").json()
    assert mine["balance"] == "0.20"
    [shown] = mine["rejections"]
    assert (shown["appeal_state"], shown["decision_note"], shown["appeal_decided_by"]) == (
        "overturned",
        note,
        "admin",
    )
