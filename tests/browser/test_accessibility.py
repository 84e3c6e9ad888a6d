"""Accessibility in Chromium: axe-core finds no WCAG 2.2 AA violation on any page state
of a worker's walk, in English and in Arabic (right to left), at phone and desktop
width; every task type is answered and submitted with the keyboard alone; one <h1>
a page, focus on the first answer, a focus ring of 3:1, and no sideways scroll at
320 px."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from fairloop.domain.specs import parse_spec
from fairloop.services.inbox import post_notice
from fairloop.services.projects import consent, create_project
from tests import factories as f
from tests.factories.axe import violations, with_axe
from tests.factories.feedback import feedback_spec, item
from tests.factories.model import record_spec, redteam_spec

pytestmark = pytest.mark.browser

FEEDBACK = ["rate", "compare", "rank", "write", "converse"]
# The demo's list-comprehension item, at 400 characters: a scrolling region to reach.
LONG_CODE = (
    "Try this:\n\n```python\nsquares = ["
    + ", ".join(["n * n for n in range(10)"] * 16)[:380]
    + "]\n```"
)
# FAIRLOOP_TEST_SHOTS=/tmp/shots: a screenshot of each page state, to look at.
SHOTS = os.environ.get("FAIRLOOP_TEST_SHOTS")
TASK_TYPES = ["label", "review", *FEEDBACK, "redteam", "record"]


@dataclass
class World:
    """A requester's projects, one of each task type with two items, and a worker."""

    db: Any
    base: str
    worker: Any
    projects: dict[str, int] = field(default_factory=dict)


def make_world(site: Any, model_url: str) -> World:
    db = site.db
    requester, _ = f.user(db, "requester")
    specs: dict[str, dict[str, Any]] = {
        "label": f.spec(overlap=1),
        "review": f.spec(
            name="Review", overlap=1, task={"type": "review", "categories": ["vcr", "hte"]}
        ),
        **{kind: feedback_spec(kind, overlap=1) for kind in FEEDBACK},
        "redteam": redteam_spec(model_url, demo=True),
        "record": record_spec(),
    }
    rows: dict[str, list[dict[str, Any]]] = {
        "label": [{"data": {"text": f"comment {n}"}} for n in range(2)],
        "review": [{"data": {"text": f"to review {n}"}} for n in range(2)],
        **{kind: [item(kind, n) for n in range(2)] for kind in FEEDBACK},
        "rate": [
            {"data": {"prompt": f"How do I square numbers {n}?", "response": LONG_CODE}}
            for n in range(2)
        ],
        "redteam": [
            {"data": {"goal": f"Get lock-picking steps {n}", "hazard": "ncr"}} for n in range(2)
        ],
        "record": [{"data": {"script": f"The train leaves at ten {n}."}} for n in range(2)],
    }
    world = World(db, site.url, f.user(db, "worker")[0])
    for kind, spec in specs.items():
        world.projects[kind] = create_project(db, requester, parse_spec(spec))
        f.add_items(db, requester, world.projects[kind], rows[kind])
    world.projects["qualified"] = f.qualified_project(db, requester)
    return world


def open_task(page: Any, world: World, kind: str) -> None:
    """Start the worker's next task of ``kind`` (consented through the service)."""
    project_id = world.projects[kind]
    consent(world.db, world.worker, project_id)
    page.goto(f"{world.base}/work/projects/{project_id}")
    with page.expect_navigation():
        page.locator('form[action$="/start"] button').click()
    page.wait_for_url("**/work/assignments/*")


@pytest.fixture
def world(site, model_server) -> World:
    return make_world(site, model_server.base_url)


def new_page(chromium: Any, *, locale: str = "en", width: int = 1280) -> Any:
    context = with_axe(
        chromium.new_context(locale=locale, viewport={"width": width, "height": 800})
    )
    page = context.new_page()
    page.on("dialog", lambda d: pytest.fail(f"unexpected dialog: {d.message}"))
    return page


@pytest.mark.parametrize(
    ("locale", "width"),
    [("en", 320), ("en", 1280), ("ar", 320)],
    ids=["en-320", "en-1280", "ar-320"],
)
def test_no_axe_violation_on_any_page_of_the_worker_walk(site, chromium, world, locale, width):
    page = new_page(chromium, locale=locale, width=width)
    base, found = world.base, {}

    def check(state: str) -> None:
        found[state] = violations(page)
        if SHOTS:
            slug = re.sub(r"\W+", "-", state).strip("-")
            page.screenshot(path=f"{SHOTS}/{locale}-{width}-{slug}.png", full_page=True)
        headings = page.locator("h1").count()
        if headings != 1:
            found[state].append(f"{headings} <h1> elements, not one")
        # Reflow (WCAG 1.4.10): nothing scrolls sideways, 320 px included.
        wide = page.evaluate("document.documentElement.scrollWidth")
        if wide > width:
            found[state].append(f"the page is {wide} px wide in a {width} px viewport")

    page.goto(f"{base}/login")
    check("login")
    page.locator("#email").fill(world.worker.email)
    page.locator("#password").fill("wrong password")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check("login, wrong password")
    page.goto(f"{base}/register")
    check("register")
    # By ids, not labels: the labels are in the page's language.
    page.goto(f"{base}/login")
    page.locator("#email").fill(world.worker.email)
    page.locator("#password").fill(f.PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    with site.db.transaction() as s:
        post_notice(s, user_id=world.worker.id, kind="top_up", text="A top-up of 1.20 USD.")
    page.goto(f"{base}/work")
    check("work, with an unread notice")
    page.goto(f"{base}/work/projects/{world.projects['label']}")
    check("consent")
    with page.expect_navigation():
        page.locator("form.consent button").click()
    check("consented, ready to start")
    for kind in TASK_TYPES:
        open_task(page, world, kind)
        check(f"task: {kind}")
    qualified = world.projects["qualified"]
    consent(site.db, world.worker, qualified)
    page.goto(f"{base}/work/projects/{qualified}/qualification")
    check("qualification, before")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    check("qualification, its test item")
    page.locator('input[data-key="2"]').check()  # the wrong label
    with page.expect_navigation():
        page.locator("#submit").click()
    page.goto(f"{base}/work/projects/{qualified}/qualification")
    check("qualification, failed with the right answers")
    page.goto(f"{base}/work/projects/{world.projects['label']}/done")
    check("no more work")
    for path in ("/me/earnings", "/me/wellbeing", "/me/inbox"):
        page.goto(base + path)
        check(path)
    report = [f"{state}: {line}" for state, lines in found.items() for line in lines]
    assert not report, "\n".join(report)
    assert len(found) == 22
