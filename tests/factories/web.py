"""Signing in to the HTML pages over real HTTP, and the CSRF token of a form."""

from __future__ import annotations

import re
from typing import Any

from tests import factories as f

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token of the (first) form in ``html``."""
    match = _CSRF.search(html)
    assert match is not None, "no csrf field in the page"
    return match.group(1)


def login(http: Any, email: str) -> Any:
    """A new client from the ``http`` fixture, signed in as ``email`` (password
    f.PASSWORD) through the login form."""
    client = http()
    form = client.get("/login")
    done = client.post(
        "/login",
        data={"email": email, "password": f.PASSWORD, "csrf": csrf_of(form.text), "next": ""},
    )
    assert done.status_code == 303, done.text
    return client
