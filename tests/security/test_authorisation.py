"""Authorisation everywhere: every route of the app, as every role, against objects
that belong to someone else.

The world: two organisations; worker A and worker B both consented to organisation
2's project, so that only the object-level check stands between A and B's things;
worker B holds a leased assignment, a submission, a recorded take and an inbox notice;
a requester in each organisation; an admin.

``ROUTES`` is the table: every route the app answers must be in it (the test walks the
app, so a route added later fails here until someone classifies it). A route is either
``PUBLIC`` (no login), ``SELF`` (the caller's own things, so nothing of another user to
reach) or names the object it acts on and the roles that may. Every other role gets a
401/403/404 (pages: a redirect to the login page when nobody is logged in), never the
data, and the database is unchanged afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text

from fairloop.db.models import Project, Submission, User
from fairloop.domain.specs import parse_spec
from fairloop.services.inbox import post_notice
from fairloop.services.projects import create_project
from fairloop.settings import get_settings
from tests import factories as f
from tests.conftest import clean
from tests.factories.media import wav_bytes
from tests.factories.model import record_spec
from tests.security.routes import STATIC, all_routes, query_params

ROLES = ("anonymous", "worker_a", "worker_b", "requester_1", "requester_2", "admin")
WORKERS = frozenset({"worker_a", "worker_b"})
# Strings that belong to worker B or to organisation 2, and must never reach a caller
# who is refused (nor, for B's, any other user's own pages).
B_NOTICE = "Notice for worker B only 7f3a"
ORG2_PROJECT = "Org two confidential project"
ORG2_ITEM = "org two item text 91c2"
# A 1x1 PNG: organisation 2's items carry an image, served to the lease's holder alone.
PNG = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8Bw"
    "HwAFgwJ/lVd6WwAAAABJRU5ErkJggg=="
)


@dataclass(frozen=True)
class Rule:
    """Who may call a route on its target. ``target``: ``public``, ``self``, or the
    kind of object the path names (``project`` of organisation 2, ``assignment`` and
    ``media`` of worker B). ``allowed``: the roles that may; all others are refused."""

    target: str
    allowed: frozenset[str] = frozenset()
    why: str = ""
    body: dict[str, Any] = field(default_factory=dict)


# Targets that live in another of organisation 2's projects: a route on a project's
# qualification test needs a project that has one.
PROJECT_OF = {"qualified": "qualified_project_id"}


def rule(target: str, *allowed: str, why: str = "", **body: Any) -> Rule:
    return Rule(target, frozenset(allowed), why, body)


PUBLIC = rule("public", *ROLES)
SIGNED_IN = tuple(r for r in ROLES if r != "anonymous")
REQ2 = ("requester_2", "admin")
LABEL = {"answer": {"label": "toxic"}, "active_seconds": 1}

ROUTES: dict[tuple[str, str], Rule] = {
    # Anyone, logged in or not.
    ("GET", "/"): PUBLIC,
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/openapi.json"): PUBLIC,
    (STATIC, "/static"): PUBLIC,
    ("POST", "/api/v1/auth/token"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("GET", "/register"): PUBLIC,
    ("POST", "/register"): PUBLIC,
    ("POST", "/language"): rule("public", *ROLES, data={"locale": "fr"}),
    # The caller's own things: no id in the path, so nobody else's to reach.
    ("POST", "/api/v1/auth/password"): rule(
        "self", *SIGNED_IN, json={"current": f.PASSWORD, "new": "another long passphrase"}
    ),
    ("PUT", "/api/v1/me"): rule("self", *SIGNED_IN, json={"locale": "fr"}),
    ("GET", "/api/v1/me/inbox"): rule("self", *SIGNED_IN),
    ("POST", "/api/v1/me/inbox/read"): rule("self", *SIGNED_IN),
    ("GET", "/api/v1/me/opt-outs"): rule("self", *WORKERS),
    ("PUT", "/api/v1/me/opt-outs"): rule("self", *WORKERS, json={"hazards": []}),
    ("GET", "/api/v1/me/wellbeing"): rule("self", *WORKERS),
    ("PUT", "/api/v1/me/wellbeing"): rule("self", *WORKERS, json={"text_severity_max": 2}),
    ("GET", "/api/v1/me/checkins"): rule("self", *SIGNED_IN),
    ("GET", "/api/v1/me/skills"): rule("self", *SIGNED_IN),
    ("GET", "/api/v1/me/earnings"): rule("self", *WORKERS),
    ("GET", "/me/earnings"): rule("self", *WORKERS),
    ("POST", "/me/earnings/appeal"): rule(
        "self", *WORKERS, why="the service checks the submission is the caller's", data={}
    ),
    ("GET", "/api/v1/appeals"): rule("self", "admin", why="admins decide appeals"),
    ("POST", "/api/v1/skills"): rule(
        "self", "admin", why="grants name a worker by email", json={"skill": "language:sw"}
    ),
    ("POST", "/api/v1/me/checkins"): rule("self", *SIGNED_IN, json={"answers": [3] * 7}),
    ("GET", "/api/v1/projects"): rule("self", *SIGNED_IN, why="each sees the projects open to it"),
    ("POST", "/api/v1/projects"): rule(
        "self", "requester_1", "requester_2", "admin", json=f.spec(name="new")
    ),
    ("GET", "/logout"): rule("self", *SIGNED_IN),
    ("POST", "/logout"): rule("self", *SIGNED_IN),
    ("GET", "/me/inbox"): rule("self", *SIGNED_IN),
    ("GET", "/me/wellbeing"): rule("self", *WORKERS),
    ("POST", "/me/wellbeing/opt-outs"): rule("self", *WORKERS, data={"hazard": "vcr"}),
    ("POST", "/me/wellbeing/viewing"): rule("self", *WORKERS, data={"text_severity_max": "2"}),
    ("POST", "/me/wellbeing/time-zone"): rule("self", *WORKERS, data={"time_zone": "Asia/Tokyo"}),
    ("POST", "/me/wellbeing/checkin"): rule(
        "self", *WORKERS, data={f"q{i}": "3" for i in range(7)}
    ),
    ("GET", "/work"): rule("self", *WORKERS),
    ("GET", "/projects"): rule("self", "requester_1", "requester_2", "admin"),
    # Organisation 2's project.
    ("GET", "/api/v1/projects/{project_id}"): rule(
        "project", *REQ2, *WORKERS, why="a live project's disclosure is open to every worker"
    ),
    ("POST", "/api/v1/projects/{project_id}/items"): rule(
        "project", *REQ2, json=[{"data": {"text": "planted"}}]
    ),
    ("PUT", "/api/v1/projects/{project_id}/disclosure"): rule(
        "project", *REQ2, json={**f.SPEC["disclosure"], "purpose": "changed"}
    ),
    ("GET", "/api/v1/projects/{project_id}/export"): rule("project", *REQ2),
    ("GET", "/api/v1/projects/{project_id}/quality"): rule("project", *REQ2),
    ("GET", "/api/v1/projects/{project_id}/wellbeing"): rule("project", *REQ2),
    ("POST", "/api/v1/projects/{project_id}/pause"): rule("project", *REQ2),
    ("POST", "/api/v1/projects/{project_id}/resume"): rule("project", *REQ2),
    ("POST", "/api/v1/projects/{project_id}/suspend"): rule("project", *REQ2, json={}),
    ("POST", "/api/v1/projects/{project_id}/consent"): rule(
        "project", *WORKERS, why="any worker may join a live project"
    ),
    ("POST", "/api/v1/projects/{project_id}/assignments"): rule("project", *WORKERS),
    ("POST", "/api/v1/projects/{project_id}/withdraw"): rule("project", *WORKERS),
    ("GET", "/api/v1/projects/{project_id}/costs"): rule("project", *REQ2),
    ("POST", "/api/v1/projects/{project_id}/bonuses"): rule(
        "project", *REQ2, json={"worker": "w-x", "amount": "1.00", "note": "thanks"}
    ),
    ("GET", "/projects/{project_id}"): rule("project", *REQ2),
    ("GET", "/projects/{project_id}/export"): rule("project", *REQ2),
    ("POST", "/projects/{project_id}/suspend"): rule("project", *REQ2, data={"notice_days": "1"}),
    ("GET", "/work/projects/{project_id}"): rule("project", *WORKERS),
    ("GET", "/work/projects/{project_id}/done"): rule("project", *WORKERS),
    ("POST", "/work/projects/{project_id}/consent"): rule("project", *WORKERS),
    ("POST", "/work/projects/{project_id}/start"): rule("project", *WORKERS),
    ("POST", "/work/projects/{project_id}/withdraw"): rule("project", *WORKERS),
    # Organisation 2's project with a qualification test (both workers consented).
    ("GET", "/api/v1/projects/{project_id}/qualification"): rule("qualified", *WORKERS),
    ("POST", "/api/v1/projects/{project_id}/qualification/assignments"): rule(
        "qualified", *WORKERS
    ),
    ("GET", "/work/projects/{project_id}/qualification"): rule("qualified", *WORKERS),
    ("POST", "/work/projects/{project_id}/qualification"): rule("qualified", *WORKERS),
    # Worker B's leased assignment: B alone, not even an admin (nobody works as B).
    ("POST", "/api/v1/assignments/{assignment_id}/submission"): rule(
        "assignment", "worker_b", json=LABEL
    ),
    ("POST", "/api/v1/assignments/{assignment_id}/release"): rule("assignment", "worker_b"),
    ("POST", "/api/v1/assignments/{assignment_id}/heartbeat"): rule("assignment", "worker_b"),
    ("POST", "/work/assignments/{assignment_id}/heartbeat"): rule("assignment", "worker_b"),
    ("POST", "/api/v1/assignments/{assignment_id}/extension"): rule("assignment", "worker_b"),
    ("POST", "/work/assignments/{assignment_id}/extension"): rule("assignment", "worker_b"),
    # Worker B's rejected submission in organisation 2's project, and B's appeal of it.
    ("POST", "/api/v1/submissions/{submission_id}/review"): rule(
        "submission", *REQ2, json={"decision": "approve"}
    ),
    ("POST", "/api/v1/submissions/{submission_id}/appeal"): rule(
        "submission", "worker_b", json={"text": "I did read it."}
    ),
    ("POST", "/api/v1/appeals/{appeal_id}/decision"): rule(
        "appeal", "admin", json={"decision": "overturn", "note": "fine"}
    ),
    # Worker B's account: only an admin corrects a balance.
    ("POST", "/api/v1/users/{user_id}/adjustments"): rule(
        "user", "admin", json={"amount": "5.00", "currency": "USD", "note": "x"}
    ),
    ("GET", "/api/v1/assignments/{assignment_id}/turns"): rule("assignment", "worker_b"),
    ("POST", "/api/v1/assignments/{assignment_id}/turns"): rule(
        "assignment", "worker_b", json={"content": "hello"}
    ),
    ("POST", "/api/v1/assignments/{assignment_id}/media"): rule("assignment", "worker_b"),
    ("GET", "/work/assignments/{assignment_id}"): rule("assignment", "worker_b"),
    # The image of B's leased item: B alone (the page links it, not a data: URL).
    ("GET", "/work/assignments/{assignment_id}/images/{field}"): rule("assignment", "worker_b"),
    ("POST", "/work/assignments/{assignment_id}"): rule(
        "assignment", "worker_b", data={"label": "toxic"}
    ),
    ("POST", "/work/assignments/{assignment_id}/release"): rule("assignment", "worker_b"),
    ("POST", "/work/assignments/{assignment_id}/reveal"): rule(
        "assignment", "worker_b", data={"shown": "1"}
    ),
    ("POST", "/work/assignments/{assignment_id}/turns"): rule(
        "assignment", "worker_b", json={"content": "hello"}
    ),
    ("POST", "/work/assignments/{assignment_id}/media"): rule("assignment", "worker_b"),
    # Worker B's recorded take, in organisation 2's recording project.
    ("GET", "/api/v1/media/{media_id}"): rule("media", "worker_b", *REQ2),
    # The question thread of organisation 2's project, and rating its requester.
    ("GET", "/api/v1/projects/{project_id}/questions"): rule(
        "project", *REQ2, *WORKERS, why="the project's workers and its requesters"
    ),
    ("POST", "/api/v1/projects/{project_id}/questions"): rule(
        "project", *WORKERS, json={"text": "May I skip items in French?"}
    ),
    ("GET", "/work/projects/{project_id}/questions"): rule("project", *WORKERS),
    ("POST", "/work/projects/{project_id}/questions"): rule(
        "project", *WORKERS, data={"text": "May I skip items in French?"}
    ),
    ("GET", "/projects/{project_id}/questions"): rule("project", *REQ2),
    ("GET", "/api/v1/projects/{project_id}/rating"): rule("project", *WORKERS),
    ("PUT", "/api/v1/projects/{project_id}/rating"): rule(
        "project",
        "worker_b",
        why="after working on the project: A holds only a live lease",
        json={"clarity": 4, "fairness": 4, "pay": 4},
    ),
    ("POST", "/work/projects/{project_id}/rating"): rule(
        "project", "worker_b", data={"clarity": "4", "fairness": "4", "pay": "4"}
    ),
    # Worker B's question there: answered by its requester only (an admin reads, the
    # requester speaks for itself).
    ("POST", "/api/v1/questions/{question_id}/answers"): rule(
        "question", "requester_2", json={"text": "Yes."}
    ),
    ("POST", "/projects/{project_id}/questions/{question_id}/answer"): rule(
        "question", "requester_2", data={"text": "Yes."}
    ),
}


@dataclass
class World:
    url: str
    db: Any
    tokens: dict[str, str]
    ids: dict[str, int]
    emails: dict[str, str]
    pages: dict[str, httpx.Client] = field(default_factory=dict)
    csrf: dict[str, str] = field(default_factory=dict)


def page_login(url: str, email: str) -> tuple[httpx.Client, str]:
    """A logged-in browser-like client and its session's CSRF token."""
    client = httpx.Client(base_url=url, timeout=30)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    done = client.post("/login", data={"email": email, "password": f.PASSWORD, "csrf": token})
    assert done.status_code == 303, done.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/logout").text).group(1)
    return client, csrf


