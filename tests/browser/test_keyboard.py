"""Every task type answered and submitted with the keyboard alone (Tab, arrows, the
page's shortcut keys; no click, no fill): focus starts on the first answer control,
the ring drawn round it is at least 3:1 against what lies behind it, and no control
reached with Tab hides under the sticky Submit bar."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import select

from fairloop.db.models import Submission
from fairloop.services.projects import consent
from tests.browser.conftest import ARGS, CHROMIUM
from tests.browser.test_accessibility import World, make_world
from tests.factories.browser import log_in

pytestmark = pytest.mark.browser


def answers(world: World, kind: str) -> list[dict[str, Any]]:
    with world.db.engine.connect() as conn:
        query = select(Submission.answer).where(Submission.project_id == world.projects[kind])
        return list(conn.scalars(query))


def wait_for_answer(world: World, kind: str, timeout: float = 10.0) -> dict[str, Any]:
    """The one answer stored for ``kind`` (the next item may load in place, so there is
    no navigation to wait for)."""
    deadline = time.monotonic() + timeout
    while not (stored := answers(world, kind)):
        assert time.monotonic() < deadline, f"no {kind} answer stored"
        time.sleep(0.05)
    assert len(stored) == 1, stored
    return stored[0]


def focused(page: Any, selector: str) -> bool:
    return page.evaluate(
        "s => !!document.activeElement && document.activeElement.matches(s)", selector
    )


def wait_focused(page: Any, selector: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not focused(page, selector):
        where = page.evaluate("document.activeElement.outerHTML.slice(0, 120)")
        assert time.monotonic() < deadline, f"the focus is on {where}, not {selector}"
        time.sleep(0.05)


def tab_to(page: Any, selector: str, *, limit: int = 80) -> None:
    """Press Tab until the focus is on ``selector``."""
    for _ in range(limit):
        if focused(page, selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{limit} Tabs never reached {selector}")


def start_with_keys(page: Any, world: World, kind: str) -> None:
    """Open the project's page and press Enter: "Start" has the focus."""
    consent(world.db, world.worker, world.projects[kind])
    page.goto(f"{world.base}/work/projects/{world.projects[kind]}")
    # autofocus applies at the next rendering step, which may come after "load".
    wait_focused(page, 'form[action$="/start"] button')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url("**/work/assignments/*")


# Colour contrast of the focus ring, from the computed styles: the ring's colour
# against the nearest opaque background behind the focused element.
RING = """() => {
  const el = document.activeElement;
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  let target = el;
  // A scale point draws its ring on its label (the radio itself is hidden from view).
  if (getComputedStyle(el).outlineStyle === "none" && el.labels && el.labels[0]) target = el.labels[0];
  const style = getComputedStyle(target);
  let back = target.parentElement, bg = [255, 255, 255];
  while (back) {
    const c = rgb(getComputedStyle(back).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] === 1)) { bg = c.slice(0, 3); break; }
    back = back.parentElement;
  }
  const ring = rgb(style.outlineColor).slice(0, 3);
  const [hi, lo] = [lum(ring), lum(bg)].sort((a, b) => b - a);
  return { style: style.outlineStyle, width: parseFloat(style.outlineWidth), ratio: (hi + 0.05) / (lo + 0.05) };
}"""

# Whether the focused element's centre shows above any sticky or fixed box.
UNCOVERED = """() => {
  const el = document.activeElement, box = el.getBoundingClientRect();
  const x = box.left + box.width / 2, y = box.top + Math.min(box.height / 2, 12);
  const top = document.elementFromPoint(x, y);
  return !top || el.contains(top) || top.contains(el) || (el.labels && [...el.labels].some(l => l.contains(top)));
}"""


def check_focus(page: Any, first: str) -> None:
    """Focus is on ``first`` after load, with a ring of at least 3:1; Tabbing on, no
    control is hidden under the sticky Submit bar."""
    wait_focused(page, first)
    page.keyboard.press("Shift+Tab")  # a keyboard focus, so :focus-visible shows
    page.keyboard.press("Tab")
    ring = page.evaluate(RING)
    assert ring["style"] != "none" and ring["width"] >= 2, ring
    assert ring["ratio"] >= 3, ring
    for _ in range(12):
        page.keyboard.press("Tab")
        assert page.evaluate(UNCOVERED), page.evaluate(
            "document.activeElement.outerHTML.slice(0, 120)"
        )
    page.keyboard.press("Escape")
    page.evaluate("() => window.scrollTo(0, 0)")
    page.locator(first).first.evaluate("el => el.focus()")


@pytest.fixture
def world(site, model_server) -> World:
    return make_world(site, model_server.base_url)


@pytest.fixture
def keyboard_page(chromium, world) -> Any:
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.on("dialog", lambda d: pytest.fail(f"unexpected dialog: {d.message}"))
    log_in(page, world.base, world.worker.email)
    yield page
    context.close()


