"""Pages over real HTTP: login, the session cookie, CSRF, who sees which page."""

from __future__ import annotations

import re

import pytest

from fairloop.domain.specs import parse_spec
from fairloop.services.projects import create_project
from tests import factories as f
from tests.factories.feedback import feedback_spec
from tests.factories.web import csrf_of, login


def test_pages_need_a_login(http, db):
    response = http().get("/work")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fwork"


def test_login_with_a_forged_form_is_refused(http, db):
    worker, _ = f.user(db, "worker")
    client = http()
    client.get("/login")
    response = client.post(
        "/login", data={"email": worker.email, "password": f.PASSWORD, "csrf": "forged"}
    )
    assert response.status_code == 403
    assert "fairloop_session" not in client.cookies


def test_wrong_password_page(http, db):
    worker, _ = f.user(db, "worker")
    client = http()
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login", data={"email": worker.email, "password": "wrong", "csrf": token}
    )
    assert response.status_code == 401 and "Wrong email or password." in response.text


def test_consent_without_the_csrf_token_changes_nothing(http, db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=1)
    worker, _ = f.user(db, "worker")
    client = login(http, worker.email)
    before = f.row_counts(db)
    refused = client.post(f"/work/projects/{project_id}/consent", data={"csrf": "nope"})
    assert refused.status_code == 403
    assert f.row_counts(db) == before
    page = client.get(f"/work/projects/{project_id}")
    accepted = client.post(
        f"/work/projects/{project_id}/consent", data={"csrf": csrf_of(page.text)}
    )
    assert accepted.status_code == 303
    assert f.row_counts(db)["consents"] == before["consents"] + 1


def test_logout_ends_the_session(http, db):
    worker, _ = f.user(db, "worker")
    client = login(http, worker.email)
    cookie = client.cookies["fairloop_session"]
    assert client.get("/work").status_code == 200
    page = client.get("/work")
    client.post("/logout", data={"csrf": csrf_of(page.text)})
    again = http()
    again.cookies.set("fairloop_session", cookie)
    assert again.get("/work").status_code == 303


def test_cookie_flags_and_security_headers(http, db):
    worker, _ = f.user(db, "worker")
    client = http()
    token = csrf_of(client.get("/login").text)
    done = client.post(
        "/login", data={"email": worker.email, "password": f.PASSWORD, "csrf": token}
    )
    cookie = next(
        v for k, v in done.headers.multi_items() if k == "set-cookie" and "fairloop_session" in v
    ).lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    csp = done.headers["content-security-policy"]
    assert (
        "object-src 'none'" in csp
        and "frame-ancestors 'none'" in csp
        and "script-src 'self'" in csp
    )
    assert done.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
    ],
)
def test_login_never_redirects_off_site(http, db, target):
    worker, _ = f.user(db, "worker")
    client = http()
    token = csrf_of(client.get("/login").text)
    done = client.post(
        "/login",
        data={"email": worker.email, "password": f.PASSWORD, "csrf": token, "next": target},
    )
    assert done.headers["location"] == "/work"


def test_login_keeps_a_local_next(http, db):
    worker, _ = f.user(db, "worker")
    client = http()
    token = csrf_of(client.get("/login").text)
    done = client.post(
        "/login",
        data={"email": worker.email, "password": f.PASSWORD, "csrf": token, "next": "/me/x?a=1"},
    )
    assert done.headers["location"] == "/me/x?a=1"


def test_requester_pages_are_for_their_own_projects(http, db):
    owner, _ = f.user(db, "requester", org="Owner")
    project_id = f.project(db, owner, items=2)
    rival, _ = f.user(db, "requester", org="Rival")
    client = login(http, rival.email)
    assert client.get(f"/projects/{project_id}").status_code == 404
    assert client.get(f"/projects/{project_id}/export?format=raw").status_code == 404
    mine = login(http, owner.email)
    page = mine.get(f"/projects/{project_id}")
    assert page.status_code == 200, page.text
    assert re.search(r'id="stat-items">\s*2\s*<', page.text), page.text[
        page.text.find("stat-items") - 40 :
    ][:120]


def test_project_lists_show_counts(http, db):
    requester, _ = f.user(db, "requester")
    f.project(db, requester, items=3)
    listing = login(http, requester.email).get("/projects").text
    assert "<td>3</td>" in listing
    worker, _ = f.user(db, "worker")
    assert "0 of 3 items complete" in login(http, worker.email).get("/work").text


def test_a_link_to_logout_does_not_log_out(http, db):
    worker, _ = f.user(db, "worker")
    client = login(http, worker.email)
    assert client.get("/logout").status_code == 200
    assert client.post("/logout", data={"csrf": "forged"}).status_code == 403
    assert client.get("/work").status_code == 200


def test_pages_of_the_other_role_are_403(http, db):
    worker, _ = f.user(db, "worker")
    assert login(http, worker.email).get("/projects").status_code == 403
    requester, _ = f.user(db, "requester")
    assert login(http, requester.email).get("/work").status_code == 403


def test_the_export_menu_offers_only_the_datasets_the_project_gives(http, db):
    requester, _ = f.user(db, "requester")
    label_id = f.project(db, requester, items=1)
    compare_id = create_project(db, requester, parse_spec(feedback_spec("compare")))
    client = login(http, requester.email)
    for project_id, offered in ((label_id, ["raw", "aggregated"]), (compare_id, ["raw", "dpo"])):
        menu = client.get(f"/projects/{project_id}").text
        select = menu[menu.index('<select id="format"') : menu.index("</select>")]
        assert re.findall(r'<option value="([^"]+)">', select) == offered
    refused = client.get(f"/projects/{label_id}/export?format=dpo")
    assert refused.status_code == 422
    assert "this project exports: raw, aggregated" in refused.text
