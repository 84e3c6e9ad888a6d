"""The task page's submit route, as the page's script calls it (``Accept:
application/json``) and as a plain form post: a stored answer names the next page, a
resend stores once, a refusal names its field and stores nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from fairloop.db.models import Submission
from fairloop.services.wellbeing.exposure import set_time_zone
from fairloop.services.work.assign import lease_next
from tests import factories as f
from tests.factories.web import csrf_of, login

JSON = {"Accept": "application/json"}


def started(http: Any, db: Any, **overrides: Any) -> tuple[Any, str, str]:
    """A worker's client on the first task of a two-item project: (client, url, csrf)."""
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=2, overlap=1, **overrides)
    worker, _ = f.consented_worker(db, project_id)
    client = login(http, worker.email)
    page = client.get(f"/work/projects/{project_id}")
    start = client.post(f"/work/projects/{project_id}/start", data={"csrf": csrf_of(page.text)})
    url = start.headers["location"]
    return client, url, csrf_of(client.get(url).text)


def stored(db: Any) -> int:
    with db.transaction(readonly=True) as s:
        return s.scalar(select(func.count()).select_from(Submission))


def test_the_page_script_gets_the_next_page_and_a_resend_stores_once(http, db):
    client, url, csrf = started(http, db)
    form = {"csrf": csrf, "label": "toxic", "active_seconds": "4", "multiple": "0"}
    first = client.post(url, data=form, headers=JSON)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["stored"] is True and body["next"].startswith("/work/assignments/")
    assert body["next"] != url and "page" not in body
    # A resend (the page queued it offline, the first reply was lost): stored once,
    # and the same next item, which the worker now holds.
    again = client.post(url, data=form, headers=JSON)
    assert again.json() == {**body, "stored": True}
    assert stored(db) == 1
    assert "comment" in client.get(body["next"]).text


def test_a_refusal_names_its_field_and_stores_nothing(http, db):
    client, url, csrf = started(http, db, task={**f.SPEC["task"], "multiple": True})
    refused = client.post(url, data={"csrf": csrf, "multiple": "1"}, headers=JSON)
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["field"] == "answer.labels" and "non-empty" in error["message"]
    assert stored(db) == 0
    # The same refusal of a plain post is a page whose Back leads to the task.
    plain = client.post(url, data={"csrf": csrf, "multiple": "1"})
    assert plain.status_code == 422 and f'href="{url}"' in plain.text
    assert stored(db) == 0


def test_a_plain_form_post_is_redirected_as_before(http, db):
    client, url, csrf = started(http, db)
    done = client.post(url, data={"csrf": csrf, "label": "not_toxic", "multiple": "0"})
    assert done.status_code == 303 and done.headers["location"].startswith("/work/assignments/")
    assert stored(db) == 1


def test_a_break_due_after_the_answer_comes_as_the_page_to_show(http, db):
    requester, _ = f.user(db, "requester")
    hazard = f.hazard_spec(["vcr"], wellbeing={"daily_exposure_minutes": 30})
    project_id = f.project(db, requester, overlap=1, **hazard)
    rows = [{"data": {"text": f"x{i}"}, "hazards": ["vcr"], "severity": 1} for i in range(2)]
    f.add_items(db, requester, project_id, rows)
    worker, _ = f.consented_worker(db, project_id)
    set_time_zone(db, worker, "Pacific/Kiritimati")  # UTC+14: its midnight is never now
    lease = lease_next(db, worker, project_id, now=datetime.now(UTC) - timedelta(minutes=31))
    client = login(http, worker.email)
    url = f"/work/assignments/{lease.id}"
    form = {"csrf": csrf_of(client.get(url).text), "label": "toxic", "active_seconds": "1800"}
    done = client.post(url, data={**form, "multiple": "0"}, headers=JSON)
    assert done.status_code == 200, done.text
    body = done.json()
    # Stored; the 30 minutes used the day's budget, so the next page is the break.
    assert body["stored"] is True and body["next"] == f"/work/projects/{project_id}"
    assert "Your budget of sensitive content is used up for now." in body["page"]
    assert stored(db) == 1