@pytest.fixture(scope="module")
def world(sqlite_backend, tmp_path_factory) -> Iterator[World]:
    mp = pytest.MonkeyPatch()
    mp.setenv("FAIRLOOP_MEDIA_DIR", str(tmp_path_factory.mktemp("media")))
    get_settings.cache_clear()
    clean(sqlite_backend.db)
    db, url = sqlite_backend.db, sqlite_backend.server_url()
    actors = {
        "worker_a": f.user(db, "worker"),
        "worker_b": f.user(db, "worker"),
        "requester_1": f.user(db, "requester", org="Lab One"),
        "requester_2": f.user(db, "requester", org="Lab Two"),
        "admin": f.user(db, "admin"),
    }
    req1, req2 = actors["requester_1"][0], actors["requester_2"][0]
    own_project = f.project(db, req1, items=2, name="Lab one's own")
    project = f.project(db, req2, overlap=1, name=ORG2_PROJECT)
    with_image = [{"id": f"i{i}", "data": {"text": f"comment {i}", "image": PNG}} for i in range(4)]
    f.add_items(db, req2, project, with_image)
    f.add_items(db, req2, project, [{"data": {"text": ORG2_ITEM}}])
    qualified = f.project(db, req2, qualification={"items": 2, "pass": 0.5}, name=ORG2_PROJECT)
    gold = [{"data": {"text": ORG2_ITEM}, "gold": {"label": "toxic"}} for _ in range(2)]
    f.add_items(db, req2, qualified, gold)
    recording = create_project(db, req2, parse_spec(record_spec()))
    f.add_items(db, req2, recording, [{"data": {"script": "The cat sat."}}])
    b = httpx.Client(
        base_url=url, headers={"Authorization": f"Bearer {actors['worker_b'][1]}"}, timeout=30
    )
    a = httpx.Client(
        base_url=url, headers={"Authorization": f"Bearer {actors['worker_a'][1]}"}, timeout=30
    )
    for client in (a, b):
        for pid in (project, recording, own_project, qualified):
            assert client.post(f"/api/v1/projects/{pid}/consent").status_code == 200
    done = b.post(f"/api/v1/projects/{project}/assignments").json()["id"]
    answered = f.post_answer(b, done, "toxic", key="b1")
    assert answered.status_code == 201
    submission = answered.json()["id"]
    r2 = httpx.Client(
        base_url=url, headers={"Authorization": f"Bearer {actors['requester_2'][1]}"}, timeout=30
    )
    rejected = r2.post(
        f"/api/v1/submissions/{submission}/review",
        json={
            "decision": "reject",
            "reason": "low_effort",
            "evidence": {"quotes": ["toxic"], "note": "a single word where a paragraph was asked"},
        },
    )
    assert rejected.status_code == 200, rejected.text
    appealed = b.post(f"/api/v1/submissions/{submission}/appeal", json={"text": "I read it."})
    assert appealed.status_code == 201, appealed.text
    asked = b.post(f"/api/v1/projects/{project}/questions", json={"text": "Is sarcasm toxic?"})
    assert asked.status_code == 201, asked.text
    leased = b.post(f"/api/v1/projects/{project}/assignments").json()["id"]
    take = b.post(f"/api/v1/projects/{recording}/assignments").json()["id"]
    media = b.post(
        f"/api/v1/assignments/{take}/media", files={"file": ("t.wav", wav_bytes(1.5), "audio/wav")}
    ).json()["media_id"]
    a.post(f"/api/v1/projects/{project}/assignments")  # A works on the same project
    with db.transaction() as session:
        post_notice(session, user_id=actors["worker_b"][0].id, kind="wellbeing", text=B_NOTICE)
    w = World(
        url=url,
        db=db,
        tokens={role: token for role, (_a, token) in actors.items()},
        ids={
            "project_id": project,
            "assignment_id": leased,
            "media_id": media,
            "qualified_project_id": qualified,
            "submission_id": submission,
            "appeal_id": appealed.json()["id"],
            "user_id": actors["worker_b"][0].id,
            "question_id": asked.json()["id"],
            "field": "image",
        },
        emails={role: actor.email for role, (actor, _t) in actors.items()},
    )
    for role in SIGNED_IN:
        w.pages[role], w.csrf[role] = page_login(url, w.emails[role])
    yield w
    for client in (a, b, r2, *w.pages.values()):
        client.close()
    mp.undo()
    get_settings.cache_clear()


