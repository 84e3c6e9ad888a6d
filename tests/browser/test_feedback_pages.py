"""Each human-feedback task page, done in Chromium with the keyboard (and a drag on
the rank page), to the answer stored; the draft survives a reload."""

from __future__ import annotations

import json

import pytest

from fairloop.domain.specs import parse_spec
from fairloop.services.exports import export_rows
from fairloop.services.projects import create_project
from tests import factories as f
from tests.factories.browser import log_in
from tests.factories.feedback import feedback_spec, item

pytestmark = pytest.mark.browser


def open_task(site, page_factory, kind, data=None, **overrides):
    """A one-item project of ``kind``; a worker's page on its task. Returns (page, project)."""
    db, base = site.db, site.url
    requester, _ = f.user(db, "requester")
    project_id = create_project(
        db, requester, parse_spec(feedback_spec(kind, overlap=1, **overrides))
    )
    row = item(kind, 0)
    if data is not None:
        row["data"] = data
    f.add_items(db, requester, project_id, [row])
    worker, _ = f.user(db, "worker")
    page = page_factory()
    page.on("dialog", lambda d: pytest.fail(f"unexpected dialog: {d.message}"))
    log_in(page, base, worker.email)
    page.goto(f"{base}/work/projects/{project_id}")
    page.get_by_role("button", name="I have read this and consent").click()
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/work/assignments/*")
    return page, (requester, project_id)


def stored(site, project):
    requester, project_id = project
    rows = list(export_rows(site.db, requester, project_id, "raw"))
    return [
        {**r, "answer": json.loads(r["answer"]), "shown": json.loads(r["shown"] or "null")}
        for r in rows
    ]


def finished(page):
    page.get_by_role("heading", name="No more work").wait_for()


def test_rate_with_the_keyboard(site, page_factory):
    page, project = open_task(site, page_factory, "rate")
    assert "Keyboard shortcuts" in page.content()
    page.locator("fieldset.scale input").first.focus()
    page.keyboard.press("6")  # helpfulness, then focus moves to honesty
    page.keyboard.press("3")
    page.locator("#flag-factual_error").focus()
    page.keyboard.press("Space")
    page.locator("#comment").focus()
    page.keyboard.type("Mostly right.")
    page.keyboard.press("Control+Enter")
    finished(page)
    (row,) = stored(site, project)
    assert row["answer"] == {
        "ratings": {"helpfulness": 6, "honesty": 3},
        "flags": ["factual_error"],
        "comment": "Mostly right.",
    }


def test_compare_side_by_side_with_the_keyboard_and_safe_markdown(site, page_factory):
    hostile = "<img src=x onerror=alert(1)> **bold**\n\n```python\nprint('hi')\n```"
    data = {
        "messages": [{"role": "user", "content": "Show me *code*"}],
        "responses": [{"id": "a", "text": hostile}, {"id": "b", "text": "Plain answer."}],
    }
    page, project = open_task(site, page_factory, "compare", data=data)
    assert page.locator(".side-by-side .response").count() == 2
    assert page.locator(".response pre code").inner_text().strip() == "print('hi')"
    assert page.locator(".response strong").inner_text() == "bold"
    assert page.locator("main img").count() == 0
    assert page.locator(".chat em").inner_text() == "code"
    # Submitting without the required rationale is stopped on the page, saying why.
    page.locator("body").focus()
    page.keyboard.press("b")
    page.keyboard.press("3")
    page.keyboard.press("Enter")
    assert page.locator("#form-error").is_visible()
    page.keyboard.press("r")
    page.keyboard.type("Shorter and clearer.")
    page.keyboard.press("Control+Enter")
    finished(page)
    (row,) = stored(site, project)
    assert row["answer"]["preferred"] == row["shown"][1]
    assert row["answer"]["strength"] == 3
    assert row["answer"]["rationale"] == "Shorter and clearer."


def test_rank_by_keyboard_and_by_drag(site, page_factory):
    page, project = open_task(site, page_factory, "rank")
    items = page.locator("#ranking .rank-item")
    shown = [items.nth(i).get_attribute("data-id") for i in range(4)]
    # Keyboard: the first response goes down two places; the last is tied with the one above.
    items.first.focus()
    page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("Shift+ArrowDown")
    assert page.locator("#rank-status").inner_text() == "Moved to place 3."
    page.locator("#ranking .rank-item").last.focus()
    page.keyboard.press("=")
    expected = [shown[1], shown[2], [shown[0], shown[3]]]
    # Drag: the second response to the top.
    items.nth(1).drag_to(items.nth(0), target_position={"x": 10, "y": 2})
    expected = [shown[2], shown[1], sorted([shown[0], shown[3]])]
    got = [page.locator("#ranking .rank-item").nth(i).get_attribute("data-id") for i in range(4)]
    assert got == [shown[2], shown[1], shown[0], shown[3]]
    page.locator("#ranking .rank-item").first.focus()
    page.keyboard.press("Enter")
    finished(page)
    (row,) = stored(site, project)
    assert row["answer"]["order"] == expected
    assert row["shown"] == shown


def test_write_edits_the_draft_which_survives_a_reload(site, page_factory):
    page, project = open_task(site, page_factory, "write")
    text = page.locator("#text")
    assert text.input_value() == "A draft."
    text.focus()
    page.keyboard.press("End")
    page.keyboard.type(" Now better.")
    page.reload()
    assert page.locator("#text").input_value() == "A draft. Now better."
    page.locator("#text").focus()
    page.keyboard.press("Control+Enter")
    finished(page)
    (row,) = stored(site, project)
    assert row["answer"] == {"text": "A draft. Now better."}
    requester, project_id = project
    (sft,) = list(export_rows(site.db, requester, project_id, "sft"))
    assert sft["draft"] == "A draft." and "+A draft. Now better." in sft["diff"]


def test_converse_adds_turns_with_the_keyboard(site, page_factory):
    page, project = open_task(site, page_factory, "converse")
    turns = ["When is the next train?", "At 10:15.", "And the one after?", "10:45."]
    page.locator("#turn").focus()
    for n, turn in enumerate(turns):
        page.keyboard.type(turn)
        page.keyboard.press("Control+Enter")
        if n == 1:
            page.reload()  # the draft keeps the turns written so far
            assert page.locator("#turns li").count() == 2
            page.locator("#turn").focus()
    assert page.locator("#turn-label").inner_text() == "Next turn: the user"
    page.keyboard.press("Control+Shift+Enter")
    finished(page)
    (row,) = stored(site, project)
    roles = ["user", "assistant"] * 2
    assert row["answer"]["messages"] == [
        {"role": r, "content": t} for r, t in zip(roles, turns, strict=True)
    ]


def test_a_conversation_under_the_minimum_is_stopped_on_the_page(site, page_factory):
    page, project = open_task(site, page_factory, "converse")
    page.locator("#turn").focus()
    page.keyboard.type("Hello?")
    page.keyboard.press("Control+Enter")
    page.keyboard.press("Control+Shift+Enter")
    assert "needs 4 to 8 turns" in page.locator("#form-error").inner_text()
    assert stored(site, project) == []
