"""Pay over HTTP: heartbeats, review and appeals, earnings, and pay refused at publication."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from fairloop.db.base import utcnow
from fairloop.db.models import Submission
from tests import factories as f
from tests.factories.pay import entries


def error_of(response, status):
    assert response.status_code == status, response.text
    return response.json()["error"]


@pytest.fixture
def work(db, http):
    requester, req_token = f.user(db, "requester")
    project_id = f.project(db, requester, items=4, overlap=1)
    _worker, token = f.consented_worker(db, project_id)
    api = http(token)
    lease = api.post(f"/api/v1/projects/{project_id}/assignments").json()
    return project_id, http(req_token), api, lease


def submit(api, lease):
    response = f.post_answer(api, lease["id"], "toxic", key=f"k{lease['id']}")
    assert response.status_code == 201, response.text
    return response.json()


def test_heartbeats_count_for_the_assigned_worker_only(work, db, http):
    project_id, _, api, lease = work
    beat = api.post(f"/api/v1/assignments/{lease['id']}/heartbeat")
    assert beat.status_code == 200 and beat.json()["kind"] == "task"
    _, other_token = f.consented_worker(db, project_id)
    before = f.row_counts(db)
    err = error_of(http(other_token).post(f"/api/v1/assignments/{lease['id']}/heartbeat"), 404)
    assert err["field"] == "assignment_id"
    assert f.row_counts(db) == before


@pytest.mark.parametrize(
    "body, field",
    [
        ({"decision": "reject"}, "reason"),
        ({"decision": "reject", "reason": "majority_disagrees"}, "reason"),
        ({"decision": "reject", "reason": "low_effort", "evidence": "meh"}, "evidence"),
        ({"decision": "approve", "evidence": 5}, "evidence"),
        ({"decision": "nope"}, "decision"),
    ],
)
def test_a_rejection_without_a_listed_reason_is_a_422(work, db, body, field):
    _, requester_api, api, lease = work
    stored = submit(api, lease)
    before = f.row_counts(db)
    err = error_of(requester_api.post(f"/api/v1/submissions/{stored['id']}/review", json=body), 422)
    assert err["field"] == field
    assert f.row_counts(db) == before


def test_reject_appeal_overturn_pays_and_shows_in_earnings(work, db, http):
    _, requester_api, api, lease = work
    stored = submit(api, lease)
    # A rejection quotes the answer (a typed "gold item i0: said toxic" is refused now:
    # the server finds failed checks itself, and this project has no gold).
    typed = {
        "decision": "reject",
        "reason": "failed_checks",
        "evidence": "gold item i0: said toxic",
    }
    url = f"/api/v1/submissions/{stored['id']}/review"
    assert error_of(requester_api.post(url, json=typed), 422)["field"] == "evidence"
    reject = {
        "decision": "reject",
        "reason": "low_effort",
        "evidence": {"quotes": ["toxic"], "note": "one word where a reason was asked for"},
    }
    reviewed = requester_api.post(f"/api/v1/submissions/{stored['id']}/review", json=reject)
    assert reviewed.status_code == 200 and reviewed.json()["review_state"] == "rejected"
    appeal = api.post(f"/api/v1/submissions/{stored['id']}/appeal", json={"text": "It is toxic."})
    assert appeal.status_code == 201, appeal.text
    _, admin_token = f.user(db, "admin")
    admin = http(admin_token)
    assert [a["id"] for a in admin.get("/api/v1/appeals").json()] == [appeal.json()["id"]]
    decided = admin.post(
        f"/api/v1/appeals/{appeal.json()['id']}/decision", json={"decision": "overturn"}
    )
    assert decided.status_code == 200 and decided.json()["state"] == "overturned"
    mine = api.get("/api/v1/me/earnings").json()
    assert set(mine) >= {"currency", "balance", "pending", "projects"}
    assert (mine["currency"], mine["balance"], mine["pending"]) == ("USD", "0.20", "0.00")
    [row] = mine["projects"]
    assert set(row) >= {
        "project_id",
        "earned",
        "pending",
        "top_ups",
        "seconds_worked",
        "effective_hourly",
    }
    assert row["earned"] == "0.20"
    assert mine["rejections"][0]["appeal_state"] == "overturned"


def test_an_appeal_on_someone_elses_work_is_refused(work, db, http):
    project_id, requester_api, api, lease = work
    stored = submit(api, lease)
    reject = {
        "decision": "reject",
        "reason": "low_effort",
        "evidence": {"quotes": ["toxic"], "note": "one word where a reason was asked for"},
    }
    requester_api.post(f"/api/v1/submissions/{stored['id']}/review", json=reject)
    _, other_token = f.consented_worker(db, project_id)
    before = f.row_counts(db)
    err = error_of(
        http(other_token).post(f"/api/v1/submissions/{stored['id']}/appeal", json={"text": "x"}),
        404,
    )
    assert err["field"] == "submission_id"
    assert f.row_counts(db) == before


def test_another_organisation_cannot_review(work, db, http):
    _, _, api, lease = work
    stored = submit(api, lease)
    _, stranger = f.user(db, "requester", org="Other Lab")
    before = f.row_counts(db)
    err = error_of(
        http(stranger).post(
            f"/api/v1/submissions/{stored['id']}/review", json={"decision": "approve"}
        ),
        404,
    )
    assert err["field"] == "submission_id"  # as for an id that does not exist
    assert f.row_counts(db) == before


@pytest.mark.parametrize(
    "pay, field, words",
    [
        ({"per_task": "-0.20"}, "pay.per_task", "non-negative"),
        ({"per_task": "twenty cents"}, "pay.per_task", "not a decimal"),
        ({"currency": "XYZ"}, "pay.currency", "unknown currency"),
        ({"hourly_floor": "7.50", "per_task": "0.20"}, "pay.hourly_floor", "12.00"),
        ({"per_task": "0.05", "estimated_seconds": 30}, "pay.per_task", "6.00 USD an hour"),
        ({"currency": "JPY"}, "pay.currency", "unknown currency"),
    ],
)
def test_pay_is_refused_at_publication_with_the_figures(db, http, pay, field, words):
    _, token = f.user(db, "requester")
    before = f.row_counts(db)
    body = f.spec(pay={**f.SPEC["pay"], **pay})
    err = error_of(http(token).post("/api/v1/projects", json=body), 422)
    assert err["field"] == field and words in err["message"], err
    assert f.row_counts(db) == before


def test_serve_settles_on_a_timer(db, backend):
    """``create_app(settle_every_minutes=..)``, as ``serve`` runs it, settles at start."""
    from fairloop.app import create_app
    from tests.servers import serving

    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=1, overlap=1)
    worker, _ = f.consented_worker(db, project_id)
    f.work_through(db, project_id, [worker])
    with db.engine.begin() as conn:  # submitted four days ago
        conn.execute(update(Submission).values(submitted_at=utcnow() - timedelta(days=4)))
    with serving(create_app(db, settle_every_minutes=60)):
        deadline = time.monotonic() + 10
        while not entries(db, kind="task_pay") and time.monotonic() < deadline:
            time.sleep(0.05)
    assert [e.amount_minor for e in entries(db, kind="task_pay")] == [20]


def test_a_bonus_pays_once_per_key_and_a_bad_amount_changes_nothing(work, db):
    from fairloop.db.models import ProjectWorker

    project_id, requester_api, _, _ = work
    with db.engine.connect() as conn:
        pseudonym = conn.scalar(select(ProjectWorker.pseudonym))
    body = {"worker": pseudonym, "amount": "1.50", "note": "careful work"}
    url = f"/api/v1/projects/{project_id}/bonuses"
    for _ in range(2):
        paid = requester_api.post(url, json=body, headers={"Idempotency-Key": "b1"})
        assert paid.status_code == 201, paid.text
    assert [e.amount_minor for e in entries(db, kind="bonus")] == [150]
    before = f.row_counts(db)
    for amount in ("-1.00", "1.005", "lots", 0):
        bad = requester_api.post(
            url, json={**body, "amount": amount}, headers={"Idempotency-Key": "b2"}
        )
        assert error_of(bad, 422)["field"] == "amount"
    assert f.row_counts(db) == before
