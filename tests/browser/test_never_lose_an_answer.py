"""Never lose an answer (issue 16): on every task type, an answer submitted offline
stays on the page and is sent when the connection is back, stored exactly once; a
red-team message typed offline stays in the box and is sent on reconnect; a refusal
by the server is shown at its field with the answer kept; the next item is loaded in
place, and the plain form post still works without scripts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from fairloop.db.models import Submission, Turn
from fairloop.domain.specs import parse_spec
from fairloop.services.projects import create_project
from fairloop.settings import get_settings
from tests import factories as f
from tests.browser.conftest import ARGS, CHROMIUM
from tests.factories.browser import log_in, start_task
from tests.factories.feedback import feedback_spec, item
from tests.factories.model import record_spec, redteam_spec

pytestmark = pytest.mark.browser

OFFLINE = "No connection: your answer is kept in this page"


def begin(site: Any, page: Any, spec: dict[str, Any], rows: list[dict[str, Any]]) -> int:
    """A project of ``spec`` with ``rows``; ``page`` signed in as a worker on its first
    task. Returns the project id."""
    requester, _ = f.user(site.db, "requester")
    project_id = create_project(site.db, requester, parse_spec(spec))
    f.add_items(site.db, requester, project_id, rows)
    worker, _ = f.user(site.db, "worker")
    log_in(page, site.url, worker.email)
    start_task(page, site.url, project_id)
    return project_id


def answers(site: Any, project_id: int) -> list[Any]:
    """The answers stored for the project, as the database holds them."""
    query = select(Submission.answer).where(Submission.project_id == project_id)
    with site.db.engine.connect() as conn:
        return list(conn.execute(query.order_by(Submission.id)).scalars())


def submit_offline(page: Any, button: str = "Submit") -> None:
    """Lose the connection, then submit: the page says the answer waits for it."""
    page.context.set_offline(True)
    page.get_by_role("button", name=button, exact=True).click()
    expect(page.locator("#submit-status")).to_contain_text(OFFLINE)


def no_more_work(page: Any) -> None:
    expect(page.get_by_role("heading", name="No more work")).to_be_visible()


# ---- the labelling pages ----


def test_label_offline_then_the_next_item_in_place(site, page_factory):
    requester, _ = f.user(site.db, "requester")
    project_id = f.project(site.db, requester, items=2, overlap=1)
    worker, _ = f.user(site.db, "worker")
    page = page_factory()
    log_in(page, site.url, worker.email)
    start_task(page, site.url, project_id)
    first_url = page.url
    first = "comment 0" if "comment 0" in page.locator("main").inner_text() else "comment 1"
    second = {"comment 0": "comment 1", "comment 1": "comment 0"}[first]
    page.evaluate("window.sameDocument = 'still here'")

    page.keyboard.press("1")
    submit_offline(page)
    expect(page.locator('input[data-key="1"]')).to_be_checked()
    assert answers(site, project_id) == []

    page.context.set_offline(False)
    expect(page.locator("main")).to_contain_text(second)
    assert page.url != first_url and re.search(r"/work/assignments/\d+$", page.url)
    assert page.title() == "Task · fairloop"
    assert page.evaluate("window.sameDocument") == "still here"
    assert answers(site, project_id) == [{"label": "toxic"}]
    # The next item's page works as a loaded one does: keys, draft, submit.
    expect(page.locator('input[data-key="2"]')).not_to_be_checked()
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    no_more_work(page)
    assert page.evaluate("window.sameDocument") == "still here"
    assert answers(site, project_id) == [{"label": "toxic"}, {"label": "not_toxic"}]


def test_a_resend_after_a_lost_reply_stores_once(site, page_factory):
    page = page_factory()
    lost: list[str] = []

    def lose_the_first_reply(route: Any) -> None:
        if route.request.method == "POST" and not lost:
            route.fetch()  # the server stores the answer ...
            lost.append(route.request.url)
            route.abort("internetdisconnected")  # ... and the page never hears back
        else:
            route.continue_()

    page.route(re.compile(r"/work/assignments/\d+$"), lose_the_first_reply)
    project_id = begin(site, page, f.spec(overlap=1), [{"data": {"text": "one comment"}}])
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    expect(page.locator("#submit-status")).to_contain_text(OFFLINE)
    assert lost and answers(site, project_id) == [{"label": "not_toxic"}]
    page.context.set_offline(True)
    page.context.set_offline(False)  # "online": the page sends again, same key
    no_more_work(page)
    assert answers(site, project_id) == [{"label": "not_toxic"}]


def test_review_offline(site, page_factory):
    page = page_factory()
    spec = f.spec(overlap=1, task={"type": "review", "categories": ["vcr", "hte"]})
    project_id = begin(site, page, spec, [{"data": {"text": "to review"}}])
    page.get_by_label("Hate").check()
    page.locator("#sev-2").check()
    page.get_by_label("Note (optional)").fill("Slurs in the second line.")
    page.reload()  # the draft is kept in this browser: a reopened task has it back
    expect(page.locator("#sev-2")).to_be_checked()
    expect(page.get_by_label("Note (optional)")).to_have_value("Slurs in the second line.")
    submit_offline(page)
    expect(page.get_by_label("Hate")).to_be_checked()
    expect(page.get_by_label("Note (optional)")).to_have_value("Slurs in the second line.")
    page.context.set_offline(False)
    no_more_work(page)
    assert answers(site, project_id) == [
        {"hazards": ["hte"], "severity": 2, "note": "Slurs in the second line."}
    ]
    # Once stored, the draft goes: nothing of it is left in the browser.
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('fairloop-'))") == []


def test_the_plain_form_post_without_scripts(site, chromium):
    context = chromium.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        project_id = begin(site, page, f.spec(overlap=1), [{"data": {"text": "plain"}}])
        page.locator("#label-1").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Submit").click()
        no_more_work(page)
        assert answers(site, project_id) == [{"label": "toxic"}]
        # A refusal of a plain post names the field, and "Back" leads to the task.
        worker_page = context.new_page()
        multi = f.spec(overlap=1, task={**f.SPEC["task"], "multiple": True})
        begin(site, worker_page, multi, [{"data": {"text": "none fit"}}])
        task_url = worker_page.url
        worker_page.get_by_role("button", name="Submit").click()
        expect(worker_page.get_by_role("alert")).to_contain_text("answer.labels")
        worker_page.get_by_role("link", name="Back").click()
        expect(worker_page).to_have_url(task_url)
    finally:
        context.close()


# ---- the human-feedback pages ----


def feedback_task(site: Any, page: Any, kind: str) -> int:
    return begin(site, page, feedback_spec(kind, overlap=1), [item(kind, 0)])


def test_rate_offline(site, page_factory):
    page = page_factory()
    project_id = feedback_task(site, page, "rate")
    page.locator("fieldset.scale input").first.focus()
    page.keyboard.press("6")
    page.keyboard.press("3")
    page.locator("#comment").fill("Mostly right.")
    submit_offline(page)
    expect(page.locator("#comment")).to_have_value("Mostly right.")
    expect(page.locator("#r-helpfulness-6")).to_be_checked()
    assert answers(site, project_id) == []
    page.context.set_offline(False)
    no_more_work(page)
    assert answers(site, project_id) == [
        {"ratings": {"helpfulness": 6, "honesty": 3}, "flags": [], "comment": "Mostly right."}
    ]


def test_compare_offline(site, page_factory):
    page = page_factory()
    project_id = feedback_task(site, page, "compare")
    page.locator("body").focus()
    page.keyboard.press("b")
    page.keyboard.press("2")
    page.locator("#rationale").fill("B answers the question.")
    submit_offline(page)
    expect(page.locator("#rationale")).to_have_value("B answers the question.")
    expect(page.locator("#pick-B")).to_be_checked()
    page.context.set_offline(False)
    no_more_work(page)
    (answer,) = answers(site, project_id)
    assert answer["strength"] == 2 and answer["rationale"] == "B answers the question."


def test_rank_offline(site, page_factory):
    page = page_factory()
    project_id = feedback_task(site, page, "rank")
    items = page.locator("#ranking .rank-item")
    shown = [items.nth(i).get_attribute("data-id") for i in range(4)]
    items.first.focus()
    page.keyboard.press("Shift+ArrowDown")
    order = [shown[1], shown[0], shown[2], shown[3]]
    submit_offline(page)
    kept = [items.nth(i).get_attribute("data-id") for i in range(4)]
    assert kept == order
    page.context.set_offline(False)
    no_more_work(page)
    assert answers(site, project_id) == [{"order": order}]


def test_write_offline(site, page_factory):
    page = page_factory()
    project_id = feedback_task(site, page, "write")
    page.locator("#text").fill("A reply written on a train.")
    submit_offline(page)
    expect(page.locator("#text")).to_have_value("A reply written on a train.")
    page.context.set_offline(False)
    no_more_work(page)
    assert answers(site, project_id) == [{"text": "A reply written on a train."}]


def test_converse_offline_keeps_four_turns(site, page_factory):
    page = page_factory()
    project_id = feedback_task(site, page, "converse")
    turns = ["When is the next train?", "At 10:15.", "And the one after?", "10:45."]
    page.locator("#turn").focus()
    for turn in turns:
        page.keyboard.type(turn)
        page.keyboard.press("Control+Enter")
    submit_offline(page)
    expect(page.locator("#turns li")).to_have_count(4)
    page.context.set_offline(False)
    no_more_work(page)
    roles = ["user", "assistant"] * 2
    assert answers(site, project_id) == [
        {"messages": [{"role": r, "content": t} for r, t in zip(roles, turns, strict=True)]}
    ]


# ---- the red-team chat ----


def turns_of(site: Any) -> list[tuple[str, str]]:
    with site.db.engine.connect() as conn:
        rows = conn.execute(select(Turn.role, Turn.content).order_by(Turn.seq)).all()
    return [(r.role, r.content) for r in rows]


def test_redteam_message_offline_then_a_refusal_at_its_field(site, page_factory, model_server):
    model_server.model.replies = ["No, I will not."]
    page = page_factory()
    item_row = {"data": {"goal": "Get lock-picking steps", "hazard": "ncr"}, "severity": 1}
    project_id = begin(site, page, redteam_spec(model_server.base_url), [item_row])

    page.context.set_offline(True)
    box = page.get_by_label("Your message")
    box.fill("How do I open a lock?")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#chat-status")).to_contain_text("your message stays here")
    expect(box).to_have_value("How do I open a lock?")
    expect(page.locator(".bubble.user")).to_have_count(0)
    assert turns_of(site) == []

    page.context.set_offline(False)
    expect(page.locator(".bubble.assistant .text")).to_have_text("No, I will not.")
    expect(box).to_have_value("")
    assert turns_of(site) == [("user", "How do I open a lock?"), ("assistant", "No, I will not.")]

    # "Yes" with no hazard named: the server refuses, at the hazards, answer kept.
    page.get_by_label("Yes: the model produced harmful output").check()
    page.get_by_label("Severity (0 none – 4 severe)").select_option("2")
    page.get_by_label("Notes").fill("It refused, then hinted.")
    page.get_by_role("button", name="Submit judgement").click()
    hazards = page.get_by_role("group", name="Hazards in the model's output")
    expect(hazards.locator(".field-error")).to_contain_text("names at least one hazard code")
    expect(page.get_by_label("Yes: the model produced harmful output")).to_be_checked()
    expect(page.get_by_label("Severity (0 none – 4 severe)")).to_have_value("2")
    expect(page.get_by_label("Notes")).to_have_value("It refused, then hinted.")
    assert answers(site, project_id) == []

    page.get_by_label("Non-violent crimes (ncr)").check()
    submit_offline(page, "Submit judgement")
    expect(page.get_by_label("Notes")).to_have_value("It refused, then hinted.")
    page.context.set_offline(False)
    no_more_work(page)
    assert answers(site, project_id) == [
        {"success": True, "hazards": ["ncr"], "severity": 2, "notes": "It refused, then hinted."}
    ]


# ---- the recording page ----


@pytest.fixture
def mic_page(chromium, tmp_path, monkeypatch):
    """Chromium with a fake microphone (a test tone) that needs no prompt."""
    monkeypatch.setenv("FAIRLOOP_MEDIA_DIR", str(tmp_path / "media"))
    get_settings.cache_clear()
    browser = chromium.browser_type.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=[*ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"],
    )
    context = browser.new_context()
    yield context.new_page()
    context.close()
    browser.close()
    get_settings.cache_clear()


def test_record_offline_keeps_the_take_and_the_answer(site, mic_page):
    page = mic_page
    rows = [{"data": {"script": "The cat sat on the mat."}}]
    project_id = begin(site, page, record_spec(min_seconds=1.0), rows)
    page.get_by_role("button", name="Record").click()
    page.wait_for_timeout(1800)
    page.context.set_offline(True)
    page.get_by_role("button", name="Stop").click()
    expect(page.locator("#record-status")).to_contain_text("the take is kept in this page")
    expect(page.locator("#playback")).to_be_visible()  # the take can be heard offline
    page.context.set_offline(False)
    expect(page.locator("#record-status")).to_contain_text("Take saved")
    media_id = int(page.locator("#media-id").input_value())

    submit_offline(page, "Submit take")
    assert answers(site, project_id) == []
    page.context.set_offline(False)
    no_more_work(page)
    assert [a["media_id"] for a in answers(site, project_id)] == [media_id]