def fingerprint(db: Any) -> tuple[Any, ...]:
    """What a refused request must leave as it was: rows per table, and the states a
    request could flip without adding a row."""
    with db.engine.connect() as conn:
        states = conn.execute(
            text("SELECT id, state, disclosure_version, name FROM projects ORDER BY id")
        ).all()
        leases = conn.execute(
            text("SELECT id, state, worker_id FROM assignments ORDER BY id")
        ).all()
        users = conn.execute(text("SELECT id, role, password_hash FROM users ORDER BY id")).all()
    return (f.row_counts(db), states, leases, users)


def send(w: World, role: str, method: str, path: str, r: Rule) -> httpx.Response:
    """The request a permitted caller would send, sent as ``role``."""
    ids = dict(w.ids)
    if r.target in PROJECT_OF:
        ids["project_id"] = w.ids[PROJECT_OF[r.target]]
    url = path.format(**ids)
    multipart = path.endswith("/media") and method == "POST"
    kwargs: dict[str, Any] = {}
    if multipart:
        kwargs["files"] = {"file": ("t.wav", wav_bytes(1.5), "audio/wav")}
    elif "json" in r.body:
        kwargs["json"] = r.body["json"]
    is_page = not path.startswith("/api/")
    fresh = httpx.Client(base_url=w.url, timeout=30)
    if is_page:
        client = w.pages.get(role, fresh)
        csrf = w.csrf.get(role, "")
        headers = {"X-CSRF-Token": csrf}
        if method == "POST" and not multipart and "json" not in r.body:
            kwargs["data"] = {"csrf": csrf, **r.body.get("data", {})}
    else:
        client = fresh
        headers = {"Authorization": f"Bearer {w.tokens[role]}"} if role in w.tokens else {}
        headers["Idempotency-Key"] = f"authz-{role}"
    with fresh:
        return client.request(method, url, headers=headers, **kwargs)


