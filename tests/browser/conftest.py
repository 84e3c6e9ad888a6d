"""Headless Debian Chromium driven by Playwright (its own browser download cannot work
offline, so we point it at /usr/bin/chromium)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import IN_CI, Backend, clean

CHROMIUM = Path(os.environ.get("FAIRLOOP_TEST_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium() -> Iterator:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} not found: apt-get install chromium chromium-driver to run the browser tests"
        if IN_CI:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def site(sqlite_backend: Backend) -> Backend:
    """The SQLite backend, emptied, with its server running."""
    clean(sqlite_backend.db)
    sqlite_backend.server_url()
    return sqlite_backend


@pytest.fixture
def page_factory(chromium) -> Iterator:
    contexts = []

    def make():
        context = chromium.new_context(accept_downloads=True)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
