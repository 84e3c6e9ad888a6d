"""The task page counts a worker who reads without touching anything, says when it
stops counting, and keeps its count through a dropped connection.

The page runs on Playwright's fake clock, so minutes of reading take a moment; what
is checked is the count the page sends with its heartbeats (the server bounds it by
its own wall time, tested in tests/services/test_fair_time.py)."""

from __future__ import annotations

import time
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.factories.browser import log_in

pytestmark = pytest.mark.browser


def run_for(page, ms: int) -> None:
    """Advance the page's fake clock, then let the heartbeats it sent arrive (they
    travel in real time)."""
    page.clock.run_for(ms)
    time.sleep(0.4)
    page.evaluate("0")


def open_task(site, page_factory):
    db, base = site.db, site.url
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=2, overlap=1)
    worker, _ = f.user(db, "worker")
    page = page_factory()
    counts: list[int] = []

    def on_arrived(request):
        # Only heartbeats the server received: those sent offline fail.
        if request.url.endswith("/heartbeat") and request.method == "POST":
            counts.append(int(parse_qs(request.post_data or "")["present_ms"][0]))

    page.on("requestfinished", on_arrived)
    log_in(page, base, worker.email)
    page.goto(f"{base}/work/projects/{project_id}")
    page.get_by_role("button", name="I have read this and consent").click()
    page.clock.install()
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/work/assignments/*")
    page.bring_to_front()
    page.get_by_role("radio").first.focus()
    return page, counts


def test_reading_counts_for_two_minutes_then_the_page_asks_still_there(site, page_factory):
    page, counts = open_task(site, page_factory)
    assert page.get_by_text("This item is yours until").is_visible()
    page.get_by_role("button", name="More time").click()
    expect(page.get_by_role("status")).to_have_text("The lease was extended.")
    run_for(page, 110_000)  # reading, no input
    assert counts and max(counts) >= 100_000, counts  # was: silent after 60 s
    assert page.get_by_role("alertdialog").is_hidden()

    run_for(page, 60_000)
    question = page.get_by_role("alertdialog")
    assert question.is_visible()
    assert "Still there? Your time stopped counting after 2 minutes without input." in (
        question.inner_text()
    )
    stopped = max(counts)
    assert 110_000 <= stopped <= 121_000, counts
    run_for(page, 60_000)
    assert max(counts) == stopped  # nothing counted while nobody answered

    page.get_by_role("button", name="I'm here").click()
    assert question.is_hidden()
    run_for(page, 46_000)
    assert max(counts) >= stopped + 30_000, counts


def test_the_count_made_offline_goes_with_the_first_heartbeat_back_online(site, page_factory):
    page, counts = open_task(site, page_factory)
    run_for(page, 46_000)
    before = len(counts)
    page.context.set_offline(True)
    for _ in range(5):  # 75 s offline, the worker active
        page.mouse.move(100, 200)
        run_for(page, 15_000)
    assert len(counts) == before  # nothing arrived while offline
    page.context.set_offline(False)
    page.mouse.move(120, 220)
    run_for(page, 16_000)
    # The first heartbeat that arrives carries the 75 s counted offline.
    assert len(counts) > before and counts[before] >= 120_000, counts
