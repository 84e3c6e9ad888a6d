"""A worker labels five items with the keyboard alone; the requester downloads them."""

from __future__ import annotations

import json

import pytest

from tests import factories as f
from tests.factories.browser import log_in

pytestmark = pytest.mark.browser


def test_keyboard_labelling_then_export(site, page_factory, tmp_path):
    db, base = site.db, site.url
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=5, overlap=1)
    worker, _ = f.user(db, "worker")

    page = page_factory()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    log_in(page, base, worker.email)
    assert page.url.endswith("/work")
    page.get_by_role("link", name="Toxicity").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/work/projects/{project_id}")
    assert "Label comments as toxic or not." in page.content()

    consent = page.get_by_role("button", name="I have read this and consent")
    consent.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # "Start" has the focus when the page opens: Enter starts.
    page.get_by_role("button", name="Start").wait_for()
    assert page.evaluate("document.activeElement.textContent") == "Start", page.content()
    page.keyboard.press("Enter")
    page.wait_for_url("**/work/assignments/*")

    expected = {}
    for n in range(5):
        assert page.get_by_role("group", name="Choose a label").is_visible()
        text = page.locator(".item .text").first.inner_text()
        key = "1" if n % 2 == 0 else "2"
        page.keyboard.press(key)
        expected[text] = "toxic" if key == "1" else "not_toxic"
        assert page.locator(f'input[data-key="{key}"]').is_checked()
        with page.expect_navigation():
            page.keyboard.press("Enter")
    assert page.get_by_role("heading", name="No more work").is_visible()
    assert not dialogs

    req_page = page_factory()
    log_in(req_page, base, requester.email)
    req_page.goto(f"{base}/projects/{project_id}")
    assert req_page.locator("#stat-submissions").inner_text() == "5"
    with req_page.expect_download() as download_info:
        req_page.get_by_role("button", name="Download export").click()
    path = tmp_path / "export.jsonl"
    download_info.value.save_as(path)
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(rows) == 5
    got = {}
    texts = {f"i{i}": f"comment {i}" for i in range(5)}
    for row in rows:
        got[texts[row["external_id"]]] = row["answer"]["label"]
        assert row["worker"].startswith("w-")
    assert got == expected


def test_item_text_never_runs_as_script(site, page_factory):
    db, base = site.db, site.url
    requester, _ = f.user(db, "requester")
    hostile = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    project_id = f.project(
        db,
        requester,
        overlap=1,
        task={**f.SPEC["task"], "instructions": f"Read [this](javascript:alert(3)) {hostile}"},
    )
    f.add_items(db, requester, project_id, [{"data": {"text": hostile}}])
    worker, _ = f.user(db, "worker")
    page = page_factory()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    log_in(page, base, worker.email)
    page.goto(f"{base}/work/projects/{project_id}")
    page.get_by_role("button", name="I have read this and consent").click()
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/work/assignments/*")
    assert page.locator(".item .text").inner_text() == hostile
    assert page.locator("main img").count() == 0
    assert page.locator("main script").count() == 0
    assert page.locator('a[href^="javascript:"]').count() == 0
    assert not dialogs