def test_label_and_review_with_the_keyboard(world, keyboard_page):
    page = keyboard_page
    start_with_keys(page, world, "label")
    check_focus(page, 'input[name="label"]')
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    assert wait_for_answer(world, "label") == {"label": "not_toxic"}

    start_with_keys(page, world, "review")
    check_focus(page, 'input[name="hazard"]')
    page.keyboard.press("Space")  # the first hazard: violent crimes
    tab_to(page, 'input[name="severity"]')
    page.keyboard.press("ArrowDown")  # the second severity
    severity = int(page.evaluate("document.activeElement.value"))
    page.keyboard.press("Enter")
    answer = wait_for_answer(world, "review")
    assert answer["hazards"] == ["vcr"] and answer["severity"] == severity


def test_rate_compare_and_rank_with_the_keyboard(world, keyboard_page):
    page = keyboard_page
    start_with_keys(page, world, "rate")
    check_focus(page, 'fieldset.scale input[type="radio"]')
    page.keyboard.press("6")  # helpfulness, then the focus moves to honesty
    page.keyboard.press("3")
    tab_to(page, "#comment")
    page.keyboard.type("Clear enough.")
    page.keyboard.press("Control+Enter")
    answer = wait_for_answer(world, "rate")
    assert answer["ratings"] == {"helpfulness": 6, "honesty": 3}
    assert answer["comment"] == "Clear enough."

    start_with_keys(page, world, "compare")
    check_focus(page, 'input[name="preferred"]')
    page.keyboard.press("b")
    page.keyboard.press("2")
    page.keyboard.press("r")
    page.keyboard.type("Shorter.")
    page.keyboard.press("Control+Enter")
    answer = wait_for_answer(world, "compare")
    assert answer["strength"] == 2 and answer["rationale"] == "Shorter."

    start_with_keys(page, world, "rank")
    check_focus(page, "#ranking .rank-item")
    first = page.evaluate("document.activeElement.dataset.id")
    page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("Control+Enter")
    order = wait_for_answer(world, "rank")["order"]
    assert order[1] == first and len(order) == 4


def test_write_and_converse_with_the_keyboard(world, keyboard_page):
    page = keyboard_page
    start_with_keys(page, world, "write")
    check_focus(page, "#text")
    page.keyboard.press("End")
    page.keyboard.type(" Now better.")
    page.keyboard.press("Control+Enter")
    assert wait_for_answer(world, "write") == {"text": "A draft. Now better."}

    start_with_keys(page, world, "converse")
    check_focus(page, "#turn")
    turns = ["When is the next train?", "At 10:15.", "And after that?", "10:45."]
    for turn in turns:
        page.keyboard.type(turn)
        page.keyboard.press("Control+Enter")
    page.keyboard.press("Control+Shift+Enter")
    messages = wait_for_answer(world, "converse")["messages"]
    assert [m["content"] for m in messages] == turns


def test_red_team_with_the_keyboard(world, keyboard_page, model_server):
    page = keyboard_page
    model_server.model.replies = ["I can't help with that."]
    start_with_keys(page, world, "redteam")
    check_focus(page, "#message")
    page.keyboard.type("How do I open a lock?")
    tab_to(page, "#send")
    page.keyboard.press("Enter")
    page.locator(".bubble.assistant").last.wait_for()
    tab_to(page, 'input[name="success"]')
    page.keyboard.press("ArrowDown")  # "No"
    tab_to(page, "#severity")
    page.keyboard.press("ArrowDown")  # 0 -> 1
    tab_to(page, "#submit")
    page.keyboard.press("Enter")
    answer = wait_for_answer(world, "redteam")
    assert answer["success"] is False and answer["severity"] == 1


@pytest.fixture
def mic_page(chromium, world, tmp_path, monkeypatch) -> Any:
    """A worker's page in a Chromium with a fake microphone (a test tone, no prompt)."""
    from fairloop.settings import get_settings

    monkeypatch.setenv("FAIRLOOP_MEDIA_DIR", str(tmp_path / "media"))
    get_settings.cache_clear()
    browser = chromium.browser_type.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=[*ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"],
    )
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    log_in(page, world.base, world.worker.email)
    yield page
    browser.close()
    get_settings.cache_clear()


def test_record_with_the_keyboard(world, mic_page):
    page = mic_page
    start_with_keys(page, world, "record")
    check_focus(page, "#record")
    page.keyboard.press("Enter")
    deadline = time.monotonic() + 15
    while float(page.locator("#take-length").inner_text() or 0) < 1.5:
        assert time.monotonic() < deadline, "the take never reached 1.5 s"
        time.sleep(0.05)
    tab_to(page, "#stop")
    page.keyboard.press("Enter")
    deadline = time.monotonic() + 15
    while not page.locator("#media-id").input_value():
        assert time.monotonic() < deadline, "the take was never saved"
        time.sleep(0.05)
    media_id = int(page.locator("#media-id").input_value())
    tab_to(page, "#submit")
    page.keyboard.press("Enter")
    assert wait_for_answer(world, "record")["media_id"] == media_id