def assert_refused(response: httpx.Response, role: str, is_page: bool) -> None:
    what = f"{response.request.method} {response.request.url.path} as {role}"
    if role == "anonymous" and is_page:
        assert response.status_code == 303, what
        assert response.headers["location"].startswith("/login?next="), what
    elif role == "anonymous":
        assert response.status_code == 401, f"{what}: {response.status_code}"
    else:
        assert response.status_code in (403, 404), f"{what}: {response.status_code}"
    for secret in (B_NOTICE, ORG2_PROJECT, ORG2_ITEM, "worker2@"):
        assert secret.lower() not in response.text.lower(), f"{what} leaks {secret!r}"


def test_every_route_is_in_the_table(sqlite_backend):
    from fairloop.app import create_app

    found = all_routes(create_app(sqlite_backend.db))
    unclassified = sorted(found - set(ROUTES), key=lambda r: r[1])
    assert not unclassified, (
        "routes with no authorisation rule: add each to ROUTES in "
        f"tests/security/test_authorisation.py: {unclassified}"
    )
    assert not set(ROUTES) - found, f"rules for routes that no longer exist: {set(ROUTES) - found}"


CASES = [
    (method, path, role)
    for (method, path), r in sorted(ROUTES.items())
    if r.target != "public"
    for role in ROLES
    if role not in r.allowed
]


