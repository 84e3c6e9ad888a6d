"""The earnings page (with its appeal form), the requester's record on /work, the
costs on the project page, and the heartbeat a task page sends."""

from __future__ import annotations

from fairloop.services.pay.review import review
from tests import factories as f
from tests.factories.web import csrf_of, login


def test_a_rejected_worker_appeals_from_the_earnings_page(http, db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=2, overlap=1)
    worker, _ = f.consented_worker(db, project_id)
    f.work_through(db, project_id, [worker])
    first, second = f.submissions_of(db, worker.id)
    review(db, requester, first, {"decision": "approve"})
    note = "one word where a reason was asked for"
    review(
        db,
        requester,
        second,
        {
            "decision": "reject",
            "reason": "low_effort",
            "evidence": {"quotes": ["toxic"], "note": note},
        },
    )
    evidence = f"Why: {note}"

    client = login(http, worker.email)
    work = client.get("/work").text
    assert "rejects 50.0% of reviewed work" in work and "no appeals decided" in work
    page = client.get("/me/earnings")
    assert page.status_code == 200
    assert 'id="balance">0.20 USD' in page.text and evidence in page.text
    sent = client.post(
        "/me/earnings/appeal",
        data={"csrf": csrf_of(page.text), "submission_id": str(second), "text": "It has one."},
    )
    assert sent.status_code == 303
    assert "Appeal</p>" not in client.get("/me/earnings").text  # the form is gone
    assert "Appeal: open" in client.get("/me/earnings").text

    owner = login(http, requester.email)
    costs = owner.get(f"/projects/{project_id}").text
    assert 'id="cost-total">0.20 USD' in costs


def test_the_task_page_heartbeat_needs_the_form_token(http, db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=1, overlap=1)
    worker, _ = f.consented_worker(db, project_id)
    client = login(http, worker.email)
    started = client.post(
        f"/work/projects/{project_id}/start",
        data={"csrf": csrf_of(client.get(f"/work/projects/{project_id}").text)},
    )
    task = client.get(started.headers["location"])
    assert "/static/task." in task.text
    url = started.headers["location"] + "/heartbeat"
    assert client.post(url, data={"csrf": "forged"}).status_code == 403
    beat = client.post(url, data={"csrf": csrf_of(task.text)})
    assert beat.status_code == 200 and beat.json()["next_in_seconds"] == 15
