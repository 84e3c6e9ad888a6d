"""The question thread on a real task page in Chromium: a worker asks from the task,
the requester answers on its page, and the worker reads the answer beside the task."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.factories.browser import log_in, start_task

pytestmark = pytest.mark.browser


def test_a_worker_asks_from_the_task_page_and_reads_the_answer(site, page_factory):
    db, base = site.db, site.url
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=3, overlap=1)
    worker, _ = f.user(db, "worker")

    page = page_factory()
    log_in(page, base, worker.email)
    start_task(page, base, project_id)
    task_url = page.url
    thread = page.get_by_role("region", name="Questions about this project")
    assert "No questions yet." in thread.inner_text()

    box = page.get_by_label("Ask the requester a question")
    box.fill("")
    box.type("Is sarcasm toxic? 1 2")  # digits typed here choose no label
    assert not page.locator('input[name="label"]:checked').count()
    with page.expect_navigation():
        page.get_by_role("button", name="Ask").click()
    assert page.url.split("#")[0] == task_url
    question = page.locator(".question").first
    assert "Is sarcasm toxic? 1 2" in question.inner_text()
    assert "(you)" in question.inner_text() and "Not answered yet." in question.inner_text()
    assert worker.email not in page.content()

    owner = page_factory()
    log_in(owner, base, requester.email)
    owner.goto(f"{base}/projects/{project_id}/questions")
    owner.locator("textarea").first.fill("Only when it insults someone.")
    with owner.expect_navigation():
        owner.get_by_role("button", name="Answer").click()
    assert "Only when it insults someone." in owner.locator(".answer").first.inner_text()

    page.goto(task_url)
    answered = page.locator(".question").first.inner_text()
    assert "The requester answered" in answered
    assert "Only when it insults someone." in answered
    # The task is still there to be done, with the keyboard as before.
    page.keyboard.press("1")
    assert page.locator('input[data-key="1"]').is_checked()