@pytest.mark.parametrize(("method", "path", "role"), CASES)
def test_refused_callers_get_no_data_and_change_nothing(world, method, path, role):
    before = fingerprint(world.db)
    response = send(world, role, method, path, ROUTES[(method, path)])
    assert_refused(response, role, is_page=not path.startswith("/api/"))
    assert fingerprint(world.db) == before


OWNERS = ("requester_2", "worker_b")


@pytest.mark.parametrize(
    "path",
    sorted(p for (m, p), r in ROUTES.items() if m == "GET" and r.target not in ("public", "self")),
)
def test_the_owner_reaches_each_object(world, path):
    """The refusals above mean something only if the ids are real: the owner gets them."""
    r = ROUTES[("GET", path)]
    owner = next(role for role in OWNERS if role in r.allowed)
    response = send(world, owner, "GET", path, r)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("path", "role"),
    [
        (p, role)
        for (m, p), r in sorted(ROUTES.items())
        if m == "GET" and r.target == "self"
        for role in sorted(r.allowed)
    ],
)
def test_own_pages_show_nobody_elses_things(world, path, role):
    response = send(world, role, "GET", path, ROUTES[("GET", path)])
    assert response.status_code == 200, response.text
    hidden = [] if role == "worker_b" else [B_NOTICE, world.emails["worker_b"]]
    if role == "requester_1":
        hidden += [ORG2_PROJECT, ORG2_ITEM]
    for secret in hidden:
        assert secret not in response.text, f"GET {path} as {role} shows {secret!r}"


