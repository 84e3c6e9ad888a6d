"""Password guessing: login (page) and ``POST /api/v1/auth/token`` are limited per
account and per address, share one budget, and a limited caller learns nothing."""

from __future__ import annotations

import re

import pytest

from fairloop.http.ratelimit import address_attempts, login_attempts
from tests import factories as f

# The counts live in the server process, not the database: one backend is enough, and
# each attempt costs a real argon2 check.
pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def login_page_attempt(client, email: str, password: str):
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    return client.post("/login", data={"email": email, "password": password, "csrf": token})


def token_attempt(client, email: str, password: str):
    return client.post("/api/v1/auth/token", json={"email": email, "password": password})


def test_login_page_is_limited_per_account_even_for_the_right_password(http, db):
    worker, _ = f.user(db, "worker")
    client = http()
    codes = [
        login_page_attempt(client, worker.email, "guess").status_code
        for _ in range(login_attempts.attempts)
    ]
    assert codes == [401] * login_attempts.attempts
    limited = login_page_attempt(client, worker.email, f.PASSWORD)
    assert limited.status_code == 429 and "fairloop_session" not in limited.cookies
    assert "try again" in limited.text


def test_page_and_api_share_one_budget_per_account(http, db):
    worker, _ = f.user(db, "worker")
    client = http()
    half = login_attempts.attempts // 2
    for _ in range(half):
        assert token_attempt(client, worker.email, "guess").status_code == 401
    for _ in range(login_attempts.attempts - half):
        assert login_page_attempt(client, worker.email, "guess").status_code == 401
    # Case and spaces do not make a new account to guess against.
    refused = token_attempt(client, f"  {worker.email.upper()} ", f.PASSWORD)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert "Traceback" not in refused.text


def test_token_endpoint_is_limited_per_address_across_accounts(http, db):
    worker, _ = f.user(db, "worker")
    client = http()
    for n in range(address_attempts.attempts):
        assert token_attempt(client, f"nobody{n}@example.org", "guess").status_code == 401
    # A fresh account, even with its right password, waits: the address is spent.
    assert token_attempt(client, worker.email, f.PASSWORD).status_code == 429
    assert login_page_attempt(client, worker.email, f.PASSWORD).status_code == 429


def test_an_unknown_account_is_limited_exactly_like_a_known_one(http, db):
    worker, _ = f.user(db, "worker")
    client = http()

    def run(email: str) -> list[int]:
        return [
            token_attempt(client, email, "guess").status_code
            for _ in range(login_attempts.attempts + 1)
        ]

    assert run(worker.email) == run("nobody@example.org")
