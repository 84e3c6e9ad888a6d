"""Password guessing is slowed where it happens, and cannot be turned against the
person guessed at: failures back off per account and address pair and per address,
never per account alone. Before, 10 bad tries from anywhere made the right password
answer 429 too, so anyone could keep an admin locked out, and behind a proxy one
client could block every login."""

from __future__ import annotations

import re

import pytest

from fairloop.http.ratelimit import address_failures, pair_failures
from tests import factories as f

# The counts live in the server process, not the database: one backend is enough, and
# each attempt costs a real argon2 check.
pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def login_page_attempt(client, email: str, password: str, *, via: str | None = None):
    headers = {"X-Forwarded-For": via} if via else {}
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    data = {"email": email, "password": password, "csrf": token}
    return client.post("/login", data=data, headers=headers)


def token_attempt(client, email: str, password: str, *, via: str | None = None):
    headers = {"X-Forwarded-For": via} if via else {}
    return client.post(
        "/api/v1/auth/token", json={"email": email, "password": password}, headers=headers
    )


@pytest.fixture
def behind_a_proxy(monkeypatch):
    """The server sits behind a proxy on 127.0.0.1 that reports each client."""
    monkeypatch.setenv("FAIRLOOP_TRUSTED_PROXIES", "127.0.0.1/32")


def fail(client, email, times, *, via=None):
    return [token_attempt(client, email, "guess", via=via).status_code for _ in range(times)]


def test_a_guesser_elsewhere_cannot_lock_the_account_out(http, db, behind_a_proxy):
    admin, _ = f.user(db, "admin")
    client = http()
    assert fail(client, admin.email, pair_failures.free, via="203.0.113.9") == [401] * 5
    # The guesser's own address now waits, even with the right password...
    slowed = token_attempt(client, admin.email, f.PASSWORD, via="203.0.113.9")
    assert slowed.status_code == 429 and "try again in" in slowed.json()["error"]["message"]
    # ...while the admin, from their own address, logs in at once.
    own = login_page_attempt(client, admin.email, f.PASSWORD, via="198.51.100.7")
    assert own.status_code == 303 and "fairloop_session" in own.cookies


def test_page_and_api_share_one_budget_per_account_and_address(http, db):
    worker, _ = f.user(db, "worker")
    client = http()
    assert fail(client, worker.email, 3) == [401] * 3
    for _ in range(pair_failures.free - 3):
        assert login_page_attempt(client, worker.email, "guess").status_code == 401
    # Case and spaces do not make a new account to guess against.
    refused = token_attempt(client, f"  {worker.email.upper()} ", f.PASSWORD)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert "Traceback" not in refused.text
    page = login_page_attempt(client, worker.email, f.PASSWORD)
    assert page.status_code == 429 and "try again" in page.text


def test_one_address_guessing_across_accounts_is_slowed(http, db, behind_a_proxy):
    worker, _ = f.user(db, "worker")
    client = http()
    for n in range(address_failures.free):
        assert token_attempt(client, f"n{n}@example.org", "x", via="203.0.113.5").status_code == 401
    # A fresh account from that address waits: the address is the one failing.
    assert token_attempt(client, worker.email, f.PASSWORD, via="203.0.113.5").status_code == 429
    # The same account from another client behind the same proxy logs in.
    assert token_attempt(client, worker.email, f.PASSWORD, via="192.0.2.44").status_code == 200


def test_without_a_trusted_proxy_a_client_cannot_choose_its_address(http, db):
    worker, _ = f.user(db, "worker")
    client = http()
    assert fail(client, worker.email, pair_failures.free, via="203.0.113.1") == [401] * 5
    # A made-up X-Forwarded-For is ignored: still the same (slowed) address.
    assert token_attempt(client, worker.email, f.PASSWORD, via="198.51.100.2").status_code == 429


def test_a_success_clears_the_pair(http, db):
    worker, _ = f.user(db, "worker")
    client = http()
    assert fail(client, worker.email, pair_failures.free - 1) == [401] * 4
    assert token_attempt(client, worker.email, f.PASSWORD).status_code == 200
    assert fail(client, worker.email, pair_failures.free - 1) == [401] * 4


def test_an_unknown_account_is_limited_exactly_like_a_known_one(http, db):
    worker, _ = f.user(db, "worker")
    client = http()
    assert fail(client, worker.email, 6) == fail(client, "nobody@example.org", 6)