# Query parameters: each one the app declares, with a value outside its allowlist and
# what that must give. A new query parameter fails the test until it is listed here.
QUERY_PARAMS: dict[tuple[str, str, str], tuple[str, int]] = {
    ("GET", "/api/v1/projects/{project_id}/export", "format"): ("__class__", 422),
    ("GET", "/projects/{project_id}/export", "format"): ("submissions;drop", 422),
    ("GET", "/projects/{project_id}/export", "encoding"): ("../../etc/passwd", 422),
    ("POST", "/api/v1/projects", "org"): ("Lab Two", 422),  # not the caller's organisation
    ("POST", "/api/v1/assignments/{assignment_id}/turns", "stream"): ("maybe", 422),
    # Shown back in the page (escaped); where a login may go is tested with the pages.
    ("GET", "/login", "next"): ('"><script>alert(1)</script>', 200),
    ("GET", "/me/wellbeing", "saved"): ("<script>", 200),  # only ever a yes/no
    ("GET", "/me/earnings", "saved"): ("<script>", 200),
    ("GET", "/api/v1/projects/{project_id}/questions", "cursor"): ("1;drop", 422),
    ("GET", "/api/v1/projects/{project_id}/questions", "limit"): ("100000", 422),
    ("GET", "/work/projects/{project_id}/questions", "cursor"): ("<script>", 422),
    ("GET", "/work/projects/{project_id}/questions", "saved"): ("<script>", 200),
    ("GET", "/projects/{project_id}/questions", "cursor"): ("../1", 422),
}


