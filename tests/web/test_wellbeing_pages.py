"""Wellbeing pages over real HTTP: withdrawal, opt-outs, the viewing setting, check-ins,
the review task page, and the inbox count on every page."""

from __future__ import annotations

from sqlalchemy import select

from fairloop.db.models import Consent, Submission
from fairloop.services.inbox import post_notice
from tests import factories as f
from tests.factories.web import csrf_of, login


def test_withdraw_consent_from_the_project_page(http, db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=2)
    worker, _ = f.consented_worker(db, project_id)
    client = login(http, worker.email)
    page = client.get(f"/work/projects/{project_id}")
    assert "Withdraw my consent" in page.text
    done = client.post(f"/work/projects/{project_id}/withdraw", data={"csrf": csrf_of(page.text)})
    assert done.status_code == 303
    with db.transaction(readonly=True) as s:
        assert s.scalar(select(Consent.withdrawn_at)) is not None
    assert "I have read this and consent" in client.get(f"/work/projects/{project_id}").text


def test_opt_outs_setting_and_check_in_from_the_wellbeing_page(http, db):
    worker, token = f.user(db, "worker")
    client = login(http, worker.email)
    page = client.get("/me/wellbeing")
    assert "Suicide and self-harm" in page.text
    csrf = csrf_of(page.text)
    client.post("/me/wellbeing/opt-outs", data={"csrf": csrf, "hazard": ["ssh", "cse"]})
    client.post("/me/wellbeing/viewing", data={"csrf": csrf, "text_severity_max": "1"})
    answers = {f"q{i}": str(i % 5 + 1) for i in range(7)}
    assert client.post("/me/wellbeing/checkin", data={"csrf": csrf, **answers}).status_code == 303
    me = http(token).get("/api/v1/me/wellbeing").json()
    assert me["opted_out"] == ["cse", "ssh"] and me["text_severity_max"] == 1
    assert http(token).get("/api/v1/me/checkins").json()[0]["score"] == sum(
        i % 5 + 1 for i in range(7)
    )
    bad = client.post("/me/wellbeing/viewing", data={"csrf": csrf, "text_severity_max": "7"})
    assert bad.status_code == 422 and "0 to 4" in bad.text


def test_review_task_page_submits_hazards_and_severity(http, db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(
        db, requester, overlap=1, task={"type": "review", "categories": ["vcr", "hte"]}
    )
    f.add_items(db, requester, project_id, [{"data": {"text": "to review"}}])
    worker, _ = f.consented_worker(db, project_id)
    client = login(http, worker.email)
    page = client.get(f"/work/projects/{project_id}")
    started = client.post(f"/work/projects/{project_id}/start", data={"csrf": csrf_of(page.text)})
    task = client.get(started.headers["location"])
    assert "How severe is it?" in task.text and "Violent crimes" in task.text
    url = started.headers["location"]
    client.post(
        url,
        data={
            "csrf": csrf_of(task.text),
            "task_type": "review",
            "hazard": ["hte"],
            "severity": "2",
        },
    )
    with db.transaction(readonly=True) as s:
        assert s.scalar(select(Submission.answer)) == {
            "hazards": ["hte"],
            "severity": 2,
            "note": "",
        }


def test_inbox_count_on_every_page_until_read(http, db):
    worker, _ = f.user(db, "worker")
    with db.transaction() as s:
        post_notice(s, user_id=worker.id, kind="top_up", text="A top-up of 1.20 USD.")
    client = login(http, worker.email)
    for path in ("/work", "/me/wellbeing"):
        assert 'id="inbox-count"' in client.get(path).text, path
    inbox = client.get("/me/inbox")
    assert "A top-up of 1.20 USD." in inbox.text
    assert 'id="inbox-count"' not in client.get("/work").text
