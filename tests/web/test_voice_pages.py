"""Workers' voice on the pages: the thread on the task page and on its own page, the
requester answering, rating the requester, and the record on /work."""

from __future__ import annotations

import re

from fairloop.domain.voice import MAX_TEXT
from fairloop.services import voice
from tests import factories as f
from tests.factories.web import csrf_of, login


def start(client, project_id):
    """Start the project's first task from its page; the task page's response."""
    started = client.post(
        f"/work/projects/{project_id}/start",
        data={"csrf": csrf_of(client.get(f"/work/projects/{project_id}").text)},
    )
    assert started.status_code == 303, started.text
    return client.get(started.headers["location"]), started.headers["location"]


def test_the_task_page_shows_the_thread_and_takes_a_question(http, db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=2, overlap=1)
    other, _ = f.consented_worker(db, project_id)
    asked = voice.ask(db, other, project_id, "Is sarcasm toxic?\nEven mild sarcasm?")
    voice.answer(db, requester, asked["id"], "Only when it insults someone.")
    worker, _ = f.consented_worker(db, project_id)

    client = login(http, worker.email)
    task, location = start(client, project_id)
    assert task.status_code == 200
    assert "Questions about this project" in task.text
    assert "Is sarcasm toxic?<br>Even mild sarcasm?" in task.text
    assert "Only when it insults someone." in task.text
    assert asked["pseudonym"] in task.text and other.email not in task.text
    mine = voice.questions(db, worker, project_id)["pseudonym"]
    assert f"under your pseudonym, {mine}" in task.text

    sent = client.post(
        f"/work/projects/{project_id}/questions",
        data={
            "csrf": csrf_of(task.text),
            "text": "Are emoji text?",
            "assignment": location.rsplit("/", 1)[1],
        },
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == f"{location}#questions"
    again = client.get(location).text
    assert "Are emoji text?" in again and "(you)" in again and "Not answered yet." in again


def test_a_refused_question_comes_back_with_its_text_and_the_reason(http, db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=1)
    worker, _ = f.consented_worker(db, project_id)
    client = login(http, worker.email)
    page = client.get(f"/work/projects/{project_id}/questions")
    assert page.status_code == 200 and "No questions yet." in page.text
    before = f.row_counts(db)
    long = "x" * (MAX_TEXT + 1)
    refused = client.post(
        f"/work/projects/{project_id}/questions", data={"csrf": csrf_of(page.text), "text": long}
    )
    assert refused.status_code == 422
    assert f"text is {MAX_TEXT + 1} characters; at most {MAX_TEXT} are allowed" in refused.text
    assert 'aria-invalid="true"' in refused.text and long in refused.text
    blank = client.post(
        f"/work/projects/{project_id}/questions", data={"csrf": csrf_of(page.text), "text": " "}
    )
    assert blank.status_code == 422 and "text is required" in blank.text
    assert f.row_counts(db) == before


def test_a_worker_who_has_not_consented_reads_but_is_told_to_consent_to_ask(http, db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=1)
    worker, _ = f.user(db, "worker")
    client = login(http, worker.email)
    page = client.get(f"/work/projects/{project_id}/questions")
    assert page.status_code == 200
    assert "Consent to the project's disclosure to ask questions" in page.text
    refused = client.post(
        f"/work/projects/{project_id}/questions", data={"csrf": csrf_of(page.text), "text": "Hi?"}
    )
    assert refused.status_code == 403 and "consent to the project" in refused.text


def test_the_requester_answers_on_its_page(http, db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=1)
    worker, _ = f.consented_worker(db, project_id)
    asked = voice.ask(db, worker, project_id, "Can I skip French items?")
    owner = login(http, requester.email)
    page = owner.get(f"/projects/{project_id}/questions")
    assert page.status_code == 200
    assert "Can I skip French items?" in page.text and worker.email not in page.text
    assert f"Your answer to {asked['pseudonym']}" in page.text
    url = f"/projects/{project_id}/questions/{asked['id']}/answer"
    refused = owner.post(url, data={"csrf": csrf_of(page.text), "text": ""})
    assert refused.status_code == 422 and "text is required" in refused.text
    assert re.search(rf'id="answer-error-{asked["id"]}"', refused.text)
    done = owner.post(url, data={"csrf": csrf_of(page.text), "text": "Yes, give them back."})
    assert done.status_code == 303
    assert done.headers["location"] == f"/projects/{project_id}/questions#q-{asked['id']}"
    assert "Yes, give them back." in owner.get(f"/projects/{project_id}/questions").text


def test_rating_from_the_page_after_working(http, db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=1, overlap=1)
    worker, _ = f.consented_worker(db, project_id)
    client = login(http, worker.email)
    page = client.get(f"/work/projects/{project_id}/questions")
    assert "once you have worked on this project" in page.text
    assert 'name="clarity"' not in page.text

    f.work_through(db, project_id, [worker])
    page = client.get(f"/work/projects/{project_id}/questions")
    assert "Clarity of the instructions" in page.text
    bad = client.post(
        f"/work/projects/{project_id}/rating",
        data={"csrf": csrf_of(page.text), "clarity": "9", "fairness": "3", "pay": "3"},
    )
    assert bad.status_code == 422 and "clarity must be a whole number from 1 to 5" in bad.text
    good = client.post(
        f"/work/projects/{project_id}/rating",
        data={"csrf": csrf_of(page.text), "clarity": "4", "fairness": "3", "pay": "2"},
    )
    assert good.status_code == 303
    saved = client.get(good.headers["location"]).text
    assert "Saved. You can change your rating at any time." in saved
    assert 'id="clarity-4" required checked' in saved and "Change my rating" in saved


def test_work_lists_a_new_requester_and_too_few_ratings(http, db):
    requester, _ = f.user(db, "requester")
    f.project(db, requester, items=1)
    worker, _ = f.user(db, "worker")
    work = login(http, worker.email).get("/work").text
    assert "New requester" in work and "none of its work has been paid out yet" in work
    assert "not enough ratings yet (shown from 5 workers" in work
