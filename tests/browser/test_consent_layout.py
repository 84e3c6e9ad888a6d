"""The consent page in Chromium on a phone and a desktop: nothing runs off the screen,
and every term comes before the button (the requester's record beside the terms on a
wide screen, under them on a narrow one)."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.factories.browser import log_in

pytestmark = pytest.mark.browser

LONG_NAME = "Violent content review with a rather long project name that has to wrap"


@pytest.mark.parametrize("width", [390, 1280])
def test_the_terms_fit_the_screen_and_come_before_consent(site, chromium, width):
    db, base = site.db, site.url
    requester, _ = f.user(db, "requester")
    project_id = f.project(
        db, requester, name=LONG_NAME, **f.hazard_spec(["vcr"]), lease_minutes=60
    )
    worker, _ = f.user(db, "worker")
    context = chromium.new_context(viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        log_in(page, base, worker.email)
        page.goto(f"{base}/work/projects/{project_id}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        terms = page.locator("#terms").bounding_box()
        record = page.locator(".record-box").bounding_box()
        button = page.get_by_role("button", name="I have read this and consent").bounding_box()
        assert terms and record and button
        assert button["y"] > terms["y"] + terms["height"]
        assert button["y"] > record["y"] + record["height"]
        if width >= 1280:
            assert record["x"] >= terms["x"] + terms["width"]  # beside
        else:
            assert record["y"] >= terms["y"] + terms["height"]  # under
        assert "at least 12.00 USD an hour" in page.locator("#terms").inner_text()
    finally:
        context.close()
