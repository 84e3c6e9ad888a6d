"""A worker on a project with hazards: warning, blurred image, opt-out, collapsed text,
stopped at the budget; then the requester suspends and the inbox shows notice and pay."""

from __future__ import annotations

import base64
import struct
import time
import zlib
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from fairloop.db.models import Assignment, AuditEntry, Item
from fairloop.services.work.assign import lease_next
from fairloop.services.work.submit import submit
from tests import factories as f
from tests.factories.browser import log_in

pytestmark = pytest.mark.browser


def png_data_url() -> str:
    """A 4x4 red PNG, made here so the test needs no file."""
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 4 for _ in range(4))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    return "data:image/png;base64," + base64.b64encode(png).decode()


def audit_actions(db, action):
    with db.transaction(readonly=True) as s:
        return s.scalars(select(AuditEntry.id).where(AuditEntry.action == action)).all()


def wait_for(check, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_hazard_project_from_consent_to_suspension(site, page_factory):
    db, base = site.db, site.url
    requester, _ = f.user(db, "requester")
    project_id = f.project(
        db,
        requester,
        overlap=1,
        notice_days=7,
        **f.hazard_spec(["vcr", "hte"], wellbeing={"daily_exposure_minutes": 30}),
    )
    f.add_items(
        db,
        requester,
        project_id,
        [
            {"id": "img", "data": {"image": png_data_url()}, "hazards": ["vcr"], "severity": 2},
            {"id": "v2", "data": {"text": "violent two"}, "hazards": ["vcr"], "severity": 1},
            {"id": "h1", "data": {"text": "a hateful text"}, "hazards": ["hte"], "severity": 3},
            {"id": "h2", "data": {"text": "more hate"}, "hazards": ["hte"], "severity": 1},
            {"id": "h3", "data": {"text": "still more"}, "hazards": ["hte"], "severity": 1},
        ],
    )
    worker, _ = f.user(db, "worker")
    page = page_factory()
    log_in(page, base, worker.email)

    # The disclosure warns, names the hazards, the examples and the support.
    page.goto(f"{base}/work/projects/{project_id}")
    warning = page.locator("#hazard-warning")
    assert "Violent crimes" in warning.inner_text() and "Hate" in warning.inner_text()
    assert "Graphic images of serious injury." in warning.inner_text()
    assert "Counsellor on call" in warning.inner_text()
    page.get_by_role("button", name="I have read this and consent").click()
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/work/assignments/*")

    # The image is blurred and grey until revealed; one click shows it, the next hides it.
    image = page.locator("#item-image")
    assert "blur" in image.evaluate("e => getComputedStyle(e).filter")
    assert "grayscale" in image.evaluate("e => getComputedStyle(e).filter")
    page.get_by_role("button", name="Show image").click()
    assert image.evaluate("e => getComputedStyle(e).filter") == "none"
    wait_for(lambda: len(audit_actions(db, "item.reveal")) == 1)
    page.get_by_role("button", name="Blur image again").click()
    assert "blur" in image.evaluate("e => getComputedStyle(e).filter")
    wait_for(lambda: len(audit_actions(db, "item.hide")) == 1)
    # Stop and skip: the item goes back.
    page.get_by_role("button", name="Stop and skip").click()
    page.wait_for_url(f"**/work/projects/{project_id}")

    # Opt out of violent crimes on the wellbeing page.
    page.get_by_role("link", name="Wellbeing").click()
    page.get_by_label("Violent crimes", exact=True).check()
    page.get_by_role("button", name="Save opt-outs").click()
    assert page.get_by_label("Violent crimes", exact=True).is_checked()

    # Only hate items now; severity 3 text is collapsed behind a warning naming the hazard.
    page.goto(f"{base}/work/projects/{project_id}")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/work/assignments/*")
    summary = page.locator("#collapsed-text summary")
    assert "Hate" in summary.inner_text()
    assert not page.get_by_text("a hateful text").is_visible()
    summary.click()
    assert page.get_by_text("a hateful text").is_visible()
    page.locator('input[value="toxic"]').check()
    page.get_by_role("button", name="Submit").click()
    # The next item is loaded in place: wait for its text, not for a new URL.
    expect(page.get_by_text("more hate")).to_be_visible()  # severity 1: shown open
    page.get_by_role("button", name="Stop and skip").click()
    page.wait_for_url(f"**/work/projects/{project_id}")

    # Earlier today the worker already spent the day's budget elsewhere: stopped now.
    other = f.project(db, requester, overlap=1, **f.hazard_spec(["hte"], name="Earlier"))
    f.add_items(db, requester, other, [{"data": {"text": "x"}, "hazards": ["hte"], "severity": 1}])
    f.consent(db, worker, other)
    # (Taken now and answered 30 minutes on: a worker's credited time only moves
    # forward, so it cannot be dated before the page's own heartbeats above.)
    earlier = datetime.now(UTC)
    lease = lease_next(db, worker, other, now=earlier)
    submit(db, worker, lease.id, {"label": "toxic"}, active_seconds=1800, idempotency_key="e",
           now=earlier + timedelta(minutes=30))  # fmt: skip
    page.goto(f"{base}/work/projects/{project_id}")
    page.get_by_role("button", name="Start").click()
    refusal = page.locator("#refusal")
    assert refusal.get_attribute("data-code") == "exposure_budget"
    assert "budget" in refusal.inner_text()
    with db.transaction(readonly=True) as s:
        leased = s.scalars(
            select(Item.external_id)
            .join(Assignment, Assignment.item_id == Item.id)
            .where(Assignment.project_id == project_id)
            .order_by(Assignment.id)
        ).all()
    assert leased == ["img", "h1", "h2"]

    # The requester suspends with no notice: the worker's inbox shows it with the fee.
    req_page = page_factory()
    log_in(req_page, base, requester.email)
    req_page.goto(f"{base}/projects/{project_id}")
    req_page.get_by_label("Days of notice", exact=False).fill("0")
    with req_page.expect_navigation():
        req_page.get_by_role("button", name="Suspend project").click()
    assert req_page.locator("#suspended").is_visible()

    page.goto(f"{base}/work")
    assert page.locator("#inbox-count").inner_text() == "1"
    page.get_by_role("link", name="Inbox").click()
    notice = page.locator(".notice-text").first.inner_text()
    # 0.20 earned on one day; 25% of it for the 7 days not given = 0.35.
    assert "suspended" in notice and "0.35 USD" in notice
    assert page.locator("#inbox-count").count() == 0
