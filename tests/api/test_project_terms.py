"""The terms of a project in its JSON (``GET /api/v1/projects/{id}``, ``terms``): the
figures a worker's script or app shows before it consents (issue 15, part 7)."""

from __future__ import annotations

import pytest

from fairloop.settings import get_settings
from tests import factories as f


@pytest.fixture
def appeal_days_10(monkeypatch):
    monkeypatch.setenv("FAIRLOOP_APPEAL_DEADLINE_DAYS", "10")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def test_a_worker_reads_the_terms_before_consenting(http, db, appeal_days_10):
    requester, requester_token = f.user(db, "requester")
    project_id = f.project(
        db,
        requester,
        pay={
            "currency": "USD",
            "per_task": "0.20",
            "estimated_seconds": 45,
            "hourly_floor": "12.00",
        },
        lease_minutes=30,
        notice_days=5,
        suspension_fee_percent=50,
        auto_approve_days=4,
        reading_seconds=240,
        qualification={"items": 3, "pass": 0.6},
    )
    _worker, token = f.user(db, "worker")
    got = http(token).get(f"/api/v1/projects/{project_id}")
    assert got.status_code == 200 and got.json()["consented"] is False
    assert got.json()["terms"] == {
        "currency": "USD",
        "per_task": "0.20",
        "estimated_seconds": 45,
        "hourly_at_estimate": "16.00",
        "hourly_floor": "12.00",
        "lease_minutes": 30,
        "reading_seconds": 240,
        "notice_days": 5,
        "kill_fee": {"percent": 50, "window_days": 14},
        "auto_approve_days": 4,
        "appeal_deadline_days": 10,
        "qualification_items": 3,
        "hazards": [],
        "severity_examples": {},
        "support": None,
    }
    # The requester reads the same terms its workers are offered, and so does the list.
    mine = http(requester_token).get(f"/api/v1/projects/{project_id}").json()
    assert mine["terms"] == got.json()["terms"]
    listed = http(token).get("/api/v1/projects").json()
    assert [p["terms"] for p in listed] == [got.json()["terms"]]


def test_defaults_are_stated_not_left_out(http, db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester)
    _worker, token = f.user(db, "worker")
    terms = http(token).get(f"/api/v1/projects/{project_id}").json()["terms"]
    assert terms["notice_days"] == 7 and terms["auto_approve_days"] == 3
    assert terms["kill_fee"] == {"percent": 25, "window_days": 14}
    assert terms["reading_seconds"] == 120 and terms["appeal_deadline_days"] == 7
    assert terms["hourly_at_estimate"] == "24.00" and terms["qualification_items"] is None


def test_a_hazard_projects_terms_carry_its_hazards_examples_and_support(http, db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, **f.hazard_spec(["vcr", "hte"]), lease_minutes=60)
    _worker, token = f.user(db, "worker")
    terms = http(token).get(f"/api/v1/projects/{project_id}").json()["terms"]
    assert [h["code"] for h in terms["hazards"]] == ["vcr", "hte"]
    assert {h["name"] for h in terms["hazards"]} == {"Violent crimes", "Hate"}
    assert all(h["description"] for h in terms["hazards"])
    assert terms["severity_examples"] == f.HAZARD_FIELDS["severity_examples"]
    assert terms["support"] == f.HAZARD_FIELDS["support"]
    assert terms["lease_minutes"] == 60
