"""Steps of the browser tests (Playwright pages): signing in, starting a task."""

from __future__ import annotations

from typing import Any

from tests import factories as f


def log_in(page: Any, base: str, email: str) -> None:
    """Sign in through the login page with the keyboard (password f.PASSWORD)."""
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(f.PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def start_task(page: Any, base: str, project_id: int) -> None:
    """Consent to the project's disclosure and start its first task."""
    page.goto(f"{base}/work/projects/{project_id}")
    page.get_by_role("button", name="I have read this and consent").click()
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/work/assignments/*")
