"""Wellbeing over real HTTP: opt-outs, the exposure refusal, suspension with notice and
pay, the inbox, withdrawal of consent, and bad input refused with nothing changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from fairloop.db.models import Assignment, LedgerEntry, Submission
from fairloop.services.work.assign import lease_next
from fairloop.services.work.submit import submit
from tests import factories as f


def hazard_project(db, requester, **overrides):
    return f.project(db, requester, overlap=1, **f.hazard_spec(["vcr", "hte"], **overrides))


def error(response, status):
    assert response.status_code == status, response.text
    return response.json()["error"]


def test_spec_with_hazards_and_no_support_is_refused_naming_the_field(http, db):
    _requester, token = f.user(db, "requester")
    api = http(token)
    before = f.row_counts(db)
    no_support = f.spec(hazards=["vcr"], severity_examples=f.HAZARD_FIELDS["severity_examples"])
    assert error(api.post("/api/v1/projects", json=no_support), 422)["field"] == "support"
    half = f.spec(**f.hazard_spec(["vcr"], support={"contact": "x"}))
    assert error(api.post("/api/v1/projects", json=half), 422)["field"] == "support.resources"
    no_examples = f.spec(**f.hazard_spec(["vcr"], severity_examples={"1": "a"}))
    assert error(api.post("/api/v1/projects", json=no_examples), 422)["field"] == (
        "severity_examples.2"
    )
    unknown = error(api.post("/api/v1/projects", json=f.spec(**f.hazard_spec(["vcr", "zap"]))), 422)
    assert unknown["field"] == "hazards" and "zap" in unknown["message"]
    assert f.row_counts(db) == before


def test_item_with_severity_7_or_unknown_hazard_is_refused_and_nothing_imported(http, db):
    requester, token = f.user(db, "requester")
    project_id = hazard_project(db, requester)
    api = http(token)
    before = f.row_counts(db)
    rows = [
        {"data": {"text": "ok"}, "hazards": ["vcr"], "severity": 2},
        {"data": {"text": "bad"}, "hazards": ["vcr"], "severity": 7},
    ]
    bad = error(api.post(f"/api/v1/projects/{project_id}/items", json=rows), 422)
    assert bad["field"] == "body:2: severity" and "0 to 4" in bad["message"]
    rows[1] = {"data": {"text": "bad"}, "hazards": ["xyz"], "severity": 1}
    bad = error(api.post(f"/api/v1/projects/{project_id}/items", json=rows), 422)
    assert "xyz" in bad["message"]
    assert f.row_counts(db) == before


def test_opt_outs_are_kept_and_an_unknown_code_is_refused_by_name(http, db):
    _worker, token = f.user(db, "worker")
    api = http(token)
    assert api.put("/api/v1/me/opt-outs", json={"hazards": ["hte", "vcr"]}).json() == {
        "hazards": ["hte", "vcr"]
    }
    bad = error(api.put("/api/v1/me/opt-outs", json={"hazards": ["ssh", "nope"]}), 422)
    assert bad["field"] == "hazards" and "'nope'" in bad["message"]
    assert api.get("/api/v1/me/opt-outs").json() == {"hazards": ["hte", "vcr"]}
    assert error(api.put("/api/v1/me/opt-outs", json={"hazards": "vcr"}), 422)["field"] == (
        "hazards"
    )


def test_opted_out_items_are_never_leased_and_others_still_are(http, db):
    requester, _ = f.user(db, "requester")
    project_id = hazard_project(db, requester)
    f.add_items(
        db,
        requester,
        project_id,
        [
            {"id": "v", "data": {"text": "violent"}, "hazards": ["vcr"], "severity": 2},
            {"id": "h", "data": {"text": "hateful"}, "hazards": ["hte"], "severity": 2},
            {"id": "n", "data": {"text": "neutral"}},
        ],
    )
    _worker, token = f.consented_worker(db, project_id)
    api = http(token)
    api.put("/api/v1/me/opt-outs", json={"hazards": ["vcr"]})
    seen = []
    while (lease := api.post(f"/api/v1/projects/{project_id}/assignments")).status_code == 201:
        body = lease.json()
        seen.append(body["item"]["data"]["text"])
        f.post_answer(api, body["id"], "toxic", key=str(body["id"]))
    assert sorted(seen) == ["hateful", "neutral"]


def test_past_the_budget_a_hazard_item_is_refused_with_code_and_resume_time(http, db):
    requester, _ = f.user(db, "requester")
    project_id = hazard_project(db, requester, wellbeing={"daily_exposure_minutes": 10})
    f.add_items(
        db,
        requester,
        project_id,
        [{"data": {"text": f"v{i}"}, "hazards": ["vcr"], "severity": 1} for i in range(3)],
    )
    worker, token = f.consented_worker(db, project_id)
    # Ten minutes of hazard work, earlier today.
    start = datetime.now(UTC) - timedelta(minutes=30)
    if start.date() != datetime.now(UTC).date():
        start = datetime.now(UTC).replace(hour=0, minute=0, second=1)
    lease = lease_next(db, worker, project_id, now=start)
    submit(
        db,
        worker,
        lease.id,
        {"label": "toxic"},
        active_seconds=600,
        idempotency_key="a",
        now=start + timedelta(minutes=10),
    )
    api = http(token)
    refused = error(api.post(f"/api/v1/projects/{project_id}/assignments"), 403)
    assert refused["code"] == "exposure_budget"
    resume = datetime.fromisoformat(refused["resume_at"])
    assert resume > datetime.now(UTC) and resume.hour == 0 and resume.minute == 0
    # An item without hazards is still given.
    f.add_items(db, requester, project_id, [{"id": "plain", "data": {"text": "plain"}}])
    given = api.post(f"/api/v1/projects/{project_id}/assignments")
    assert given.status_code == 201 and given.json()["item"]["data"] == {"text": "plain"}


def test_suspension_posts_notices_and_pays_a_kill_fee_once(http, db):
    requester, req_token = f.user(db, "requester")
    project_id = f.project(db, requester, items=6, overlap=1, notice_days=7)
    worker, token = f.consented_worker(db, project_id)
    _idle, idle_token = f.consented_worker(db, project_id)
    api = http(token)
    for n in range(4):  # 4 tasks at 0.20 today: 0.80 a day worked
        lease = api.post(f"/api/v1/projects/{project_id}/assignments").json()
        f.post_answer(api, lease["id"], "toxic", key=f"s{n}")
    held = api.post(f"/api/v1/projects/{project_id}/assignments").json()

    req = http(req_token)
    done = req.post(f"/api/v1/projects/{project_id}/suspend", json={"notice_days": 2})
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "suspended" and done.json()["notice_days"] == 2
    # 25% of 0.80 a day x 5 days not given = 1.00
    with db.transaction(readonly=True) as s:
        fees = s.execute(select(LedgerEntry.user_id, LedgerEntry.amount_minor)).all()
    assert fees == [(worker.id, 100)]
    inbox = api.get("/api/v1/me/inbox").json()
    assert [n["kind"] for n in inbox] == ["suspension"]
    assert set(inbox[0]) == {"id", "kind", "project_id", "text", "created_at", "read"}
    assert "1.00 USD" in inbox[0]["text"] and inbox[0]["read"] is False
    assert http(idle_token).get("/api/v1/me/inbox").json()[0]["kind"] == "suspension"

    # The lease in progress may still be finished and the notice period still has work.
    assert f.post_answer(api, held["id"], "toxic", key="held").status_code == 201
    assert api.post(f"/api/v1/projects/{project_id}/assignments").status_code == 201
    again = error(req.post(f"/api/v1/projects/{project_id}/suspend"), 409)
    assert again["field"] == "state"
    with db.transaction(readonly=True) as s:
        assert len(s.scalars(select(LedgerEntry.id)).all()) == 1


def test_suspending_someone_elses_project_is_refused_and_changes_nothing(http, db):
    owner, owner_token = f.user(db, "requester", org="Lab A")
    project_id = f.project(db, owner, items=2)
    f.consented_worker(db, project_id)
    _other, other_token = f.user(db, "requester", org="Lab B")
    _worker, worker_token = f.user(db, "worker")
    before = f.row_counts(db)
    assert error(http(other_token).post(f"/api/v1/projects/{project_id}/suspend"), 404)
    assert error(http(worker_token).post(f"/api/v1/projects/{project_id}/suspend"), 404)
    bad_days = http(owner_token).post(
        f"/api/v1/projects/{project_id}/suspend", json={"notice_days": 30}
    )
    assert error(bad_days, 422)["field"] == "notice_days"
    assert f.row_counts(db) == before


def test_disclosure_change_reaches_the_inbox(http, db):
    requester, req_token = f.user(db, "requester")
    project_id = f.project(db, requester, items=1)
    _worker, token = f.consented_worker(db, project_id)
    changed = {**f.SPEC["disclosure"], "end_use": "Now also a reward model."}
    assert http(req_token).put(f"/api/v1/projects/{project_id}/disclosure", json=changed)
    inbox = http(token).get("/api/v1/me/inbox").json()
    assert inbox[0]["kind"] == "disclosure" and inbox[0]["project_id"] == project_id


def test_withdrawing_consent_stops_work_and_keeps_the_time_paid(http, db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=3)
    _worker, token = f.consented_worker(db, project_id)
    api = http(token)
    first = api.post(f"/api/v1/projects/{project_id}/assignments").json()
    f.post_answer(api, first["id"], "toxic", key="w1")
    held = api.post(f"/api/v1/projects/{project_id}/assignments").json()
    assert api.post(f"/api/v1/projects/{project_id}/withdraw").json()["released"] == 1
    refused = error(api.post(f"/api/v1/projects/{project_id}/assignments"), 403)
    assert refused["code"] == "consent_required"
    with db.transaction(readonly=True) as s:
        assert s.get(Assignment, held["id"]).state == "released"
        assert s.scalar(select(Submission.id).where(Submission.assignment_id == first["id"]))


def test_a_suspended_project_stays_open_only_while_its_notice_runs(http, db):
    requester, req_token = f.user(db, "requester")
    with_notice = f.project(db, requester, items=2, name="With notice")
    no_notice = f.project(db, requester, items=2, name="No notice")
    _worker, token = f.consented_worker(db, with_notice)
    f.consent(db, _worker, no_notice)
    req, api = http(req_token), http(token)
    req.post(f"/api/v1/projects/{with_notice}/suspend", json={"notice_days": 2})
    req.post(f"/api/v1/projects/{no_notice}/suspend", json={"notice_days": 0})
    assert [p["id"] for p in api.get("/api/v1/projects").json()] == [with_notice]
    assert api.post(f"/api/v1/projects/{with_notice}/assignments").status_code == 201
    closed = error(api.post(f"/api/v1/projects/{no_notice}/assignments"), 403)
    assert closed["code"] == "project_suspended"
