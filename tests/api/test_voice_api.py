"""Workers' voice over HTTP: the question thread of a project (workers by pseudonym,
the requester answers) and the anonymous rating of its requester."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fairloop.db.base import utcnow
from fairloop.domain.voice import MAX_TEXT, QUESTIONS_PER_HOUR
from fairloop.services import voice
from tests import factories as f


def error_of(response, status):
    assert response.status_code == status, response.text
    return response.json()["error"]


@pytest.fixture
def thread(db, http):
    """A project of Test Lab with one consented worker; (project, requester API,
    worker actor, worker API)."""
    requester, req_token = f.user(db, "requester")
    project_id = f.project(db, requester, items=3, overlap=1)
    worker, token = f.consented_worker(db, project_id)
    return project_id, http(req_token), worker, http(token)


def test_a_worker_asks_the_requester_answers_and_every_worker_reads_it(thread, db, http):
    project_id, requester_api, _worker, api = thread
    asked = api.post(
        f"/api/v1/projects/{project_id}/questions", json={"text": " Is sarcasm toxic? "}
    )
    assert asked.status_code == 201, asked.text
    question = asked.json()
    assert question["text"] == "Is sarcasm toxic?" and question["mine"] is True
    assert question["pseudonym"].startswith("w-")

    answered = requester_api.post(
        f"/api/v1/questions/{question['id']}/answers", json={"text": "Only when it insults."}
    )
    assert answered.status_code == 201, answered.text
    assert answered.json()["by"] == "requester"

    _other, other_token = f.consented_worker(db, project_id)
    page = http(other_token).get(f"/api/v1/projects/{project_id}/questions").json()
    [shown] = page["items"]
    assert shown["text"] == "Is sarcasm toxic?" and shown["mine"] is False
    assert shown["pseudonym"] == question["pseudonym"]
    assert [a["text"] for a in shown["answers"]] == ["Only when it insults."]
    assert page["next_cursor"] is None
    # The asker learns of the answer in the inbox; the requester of the question.
    inbox = api.get("/api/v1/me/inbox").json()
    assert any("Only when it insults." in n["text"] for n in inbox)
    assert any(
        "Is sarcasm toxic?" in n["text"] for n in requester_api.get("/api/v1/me/inbox").json()
    )


def test_the_thread_names_workers_by_pseudonym_never_by_email_or_id(thread, db):
    project_id, requester_api, worker, api = thread
    api.post(f"/api/v1/projects/{project_id}/questions", json={"text": "Who reviews?"})
    for client in (api, requester_api):
        body = client.get(f"/api/v1/projects/{project_id}/questions")
        assert body.status_code == 200
        assert worker.email not in body.text
        item = body.json()["items"][0]
        assert set(item) == {"id", "pseudonym", "mine", "text", "created_at", "answers"}
        assert str(worker.id) != item["pseudonym"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "text"),
        ({"text": "   "}, "text"),
        ({"text": 42}, "text"),
        ({"text": "x" * (MAX_TEXT + 1)}, "text"),
        ([], "body"),
    ],
)
def test_a_bad_question_is_a_422_naming_the_field_and_stores_nothing(thread, db, body, field):
    project_id, _requester_api, _worker, api = thread
    before = f.row_counts(db)
    err = error_of(api.post(f"/api/v1/projects/{project_id}/questions", json=body), 422)
    assert err["field"] == field and err["message"]
    assert f.row_counts(db) == before


def test_a_question_at_the_limit_is_taken(thread):
    project_id, _requester_api, _worker, api = thread
    asked = api.post(f"/api/v1/projects/{project_id}/questions", json={"text": "y" * MAX_TEXT})
    assert asked.status_code == 201, asked.text


def test_a_bad_answer_is_a_422_naming_the_field(thread, db):
    project_id, requester_api, _worker, api = thread
    question = api.post(f"/api/v1/projects/{project_id}/questions", json={"text": "Q?"}).json()
    before = f.row_counts(db)
    for body in ({"text": ""}, {"text": "z" * (MAX_TEXT + 1)}):
        err = error_of(
            requester_api.post(f"/api/v1/questions/{question['id']}/answers", json=body), 422
        )
        assert err["field"] == "text"
    assert f.row_counts(db) == before


def test_asking_is_rate_limited_per_worker_and_project(thread, db):
    """Five questions an hour: the sixth is a 429 that says when to come back; an hour
    later the worker may ask again (the service's clock)."""
    project_id, _requester_api, worker, api = thread
    start = utcnow() - timedelta(minutes=30)
    for n in range(QUESTIONS_PER_HOUR):
        voice.ask(db, worker, project_id, f"question {n}", now=start + timedelta(minutes=n))
    err = error_of(
        api.post(f"/api/v1/projects/{project_id}/questions", json={"text": "one more"}), 429
    )
    assert err["code"] == "rate_limited" and err["field"] == "text"
    assert "minutes" in err["message"]
    later = start + timedelta(hours=1, minutes=1)
    assert voice.ask(db, worker, project_id, "after an hour", now=later)["text"] == "after an hour"


def test_who_may_read_ask_and_answer(thread, db, http):
    project_id, requester_api, _worker, api = thread
    question = api.post(f"/api/v1/projects/{project_id}/questions", json={"text": "Q?"}).json()
    url = f"/api/v1/projects/{project_id}/questions"
    answer_url = f"/api/v1/questions/{question['id']}/answers"
    _, rival_token = f.user(db, "requester", org="Rival Lab")
    rival = http(rival_token)
    _, stranger_token = f.user(db, "worker")  # never consented: may read, may not ask
    stranger = http(stranger_token)
    _, admin_token = f.user(db, "admin")
    admin = http(admin_token)
    before = f.row_counts(db)
    assert error_of(rival.get(url), 404)["field"] == "project_id"
    assert error_of(rival.post(answer_url, json={"text": "no"}), 404)["field"] == "question_id"
    assert error_of(requester_api.post(url, json={"text": "me?"}), 403)["code"] == "not_a_worker"
    assert error_of(api.post(answer_url, json={"text": "me"}), 403)["code"] == "not_a_requester"
    assert error_of(admin.post(answer_url, json={"text": "me"}), 403)["code"] == "not_a_requester"
    assert error_of(stranger.post(url, json={"text": "me?"}), 403)["code"] == "consent_required"
    assert stranger.get(url).status_code == 200
    assert admin.get(url).status_code == 200
    assert error_of(requester_api.post("/api/v1/questions/999999/answers", json={"text": "x"}), 404)
    assert http().get(url).status_code == 401
    assert f.row_counts(db) == before


def test_the_thread_pages_newest_first_with_a_cursor(thread, db):
    project_id, _requester_api, worker, api = thread
    start = utcnow() - timedelta(hours=5)
    for n in range(5):
        voice.ask(db, worker, project_id, f"q{n}", now=start + timedelta(hours=n))
    first = api.get(f"/api/v1/projects/{project_id}/questions", params={"limit": 2}).json()
    assert [q["text"] for q in first["items"]] == ["q4", "q3"]
    rest = api.get(
        f"/api/v1/projects/{project_id}/questions",
        params={"limit": 10, "cursor": first["next_cursor"]},
    ).json()
    assert [q["text"] for q in rest["items"]] == ["q2", "q1", "q0"] and rest["next_cursor"] is None
    for params, field in (({"limit": 0}, "limit"), ({"cursor": "x"}, "cursor")):
        err = error_of(api.get(f"/api/v1/projects/{project_id}/questions", params=params), 422)
        assert err["field"] == field


def test_a_worker_rates_after_working_and_may_change_it(thread, db):
    project_id, _requester_api, _worker, api = thread
    url = f"/api/v1/projects/{project_id}/rating"
    good = {"clarity": 4, "fairness": 5, "pay": 3}
    assert api.get(url).json() == {"project_id": project_id, "may_rate": False, "rating": None}
    before = f.row_counts(db)
    assert error_of(api.put(url, json=good), 403)["code"] == "not_worked_here"
    assert f.row_counts(db) == before

    lease = api.post(f"/api/v1/projects/{project_id}/assignments").json()
    assert f.post_answer(api, lease["id"], "toxic", key="r1").status_code == 201
    saved = api.put(url, json=good)
    assert saved.status_code == 200, saved.text
    assert {k: saved.json()[k] for k in good} == good
    changed = api.put(url, json={**good, "pay": 1}).json()
    assert changed["pay"] == 1
    mine = api.get(url).json()
    assert mine["may_rate"] is True and mine["rating"]["pay"] == 1
    # Changed in the same week: still one rating.
    assert f.row_counts(db)["requester_ratings"] == 1


def test_an_item_given_back_is_work_enough_to_rate(thread):
    project_id, _requester_api, _worker, api = thread
    lease = api.post(f"/api/v1/projects/{project_id}/assignments").json()
    assert api.post(f"/api/v1/assignments/{lease['id']}/release").status_code == 200
    rated = api.put(
        f"/api/v1/projects/{project_id}/rating", json={"clarity": 2, "fairness": 2, "pay": 2}
    )
    assert rated.status_code == 200, rated.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"fairness": 3, "pay": 3}, "clarity"),
        ({"clarity": 0, "fairness": 3, "pay": 3}, "clarity"),
        ({"clarity": 3, "fairness": 6, "pay": 3}, "fairness"),
        ({"clarity": 3, "fairness": 3, "pay": "5"}, "pay"),
        ({"clarity": 3, "fairness": 3, "pay": True}, "pay"),
        ({"clarity": 3, "fairness": 3, "pay": 3.5}, "pay"),
        ({"clarity": 3, "fairness": 3, "pay": 3, "worker_id": 1}, "worker_id"),
    ],
)
def test_a_bad_rating_is_a_422_naming_the_field(thread, db, body, field):
    project_id, _requester_api, _worker, api = thread
    lease = api.post(f"/api/v1/projects/{project_id}/assignments").json()
    api.post(f"/api/v1/assignments/{lease['id']}/release")
    before = f.row_counts(db)
    err = error_of(api.put(f"/api/v1/projects/{project_id}/rating", json=body), 422)
    assert err["field"] == field
    assert f.row_counts(db) == before


def test_requesters_cannot_rate_or_read_a_rating(thread):
    project_id, requester_api, _worker, _api = thread
    url = f"/api/v1/projects/{project_id}/rating"
    assert error_of(requester_api.get(url), 403)["code"] == "not_a_worker"
    good = {"clarity": 5, "fairness": 5, "pay": 5}
    assert error_of(requester_api.put(url, json=good), 403)["code"] == "not_a_worker"


def test_the_project_shows_the_requester_record_with_its_ratings(thread):
    project_id, _requester_api, _worker, api = thread
    record = api.get(f"/api/v1/projects/{project_id}").json()["record"]
    assert record["new"] is True and record["median_days_to_pay"] is None
    assert record["ratings"] == {
        "enough": False,
        "min_raters": 5,
        "raters": None,
        "clarity": None,
        "fairness": None,
        "pay": None,
        "as_of": record["ratings"]["as_of"],
    }
