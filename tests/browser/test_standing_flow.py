"""A limit that ends a hazard task mid-way says when work may go on in the worker's
own time, in words (issue 16, part 4), not as an ISO timestamp."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from fairloop.services.wellbeing.exposure import set_time_zone
from fairloop.services.work.assign import lease_next
from fairloop.services.work.submit import submit
from tests import factories as f
from tests.factories.browser import log_in

pytestmark = pytest.mark.browser

ZONES = ["UTC", "Asia/Tokyo", "America/New_York", "Asia/Kolkata", "Pacific/Honolulu"]


def _midday_zone(now: datetime) -> str:
    """A zone where it is now between 08:00 and 17:59: the worker's day is far from its
    midnight both ways, so the work of 40 minutes ago counts today."""
    return next(z for z in ZONES if 8 <= now.astimezone(ZoneInfo(z)).hour < 18)


def test_a_budget_reached_mid_task_says_when_in_the_workers_time(site, page_factory):
    db, base = site.db, site.url
    requester, _ = f.user(db, "requester")
    hazard = f.hazard_spec(["vcr"], wellbeing={"daily_exposure_minutes": 30})
    project_id = f.project(db, requester, overlap=1, **hazard)
    rows = [{"data": {"text": f"x{i}"}, "hazards": ["vcr"], "severity": 1} for i in range(2)]
    f.add_items(db, requester, project_id, rows)
    worker, _ = f.consented_worker(db, project_id)
    now = datetime.now(UTC)
    zone = _midday_zone(now)
    set_time_zone(db, worker, zone)
    # A second short of the day's 30 weighted minutes, ten minutes ago (a break's length).
    first = lease_next(db, worker, project_id, now=now - timedelta(minutes=40))
    submit(db, worker, first.id, {"label": "toxic"}, active_seconds=1799, idempotency_key="a",
           now=now - timedelta(minutes=10))  # fmt: skip

    page = page_factory()
    log_in(page, base, worker.email)
    page.goto(f"{base}/work/projects/{project_id}")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/work/assignments/*")
    page.bring_to_front()
    time.sleep(2.5)  # two seconds of sensitive content, measured on the server's clock too
    page.evaluate("window.dispatchEvent(new Event('online'))")  # a heartbeat now

    ended = page.locator("#lease-ended-text")
    expect(ended).to_be_visible()
    text = ended.inner_text()
    assert text.startswith("Your budget of sensitive content is used up for now.")
    assert re.search(r"You can continue at 12:00\s?AM \(in \d+ hours?\)\.$", text), text
    assert not re.search(r"\d{4}-\d\d-\d\dT", text)
