"""Self-registration: off by default; when on, it only ever makes workers."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select

from fairloop.app import create_app
from fairloop.db.models import Membership, User
from fairloop.settings import Settings
from tests import factories as f
from tests.servers import serving


def sign_up(client: httpx.Client, **fields: str) -> httpx.Response:
    form = client.get("/register")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    return client.post("/register", data={"csrf": token, **fields})


def test_registration_is_off_by_default(http, db):
    client = http()
    assert "/register" not in client.get("/login").text
    assert client.get("/register").status_code == 404
    assert (
        client.post("/register", data={"email": "a@b.org", "password": "x" * 12}).status_code == 404
    )
    assert f.row_counts(db)["users"] == 0


def test_no_accounts_exist_until_someone_makes_them(db):
    assert f.row_counts(db)["users"] == 0  # a fresh, migrated database: no default logins


def test_registration_makes_workers_whatever_the_form_says(db):
    app = create_app(db, Settings(self_registration=True))
    with serving(app) as url, httpx.Client(base_url=url) as client:
        done = sign_up(
            client, email="new@example.org", password="a long passphrase", role="admin", org="X"
        )
        assert done.status_code == 303 and done.headers["location"] == "/work"
        assert 'href="/register"' in client.get("/login").text
        assert client.get("/work").status_code == 200  # logged in
    with db.transaction(readonly=True) as session:
        user = session.scalar(select(User).where(User.email == "new@example.org"))
        assert user.role == "worker"
        assert session.scalar(select(Membership).where(Membership.user_id == user.id)) is None


def test_registration_refuses_bad_input_and_stores_nothing(db):
    f.user(db, "worker")  # worker1@... exists
    app = create_app(db, Settings(self_registration=True))
    before = f.row_counts(db)
    with serving(app) as url, httpx.Client(base_url=url) as client:
        short = sign_up(client, email="x@example.org", password="short")
        assert short.status_code == 422 and "8 characters" in short.text
        bad = sign_up(client, email="not an email", password="a long passphrase")
        assert bad.status_code == 422
        forged = client.post(
            "/register",
            data={"email": "y@example.org", "password": "a long passphrase", "csrf": "x"},
        )
        assert forged.status_code == 403
    assert f.row_counts(db) == before
