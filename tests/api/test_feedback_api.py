"""The human-feedback task types over real HTTP: the lease says the order shown, bad
answers get a 422 naming the field and change nothing, and each export holds what
was submitted."""

from __future__ import annotations

import json

import pytest

from fairloop.domain.specs import parse_spec
from fairloop.services.projects import create_project
from tests import factories as f
from tests.factories.feedback import CONVERSATION, GOOD_ANSWERS, feedback_spec, item


def make_project(db, kind, *, items=1, chat=False, **overrides):
    requester, token = f.user(db, "requester")
    project_id = create_project(db, requester, parse_spec(feedback_spec(kind, **overrides)))
    f.add_items(db, requester, project_id, [item(kind, n, chat=chat) for n in range(items)])
    return project_id, token


def lease(api, project_id):
    got = api.post(f"/api/v1/projects/{project_id}/assignments")
    assert got.status_code == 201, got.text
    return got.json()


def answer(api, assignment_id, body, *, key, seconds=5):
    return api.post(
        f"/api/v1/assignments/{assignment_id}/submission",
        json={"answer": body, "active_seconds": seconds},
        headers={"Idempotency-Key": key},
    )


BAD = [
    ("rate", {"ratings": {"helpfulness": 8, "honesty": 7}}, "answer.ratings.helpfulness"),
    ("rate", {"ratings": {"helpfulness": 3}}, "answer.ratings.honesty"),
    ("rate", {"ratings": {"helpfulness": 3, "honesty": 3}, "flags": ["nope"]}, "answer.flags"),
    ("compare", {"preferred": "a", "strength": 2}, "answer.rationale"),
    ("compare", {"preferred": "a", "strength": 2, "rationale": "  "}, "answer.rationale"),
    ("compare", {"preferred": "z", "strength": 1, "rationale": "x"}, "answer.preferred"),
    ("compare", {"preferred": "a", "strength": 4, "rationale": "x"}, "answer.strength"),
    ("rank", {"order": ["p", "q", "r"]}, "answer.order"),
    ("rank", {"order": ["p", "q", "r", "r"]}, "answer.order"),
    ("rank", {"order": ["p", "q", "r", "zz"]}, "answer.order"),
    ("write", {"text": "abc"}, "answer.text"),
    ("converse", {"messages": CONVERSATION[:2]}, "answer.messages"),
    ("converse", {"messages": [CONVERSATION[1], *CONVERSATION[:3]]}, "answer.messages[0].role"),
]


@pytest.mark.parametrize(("kind", "bad", "field"), BAD)
def test_a_bad_answer_is_a_422_naming_the_field_and_changes_nothing(http, db, kind, bad, field):
    project_id, _ = make_project(db, kind)
    _worker, token = f.consented_worker(db, project_id)
    api = http(token)
    got = lease(api, project_id)
    before = f.row_counts(db)
    refused = answer(api, got["id"], bad, key="bad")
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["field"] == field
    assert refused.json()["error"]["message"]
    assert f.row_counts(db) == before
    # The same lease still takes a good answer.
    assert answer(api, got["id"], GOOD_ANSWERS[kind], key="good").status_code == 201


@pytest.mark.parametrize("kind", ["compare", "rank"])
def test_the_order_shown_is_random_per_assignment_and_exported(http, db, kind):
    project_id, requester_token = make_project(db, kind, items=1, overlap=40)
    orders = []
    for n in range(30):
        _worker, token = f.consented_worker(db, project_id)
        api = http(token)
        got = lease(api, project_id)
        ids = [r["id"] for r in got["item"]["data"]["responses"]]
        assert sorted(got["shown"]) == sorted(ids)
        orders.append(tuple(got["shown"]))
        if n < 3:
            body = GOOD_ANSWERS[kind]
            assert answer(api, got["id"], body, key=f"k{n}").status_code == 201
    assert len(set(orders)) > 1, "thirty leases all showed one order"
    raw = http(requester_token).get(f"/api/v1/projects/{project_id}/export?format=raw")
    rows = [json.loads(line) for line in raw.text.splitlines()]
    assert [tuple(r["shown"]) for r in rows] == orders[:3]


@pytest.mark.parametrize("kind", ["rate", "compare", "rank", "write", "converse"])
def test_raw_export_holds_what_was_submitted(http, db, kind):
    project_id, requester_token = make_project(db, kind, items=1)
    _worker, token = f.consented_worker(db, project_id)
    api = http(token)
    got = lease(api, project_id)
    stored = answer(api, got["id"], GOOD_ANSWERS[kind], key="k", seconds=41).json()
    raw = http(requester_token).get(f"/api/v1/projects/{project_id}/export?format=raw")
    (row,) = [json.loads(line) for line in raw.text.splitlines()]
    assert row["answer"] == stored["answer"]
    for key, value in GOOD_ANSWERS[kind].items():
        if key != "order":
            assert row["answer"][key] == value
    assert row["active_seconds"] == stored["active_seconds"] >= 0
    assert row["worker"].startswith("w-")
    assert row["external_id"] == f"{kind}-0"
    assert row["shown"] == got["shown"]


def test_rank_order_keeps_allowed_ties_and_refuses_them_when_not(http, db):
    project_id, _ = make_project(db, "rank", task={"allow_ties": False})
    _worker, token = f.consented_worker(db, project_id)
    api = http(token)
    got = lease(api, project_id)
    refused = answer(api, got["id"], {"order": ["q", ["p", "s"], "r"]}, key="t")
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "answer.order[1]"


def test_items_that_a_type_cannot_show_are_refused_at_import(http, db):
    requester, token = f.user(db, "requester")
    project_id = create_project(db, requester, parse_spec(feedback_spec("compare")))
    bad = {"id": "x", "data": {"prompt": "Hi", "responses": [{"id": "a", "text": "only one"}]}}
    got = http(token).post(f"/api/v1/projects/{project_id}/items", content=json.dumps([bad]))
    assert got.status_code == 422
    assert got.json()["error"]["field"].endswith("data.responses")
