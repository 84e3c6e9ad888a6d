"""Accounts under attack: hashes, sessions that end, and logins that leak nothing."""

from __future__ import annotations

import statistics
import time

from argon2 import extract_parameters
from sqlalchemy import select

from fairloop.db.models import User
from tests import factories as f
from tests.factories.web import csrf_of, login


def test_password_hashes_are_argon2id_with_at_least_the_owasp_cost(db):
    worker, _ = f.user(db, "worker")
    with db.transaction(readonly=True) as session:
        stored = session.scalar(select(User.password_hash).where(User.id == worker.id))
    params = extract_parameters(stored)
    assert stored.startswith("$argon2id$")
    assert params.memory_cost >= 19 * 1024 and params.time_cost >= 2 and params.parallelism >= 1


def test_login_starts_a_new_session_each_time(http, db):
    worker, _ = f.user(db, "worker")
    first = login(http, worker.email).cookies.get("fairloop_session")
    second = login(http, worker.email).cookies.get("fairloop_session")
    assert first and second and first != second


def test_logout_ends_every_session_and_token_of_the_user(http, db):
    worker, token = f.user(db, "worker")
    browser, other_browser = login(http, worker.email), login(http, worker.email)
    api = http(token)
    assert api.get("/api/v1/projects").status_code == 200
    done = browser.post("/logout", data={"csrf": csrf_of(browser.get("/logout").text)})
    assert done.status_code == 303
    assert other_browser.get("/work").status_code == 303  # back to the login page
    assert api.get("/api/v1/projects").status_code == 401


def test_password_change_ends_sessions_and_tokens_and_gives_a_new_one(http, db):
    worker, token = f.user(db, "worker")
    browser = login(http, worker.email)
    api = http(token)
    done = api.post(
        "/api/v1/auth/password", json={"current": f.PASSWORD, "new": "a new long passphrase"}
    )
    assert done.status_code == 200, done.text
    assert api.get("/api/v1/projects").status_code == 401
    assert browser.get("/work").status_code == 303
    assert http(done.json()["token"]).get("/api/v1/projects").status_code == 200
    old = http().post("/api/v1/auth/token", json={"email": worker.email, "password": f.PASSWORD})
    assert old.status_code == 401
    new = http().post(
        "/api/v1/auth/token", json={"email": worker.email, "password": "a new long passphrase"}
    )
    assert new.status_code == 200


def test_password_change_needs_the_current_password_and_changes_nothing_otherwise(http, db):
    _, token = f.user(db, "worker")
    api = http(token)
    before = f.row_counts(db)
    wrong = api.post(
        "/api/v1/auth/password", json={"current": "guess", "new": "another passphrase"}
    )
    assert wrong.status_code == 401 and wrong.json()["error"]["field"] == "current"
    short = api.post("/api/v1/auth/password", json={"current": f.PASSWORD, "new": "short"})
    assert short.status_code == 422 and short.json()["error"]["field"] == "new"
    assert f.row_counts(db) == before
    assert api.get("/api/v1/projects").status_code == 200


def test_unknown_user_and_wrong_password_look_the_same(http, db):
    worker, _ = f.user(db, "worker")
    client = http()

    def attempt(email: str) -> tuple[int, str, float]:
        start = time.perf_counter()
        response = client.post("/api/v1/auth/token", json={"email": email, "password": "wrong!"})
        return (
            response.status_code,
            response.json()["error"]["message"],
            time.perf_counter() - start,
        )

    known = [attempt(worker.email) for _ in range(4)]
    unknown = [attempt(f"nobody{i}@example.org") for i in range(4)]
    assert (
        {(s, m) for s, m, _ in known}
        == {(s, m) for s, m, _ in unknown}
        == {(401, "wrong email or password")}
    )
    # Both run one argon2 verification (a skipped one would be ~100x faster): medians
    # within a factor of three, loose enough for a loaded machine.
    ratio = statistics.median(t for *_, t in known) / statistics.median(t for *_, t in unknown)
    assert 1 / 3 < ratio < 3
