"""A worker does three tasks slower than estimated; after `fairloop pay settle` the
earnings page shows a top-up and an effective hourly rate at or above the floor."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from decimal import Decimal

import pytest
from sqlalchemy import select

from fairloop.db.models import Assignment, Submission
from fairloop.services.pay.review import review
from tests import factories as f
from tests.factories.browser import log_in

pytestmark = pytest.mark.browser

# 14.40 an hour if a task took the 5 s estimated; each takes about 17 s here.
PAY = {"currency": "USD", "per_task": "0.02", "estimated_seconds": 5, "hourly_floor": "12.00"}


def work_for(page, seconds: float) -> None:
    """Be active on the page (pointer moves) for ``seconds`` of real time."""
    deadline = time.monotonic() + seconds
    x = 10
    while time.monotonic() < deadline:
        x = 10 + (x + 37) % 300
        page.mouse.move(x, 200)
        page.wait_for_timeout(1000)


def test_slow_tasks_are_topped_up_to_the_floor(site, page_factory):
    db, base = site.db, site.url
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=3, overlap=1, pay=PAY)
    worker, _ = f.user(db, "worker")
    page = page_factory()
    log_in(page, base, worker.email)
    page.goto(f"{base}/work")
    card = page.locator(".pay").first.inner_text()
    assert "a task of about 5 s" in card and "at least $12.00 an hour" in card, card
    page.goto(f"{base}/work/projects/{project_id}")
    page.get_by_role("button", name="I have read this and consent").click()
    page.get_by_role("button", name="Start").click()
    for _ in range(3):
        page.wait_for_url("**/work/assignments/*")
        work_for(page, 16.5)  # one heartbeat at 15 s, then the answer
        page.keyboard.press("1")
        with page.expect_navigation():
            page.keyboard.press("Enter")
    assert page.get_by_role("heading", name="No more work").is_visible()

    with db.engine.connect() as conn:
        beats = [ms // 1000 for ms in conn.scalars(select(Assignment.heartbeat_ms))]
        ids = list(conn.scalars(select(Submission.id)))
    assert len(beats) == 3 and all(b >= 15 for b in beats), beats
    for sid in ids:
        review(db, requester, sid, {"decision": "approve"})
    env = {**os.environ, "FAIRLOOP_DATABASE_URL": db.url}
    settled = subprocess.run(
        [sys.executable, "-m", "fairloop", "pay", "settle"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert settled.returncode == 0, settled.stderr
    assert "1 top-ups" in settled.stdout

    page.goto(f"{base}/me/earnings")
    top_up = Decimal(page.locator("#top-ups").inner_text().split()[0])
    assert top_up > 0
    row = page.locator(f"#project-{project_id}")
    assert Decimal(row.locator(".top-up").inner_text()) == top_up
    assert Decimal(row.locator(".effective").inner_text()) >= Decimal("12.00")
    assert Decimal(page.locator("#effective").inner_text().split()[0]) >= Decimal("12.00")

    req_page = page_factory()
    log_in(req_page, base, requester.email)
    req_page.goto(f"{base}/projects/{project_id}")
    assert Decimal(req_page.locator("#cost-top-ups").inner_text().split()[0]) == top_up
    assert "estimate of 5 s per task was low" in req_page.locator("#estimate-low").inner_text()
