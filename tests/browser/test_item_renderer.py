"""One item renderer on every task type, phone first: what a worker sees at 390 px and
at 1280 px. The prompt in both layouts, every named field and every lettered response
is in the visible text; a 400-character line of code scrolls in its own box and never
widens the page; Submit is on the first screen of a phone and stays there; "Stop and
skip" or "give back" is at the top; the rate page's targets are 44 px; rank moves by
buttons and refuses an order never touched."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import expect

from fairloop.domain.specs import parse_spec
from fairloop.services.exports import export_rows
from fairloop.services.projects import create_project
from tests import factories as f
from tests.factories.browser import log_in, start_task
from tests.factories.feedback import feedback_spec
from tests.factories.model import record_spec, redteam_spec

pytestmark = pytest.mark.browser

LONG = "x = [" + ", ".join(f"n{i}" for i in range(82)) + "]"  # one line, 400+ characters
CODE = f"Run this:\n\n```python\n{LONG}\n```"
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 800}
assert len(LONG) >= 400


def prompt_of(layout: str, text: str) -> dict[str, Any]:
    if layout == "messages":
        return {"messages": [{"role": "user", "content": text}]}
    return {"prompt": text}


def case(kind: str, layout: str) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """(task overrides, item data, texts the page must show) for ``kind``."""
    if kind == "label":
        if layout == "named":
            task = {
                "type": "label",
                "labels": ["yes", "no"],
                "fields": [
                    {"name": "question", "label": "The question"},
                    {"name": "context", "label": "Where it was asked"},
                ],
            }
            data = {"question": "Is the sky green?", "context": CODE, "ignored": "not named"}
            return task, data, ["The question", "Is the sky green?", "Where it was asked"]
        task = {"type": "label", "labels": ["yes", "no"]}
        data = {"question": "Is the sky green?", "source": "A forum", "notes": CODE, "score": 3}
        return task, data, ["Question", "Is the sky green?", "Source", "A forum", "Notes", "3"]
    if kind == "review":
        data = {"text": "An unpleasant post.", "context": CODE}
        return {}, data, ["Text", "An unpleasant post.", "Context"]
    prompt = prompt_of(layout, f"What does this code do? ({layout})\n\n{CODE}")
    if kind == "rate":
        data = {**prompt, "response": "It builds a list.", "topic": "Python"}
        return {}, data, [f"({layout})", "Response to rate", "It builds a list.", "Python"]
    if kind == "compare":
        responses = [
            {"id": "a", "text": "First answer."},
            {"id": "b", "text": f"Second.\n\n{CODE}"},
        ]
        data = {**prompt, "responses": responses}
        return {}, data, [f"({layout})", "Response A", "Response B", "First answer.", "Second."]
    if kind == "rank":
        responses = [{"id": r, "text": f"Answer {r}. {CODE if r == 'p' else ''}"} for r in "pqr"]
        data = {**prompt, "responses": responses}
        shown = ["Response A", "Response B", "Response C", "Answer p.", "Answer q.", "Answer r."]
        return {}, data, [f"({layout})", *shown]
    if kind == "write":
        data = {"messages": [{"role": "user", "content": f"Explain:\n\n{CODE}"}], "draft": "D."}
        return {}, data, ["Explain:", "user"]
    if kind == "converse":
        return {}, {"scenario": f"Ask about trains.\n\n{CODE}"}, ["Ask about trains."]
    if kind == "redteam":
        return {}, {"goal": "Get lock-picking steps", "notes": CODE}, ["Get lock-picking steps"]
    return {}, {"script": "The cat sat on the mat.", "notes": CODE}, ["The cat sat on the mat."]


def open_case(site, page_factory, kind, layout, model_server=None):
    db, base = site.db, site.url
    requester, _ = f.user(db, "requester")
    task, data, texts = case(kind, layout)
    if kind == "redteam":
        spec = redteam_spec(model_server.base_url, demo=True)
    elif kind == "record":
        spec = record_spec()
    elif kind in ("label", "review"):
        base_task = {"type": "review"} if kind == "review" else {}
        spec = f.spec(name=f"{kind} project", task={**base_task, **task}, overlap=1)
    else:
        spec = feedback_spec(kind, overlap=1, task=task)
    if kind == "review":
        spec.update(f.hazard_spec(["hte"]))
    project_id = create_project(db, requester, parse_spec(spec))
    row: dict[str, Any] = {"data": data}
    if kind in ("review", "redteam"):
        row |= {"hazards": ["hte"] if kind == "review" else ["ncr"], "severity": 1}
    f.add_items(db, requester, project_id, [row])
    worker, _ = f.user(db, "worker")
    page = page_factory()
    log_in(page, base, worker.email)
    start_task(page, base, project_id)
    return page, texts, (requester, project_id)


WIDTH = """() => ({page: document.documentElement.scrollWidth, viewport: innerWidth,
  code: [...document.querySelectorAll('pre.code')].map(p => [p.scrollWidth, p.clientWidth,
         p.tabIndex, p.getAttribute('aria-label'), p.textContent])})"""

CASES = [
    ("label", "named"),
    ("label", "all"),
    ("review", "all"),
    ("rate", "prompt"),
    ("rate", "messages"),
    ("compare", "prompt"),
    ("compare", "messages"),
    ("rank", "prompt"),
    ("rank", "messages"),
    ("write", "messages"),
    ("converse", "scenario"),
    ("redteam", "goal"),
    ("record", "script"),
]


@pytest.mark.parametrize(("kind", "layout"), CASES)
def test_every_task_type_shows_its_item_on_a_phone_and_a_desk(
    site, page_factory, model_server, kind, layout
):
    page, texts, _project = open_case(site, page_factory, kind, layout, model_server)
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        page.screenshot(path=f"/tmp/item-{kind}-{layout}-{size['width']}.png", full_page=True)
        seen = page.locator("main").inner_text()
        for text in texts:
            assert text in seen, f"{kind}/{layout} at {size['width']} px: {text!r} not shown"
        assert "not named" not in seen  # the spec names its fields: others stay out
        widths = page.evaluate(WIDTH)
        assert widths["page"] <= widths["viewport"], f"{kind} at {size['width']} px: {widths}"
        long_code = [c for c in widths["code"] if LONG in c[4]]
        assert long_code, f"{kind}: the code block is not shown"
        for scroll, client, _tab, _label, _text in long_code:
            assert scroll > client, "the long line scrolls inside its own box"
        for _scroll, _client, tab, label, _text in widths["code"]:
            assert tab == 0 and label, "a code block that scrolls is focusable, with a name"
    # On a phone: the way out at the top, above the item; Submit on the first screen.
    page.set_viewport_size(PHONE)
    page.evaluate("window.scrollTo(0, 0)")
    out = page.locator("#release-form button")
    assert out.inner_text() in ("Stop and skip", "Give this item back")
    out_box = out.bounding_box()
    assert out_box["y"] + out_box["height"] <= PHONE["height"]
    if kind not in ("redteam", "record"):
        item_box = page.locator("#item").bounding_box()
        assert out_box["y"] < item_box["y"]
        submit = page.locator("#submit")
        for scroll in (0, 600, 10_000):
            page.evaluate(f"window.scrollTo(0, {scroll})")
            box = submit.bounding_box()
            assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], (scroll, box)


def test_hazard_items_have_stop_and_skip_at_the_top_on_red_team_and_review(
    site, page_factory, model_server
):
    for kind in ("review", "redteam"):
        page, _texts, _project = open_case(site, page_factory, kind, "all", model_server)
        page.set_viewport_size(PHONE)
        stop = page.get_by_role("button", name="Stop and skip")
        box = stop.bounding_box()
        assert box["y"] < 300, f"{kind}: Stop and skip at {box['y']} px"


def test_responses_have_distinct_letters_ids_and_names(site, page_factory, model_server):
    page, _texts, _project = open_case(site, page_factory, "compare", "prompt", model_server)
    ids = page.eval_on_selector_all("[id]", "els => els.map(e => e.id)")
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert page.get_by_role("article", name="Response A").count() == 1
    assert page.get_by_role("article", name="Response B").count() == 1
    assert page.get_by_role("radio", name="A Response A").count() == 1
    assert page.get_by_role("radio", name="B Response B").count() == 1


def test_rate_page_tap_targets_are_44_px_with_whole_row_labels(site, page_factory):
    page, _texts, _project = open_case(site, page_factory, "rate", "prompt")
    page.set_viewport_size(PHONE)
    targets = page.eval_on_selector_all(
        ".task label:not([for=comment]), .task button, #release-form button",
        """els => els.filter(e => e.offsetParent).map(e => {
             const r = e.getBoundingClientRect();
             return [e.textContent.trim().slice(0, 30), r.width, r.height];
           })""",
    )
    assert len(targets) > 15
    small = [t for t in targets if t[1] < 44 or t[2] < 44]
    assert not small, small
    # A flag's label spans its row: a tap at the row's far end ticks it.
    flag = page.locator("label[for=flag-unsafe]")
    flag.evaluate("e => e.scrollIntoView({block: 'center'})")
    row = page.locator("label[for=flag-unsafe]").locator("..").bounding_box()
    box = flag.bounding_box()
    assert box["x"] + box["width"] >= row["x"] + row["width"] - 1
    page.mouse.click(box["x"] + box["width"] - 5, box["y"] + box["height"] / 2)
    assert page.locator("#flag-unsafe").is_checked()
    # A scale point is a 44 px square; tapping it rates.
    page.locator("label[for=r-helpfulness-7]").click()
    assert page.locator("#r-helpfulness-7").is_checked()


def test_instructions_are_open_on_the_first_task_and_closed_after(site, page_factory):
    db, base = site.db, site.url
    requester, _ = f.user(db, "requester")
    project_id = create_project(db, requester, parse_spec(feedback_spec("rate", overlap=1)))
    rows = [{"data": {"prompt": f"Q{n}?", "response": f"A{n}."}} for n in range(2)]
    f.add_items(db, requester, project_id, rows)
    worker, _ = f.user(db, "worker")
    page = page_factory()
    log_in(page, base, worker.email)
    start_task(page, base, project_id)
    assert page.locator("#instructions").get_attribute("open") is not None
    assert page.get_by_text("Rate the response.").is_visible()
    page.locator("#r-helpfulness-5").check(force=True)
    page.locator("#r-honesty-5").check(force=True)
    first = page.locator("#item").inner_text()
    page.locator("#submit").click()
    expect(page.locator("#item")).not_to_have_text(first)
    assert page.locator("#instructions").get_attribute("open") is None
    assert not page.get_by_text("Rate the response.").is_visible()
    page.locator("#instructions summary").click()
    assert page.get_by_text("Rate the response.").is_visible()


def stored_orders(site, project) -> list[Any]:
    requester, project_id = project
    return [
        json.loads(r["answer"])["order"] for r in export_rows(site.db, requester, project_id, "raw")
    ]


def test_rank_moves_by_buttons_and_refuses_an_untouched_order(site, page_factory):
    page, _texts, project = open_case(site, page_factory, "rank", "prompt")
    page.set_viewport_size(PHONE)
    items = page.locator("#ranking .rank-item")
    shown = [items.nth(i).get_attribute("data-id") for i in range(3)]
    letters = [items.nth(i).get_attribute("data-letter") for i in range(3)]
    assert letters == ["A", "B", "C"]
    # Untouched, the random order is refused in the page, saying what to do.
    page.locator("#submit").click()
    error = page.locator("#form-error")
    assert error.is_visible() and "move at least one" in error.inner_text()
    assert stored_orders(site, project) == []
    # The first response's Up is disabled; B's Up moves B to the top, its place now 1.
    assert page.get_by_role("button", name="Move response A up").is_disabled()
    page.get_by_role("button", name="Move response B up").click()
    now = [items.nth(i).get_attribute("data-id") for i in range(3)]
    assert now == [shown[1], shown[0], shown[2]]
    assert items.nth(0).locator(".place").inner_text() == "1"
    assert page.locator("#rank-status").inner_text() == "Moved to place 1."
    page.get_by_role("button", name="Move response A down").click()
    now = [items.nth(i).get_attribute("data-id") for i in range(3)]
    assert now == [shown[1], shown[2], shown[0]]
    page.locator("#submit").click()
    page.get_by_role("heading", name="No more work").wait_for()
    assert stored_orders(site, project) == [[shown[1], shown[2], shown[0]]]


def test_rank_keeps_an_order_the_worker_confirms(site, page_factory):
    page, _texts, project = open_case(site, page_factory, "rank", "prompt")
    items = page.locator("#ranking .rank-item")
    shown = [items.nth(i).get_attribute("data-id") for i in range(3)]
    page.get_by_role("button", name="Keep this order").click()
    page.locator("#submit").click()
    page.get_by_role("heading", name="No more work").wait_for()
    assert stored_orders(site, project) == [shown]