def test_every_query_parameter_is_allowlisted(world):
    from fairloop.app import create_app

    declared = query_params(create_app(world.db))
    assert declared == set(QUERY_PARAMS), (
        f"classify each query parameter in QUERY_PARAMS: {sorted(declared ^ set(QUERY_PARAMS))}"
    )
    role_for = {
        "/api/v1/projects": "requester_1",
        "/api/v1/assignments": "worker_b",
        "/work/": "worker_b",
    }
    for (method, path, name), (value, status) in QUERY_PARAMS.items():
        role = next((r for p, r in role_for.items() if path.startswith(p)), "requester_2")
        if path.startswith(("/me/", "/login")):
            role = "worker_b"
        before = fingerprint(world.db)
        r = ROUTES[(method, path)]
        url = path.format(**world.ids)
        if path.startswith("/api/"):
            with httpx.Client(base_url=world.url, timeout=30) as api:
                response = api.request(
                    method,
                    url,
                    params={name: value},
                    json=r.body.get("json"),
                    headers={"Authorization": f"Bearer {world.tokens[role]}"},
                )
        else:
            response = world.pages[role].request(method, url, params={name: value})
        assert response.status_code == status, (path, name, response.text[:300])
        assert "<script>" not in response.text, (path, name)
        if status == 422 and path.startswith("/api/"):
            assert response.json()["error"]["field"] == name
        assert fingerprint(world.db) == before


def test_mass_assignment_changes_nothing(world):
    """Fields that name a role, a balance or an organisation are never taken from a
    body: refused, or ignored, but never applied."""
    db = world.db
    a = {"Authorization": f"Bearer {world.tokens['worker_a']}"}
    r1 = {"Authorization": f"Bearer {world.tokens['requester_1']}"}
    planted = {"role": "admin", "balance": "1000000.00", "org_id": 2, "worker_id": 1}
    with httpx.Client(base_url=world.url, timeout=30) as api:
        api.put("/api/v1/me/opt-outs", json={"hazards": [], **planted}, headers=a)
        api.put("/api/v1/me/wellbeing", json={"text_severity_max": 2, **planted}, headers=a)
        api.post("/api/v1/me/checkins", json={"answers": [3] * 7, **planted}, headers=a)
        lease = api.post(f"/api/v1/projects/{world.ids['project_id']}/assignments", headers=a)
        if lease.status_code == 201:
            api.post(
                f"/api/v1/assignments/{lease.json()['id']}/submission",
                json={**LABEL, **planted},
                headers={**a, "Idempotency-Key": "mass"},
            )
        with db.transaction(readonly=True) as session:
            org2 = session.scalar(select(Project.org_id).where(Project.name == ORG2_PROJECT))
        made = api.post(
            "/api/v1/projects", json={**f.spec(name="mine"), "org_id": org2}, headers=r1
        )
        assert made.status_code in (201, 422), made.text
    with db.transaction(readonly=True) as session:
        roles = dict(session.execute(select(User.email, User.role)).all())
        assert roles[world.emails["worker_a"]] == "worker"
        assert roles[world.emails["requester_1"]] == "requester"
        # The planted worker_id named nobody: A's answer, if stored, is A's.
        a_id = session.scalar(select(User.id).where(User.email == world.emails["worker_a"]))
        mass = session.scalar(select(Submission).where(Submission.idempotency_key == "mass"))
        assert mass is None or mass.worker_id == a_id
        # Nothing requester 1 made landed in organisation 2.
        in_org2 = session.scalars(select(Project.name).where(Project.org_id == org2)).all()
        assert "mine" not in in_org2
