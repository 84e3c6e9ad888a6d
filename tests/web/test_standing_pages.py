"""Where workers stand, as their pages say it (issue 16, part 4): the project, items
done and left and what was earned today on a task page; task type, pay an hour,
badges and notices on the /work cards; a test's result with the right answers to the
wrong ones; exposure as measured so far; times in the worker's zone, in words."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fairloop.services.suspend import set_paused, suspend
from fairloop.services.wellbeing.exposure import set_time_zone
from fairloop.services.work.assign import lease_next
from fairloop.services.work.submit import submit
from tests import factories as f
from tests.factories.web import csrf_of, login

ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


def _text(html: str, element_id: str) -> str:
    """The visible text of the element with ``element_id`` (tags dropped, spaces joined)."""
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</(p|span|strong|section)>', html, re.S)
    assert match is not None, f"no #{element_id} in the page"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def _start(client, project_id):
    page = client.get(f"/work/projects/{project_id}")
    started = client.post(f"/work/projects/{project_id}/start", data={"csrf": csrf_of(page.text)})
    assert started.status_code == 303, started.text
    return started.headers["location"]


def test_a_task_page_shows_the_project_items_done_and_left_and_earned_today(http, db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=3, name="Toxic comments")
    worker, _ = f.consented_worker(db, project_id)
    client = login(http, worker.email)

    url = _start(client, project_id)
    task = client.get(url).text
    assert _text(task, "standing-project") == "Toxic comments"
    assert _text(task, "standing-items") == "0 items done, 2 more left for you"
    assert _text(task, "standing-earned") == "Earned today: $0.00"

    done = client.post(url, data={"csrf": csrf_of(task), "label": "toxic", "active_seconds": "4"})
    task = client.get(done.headers["location"]).text
    assert _text(task, "standing-items") == "1 item done, 1 more left for you"
    assert _text(task, "standing-earned") == "Earned today: $0.20"


def test_a_test_item_says_which_question_it_is(http, db):
    requester, _ = f.user(db, "requester")
    project_id = f.qualified_project(db, requester, test="test item", work="work")
    worker, _ = f.consented_worker(db, project_id)
    client = login(http, worker.email)
    csrf = csrf_of(client.get(f"/work/projects/{project_id}").text)
    taken = client.post(f"/work/projects/{project_id}/qualification", data={"csrf": csrf})
    task = client.get(taken.headers["location"]).text
    assert _text(task, "standing-items") == "Test question 1 of 1"


def test_work_cards_show_type_pay_an_hour_badges_and_notices(http, db):
    requester, _ = f.user(db, "requester")
    plain = f.project(db, requester, items=1, name="Plain")
    sensitive = f.project(db, requester, items=1, name="Sensitive", **f.hazard_spec(["vcr"]))
    tested = f.qualified_project(db, requester)
    paused = f.project(db, requester, items=1, name="Paused one")
    stopping = f.project(db, requester, items=1, name="Stopping one")
    set_paused(db, requester, paused, paused=True)
    suspend(db, requester, stopping, notice_days=3)
    worker, _ = f.user(db, "worker")
    set_time_zone(db, worker, "Asia/Tokyo")

    work = login(http, worker.email).get("/work").text
    card = {p: work.split(f'id="project-{p}"')[1].split("</li>")[0] for p in (plain, sensitive)}
    assert "Labelling" in card[plain]
    # 0.20 a task of about 30 s: 24.00 an hour at the estimate.
    assert "<strong>$24.00 an hour</strong>" in card[plain]
    assert "at the estimate: $0.20 a task of about 30 s; at least $12.00 an hour" in card[plain]
    assert "Sensitive content" not in card[plain]
    assert "Sensitive content: Violent crimes" in card[sensitive]
    tested_card = work.split(f'id="project-{tested}"')[1].split("</li>")[0]
    assert "Paid test first (1 item)" in tested_card
    paused_card = work.split(f'id="project-{paused}"')[1].split("</li>")[0]
    assert "Paused by the requester: no new tasks for now." in paused_card
    stopping_card = work.split(f'id="project-{stopping}"')[1].split("</li>")[0]
    notice = re.search(r"Stopping: you may keep working until (.*?) \((.*?)\)\.", stopping_card)
    assert notice is not None
    ends = datetime.now(UTC).astimezone(ZoneInfo("Asia/Tokyo")) + timedelta(days=3)
    assert notice.group(1).startswith(f"{ends:%a}, {ends:%B} {ends.day} at ")
    assert notice.group(2) == "in 3 days"
    assert not ISO.search(stopping_card)


def test_a_passed_test_says_so_and_the_card_says_test_passed(http, db):
    requester, _ = f.user(db, "requester")
    project_id = f.qualified_project(db, requester, test="test item", work="work")
    worker, _ = f.consented_worker(db, project_id)
    client = login(http, worker.email)
    csrf = csrf_of(client.get(f"/work/projects/{project_id}").text)
    taken = client.post(f"/work/projects/{project_id}/qualification", data={"csrf": csrf})
    client.post(taken.headers["location"], data={"csrf": csrf, "label": "toxic"})
    page = client.get(f"/work/projects/{project_id}/qualification").text
    assert _text(page, "qualification") == "You passed (1 of 1 right)."
    assert "Every answer was right." in page
    assert "Test passed" in client.get("/work").text


def test_a_failed_test_lists_the_wrong_answers_with_the_right_ones(http, db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(
        db, requester, overlap=1, qualification={"items": 3, "pass": 1.0, "retake_after_hours": 2}
    )
    gold = [("is this toxic?", "toxic"), ("a kind word", "not_toxic"), ("you idiot", "toxic")]
    f.add_items(
        db, requester, project_id, [{"data": {"text": t}, "gold": {"label": g}} for t, g in gold]
    )
    worker, _ = f.consented_worker(db, project_id)
    client = login(http, worker.email)
    csrf = csrf_of(client.get(f"/work/projects/{project_id}").text)
    answers = {"is this toxic?": "toxic", "a kind word": "toxic", "you idiot": "not_toxic"}
    for _ in gold:
        taken = client.post(f"/work/projects/{project_id}/qualification", data={"csrf": csrf})
        task = client.get(taken.headers["location"]).text
        text = next(t for t in answers if t in task)
        client.post(taken.headers["location"], data={"csrf": csrf, "label": answers[text]})

    page = client.get(f"/work/projects/{project_id}/qualification").text
    status = _text(page, "qualification")
    assert status.startswith("You did not pass this time (1 of 3 right). You may retake it ")
    assert re.search(r"retake it (today|tomorrow) at \d\d?:\d\d [AP]M \(in 2 hours\)\.$", status)
    results = page.split('id="results"')[1].split("</section>")[0]
    visible = " ".join(re.sub(r"<[^>]+>", " ", results).split())
    assert "2 answers were wrong. Here they are with the right answers:" in visible
    assert "a kind word Label You answered: toxic. Right answer: not_toxic" in visible
    assert "you idiot Label You answered: not_toxic. Right answer: toxic" in visible
    assert "is this toxic?" not in visible  # right: not listed
    # While the retake waits, taking the test again says when, on the test page.
    again = client.post(f"/work/projects/{project_id}/qualification", data={"csrf": csrf})
    assert again.headers["location"] == f"/work/projects/{project_id}/qualification"


def test_gold_answers_stay_hidden_while_the_attempt_runs(http, db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, overlap=1, qualification={"items": 2, "pass": 1.0})
    rows = [{"data": {"text": f"q{i}"}, "gold": {"label": "toxic"}} for i in range(2)]
    f.add_items(db, requester, project_id, rows)
    worker, _ = f.consented_worker(db, project_id)
    client = login(http, worker.email)
    csrf = csrf_of(client.get(f"/work/projects/{project_id}").text)
    taken = client.post(f"/work/projects/{project_id}/qualification", data={"csrf": csrf})
    client.post(taken.headers["location"], data={"csrf": csrf, "label": "not_toxic"})
    page = client.get(f"/work/projects/{project_id}/qualification").text
    assert _text(page, "qualification") == "1 of 2 answered."
    assert "Right answer" not in page and 'id="results"' not in page


def test_exposure_counts_an_open_hazard_task_as_measured_not_its_lease(http, db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, overlap=1, **f.hazard_spec(["vcr"]))
    f.add_items(db, requester, project_id, [{"data": {"text": "x"}, "hazards": ["vcr"]}])
    worker, _ = f.consented_worker(db, project_id)
    lease_next(db, worker, project_id)  # open, seconds old: its lease is 30 minutes
    page = login(http, worker.email).get("/me/wellbeing").text
    assert "Sensitive content seen today: 0 of 120 weighted minutes." in page


def test_a_budget_refusal_says_when_in_the_workers_own_time_in_words(http, db):
    requester, _ = f.user(db, "requester")
    hazard = f.hazard_spec(["vcr"], wellbeing={"daily_exposure_minutes": 30})
    project_id = f.project(db, requester, overlap=1, **hazard)
    rows = [{"data": {"text": f"x{i}"}, "hazards": ["vcr"], "severity": 1} for i in range(2)]
    f.add_items(db, requester, project_id, rows)
    worker, _ = f.consented_worker(db, project_id)
    set_time_zone(db, worker, "Pacific/Kiritimati")  # UTC+14: its midnight is never now
    now = datetime.now(UTC)
    lease = lease_next(db, worker, project_id, now=now)
    submit(db, worker, lease.id, {"label": "toxic"}, active_seconds=1800, idempotency_key="e",
           now=now + timedelta(minutes=30))  # fmt: skip

    client = login(http, worker.email)
    page = client.get(f"/work/projects/{project_id}")
    refused = client.post(f"/work/projects/{project_id}/start", data={"csrf": csrf_of(page.text)})
    assert refused.status_code == 403
    refusal = _text(refused.text, "refusal")
    # The budget renews at the worker's midnight: in words, in their zone, never ISO.
    assert refusal.startswith("Your budget of sensitive content is used up for now.")
    assert "You can continue tomorrow at 12:00 AM (in " in refusal
    assert not ISO.search(refused.text)
