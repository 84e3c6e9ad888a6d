"""The worker's page flow through a qualification test: Start leads to the test,
the test's items use the task page, a pass leads back to work."""

from __future__ import annotations

from tests import factories as f
from tests.factories.web import csrf_of, login


def test_start_leads_to_the_test_then_to_work(http, db):
    requester, _ = f.user(db, "requester")
    project_id = f.qualified_project(db, requester, test="test item", work="work")
    worker, _ = f.consented_worker(db, project_id)
    client = login(http, worker.email)
    csrf = csrf_of(client.get(f"/work/projects/{project_id}").text)
    start = client.post(f"/work/projects/{project_id}/start", data={"csrf": csrf})
    assert start.status_code == 303
    assert start.headers["location"] == f"/work/projects/{project_id}/qualification"
    page = client.get(start.headers["location"])
    assert 'data-state="not_started"' in page.text and "Take the test" in page.text
    taken = client.post(f"/work/projects/{project_id}/qualification", data={"csrf": csrf})
    assert taken.status_code == 303 and taken.headers["location"].startswith("/work/assignments/")
    task = client.get(taken.headers["location"])
    assert "test item" in task.text
    done = client.post(
        taken.headers["location"],
        data={"csrf": csrf_of(task.text), "label": "toxic", "active_seconds": "4"},
    )
    # Passed: straight on to real work.
    assert done.status_code == 303 and done.headers["location"].startswith("/work/assignments/")
    assert "work" in client.get(done.headers["location"]).text
    assert 'data-state="passed"' in client.get(f"/work/projects/{project_id}/qualification").text


def test_the_requester_page_shows_what_dynamic_overlap_saved(http, db):
    requester, _ = f.user(db, "requester")
    dynamic = {"min": 1, "max": 3, "confidence": 0.9}
    project_id = f.project(db, requester, items=2, overlap=dynamic)
    f.work_through(db, project_id, [f.consented_worker(db, project_id)[0]])
    page = login(http, requester.email).get(f"/projects/{project_id}")
    assert page.status_code == 200
    # One answer each is fully agreed: 2 of max 3 saved per item.
    assert '<dd id="stat-saved">4</dd>' in page.text
