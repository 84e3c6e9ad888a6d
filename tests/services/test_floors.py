"""Floors that hold against an admin's adjustments, and floors by the worker's country
(issue 15, part 8), on both databases with a fake clock.

The scenario of the issue: a slow worker is topped up to the floor, then a negative
adjustment claws the top-up back and settlement never restores it. Now the clawback is
refused with the figures, adjustments count toward the floor of their project, and a
worker's country floor is applied where it is higher than the project's.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from fairloop.db.models import ProjectWorker
from fairloop.domain.actors import Actor
from fairloop.errors import Conflict, InvalidInput
from fairloop.services.accounts import create_user
from fairloop.services.inbox import inbox
from fairloop.services.pay import bonus, ledger, review
from fairloop.services.pay.payouts import mark_paid
from fairloop.services.pay.settle import floor_pay, settle, settled_time
from fairloop.services.projects import consent
from fairloop.settings import get_settings
from tests import factories as f
from tests.factories.pay import T0, do_task, entries

ADMIN = Actor(id=0, role="admin", email="operator@cli")
LATER = T0 + timedelta(days=4)
_seq = itertools.count(1)


@pytest.fixture
def instance(monkeypatch):
    """``instance(NAME=value)``: settings for this test."""

    def set_to(**variables: str) -> None:
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()

    yield set_to
    get_settings.cache_clear()


@pytest.fixture
def slow(db):
    """A worker who took 300 s over a 30-s task paying 0.20 at a floor of USD 12.00:
    settled, they are owed 1.00 and were topped up by 0.80."""
    requester, _ = f.user(db, "requester", password=None)
    project_id = f.project(db, requester, items=5, overlap=1)
    worker, _ = f.consented_worker(db, project_id, password=None)
    stored = do_task(db, worker, project_id, T0, 300)
    review.review(db, requester, stored["id"], {"decision": "approve"})
    settle(db, now=LATER)
    assert [e.amount_minor for e in entries(db, kind="top_up")] == [80]
    return requester, project_id, worker


def _adjust(db, worker, key, now=LATER, **body):
    return bonus.adjust(db, ADMIN, worker.id, {"note": "a correction", **body}, key=key, now=now)


def _refused(db, error, call):
    before = f.row_counts(db)
    with pytest.raises(error) as refused:
        call()
    assert f.row_counts(db) == before
    return refused.value


def test_a_clawback_of_a_top_up_is_refused_with_the_figures(db, slow):
    _, project_id, worker = slow
    refused = _refused(
        db,
        Conflict,
        lambda: _adjust(db, worker, "k1", amount="-0.50", currency="USD", project_id=project_id),
    )
    assert (refused.code, refused.field) == ("under_floor", "amount")
    assert refused.message == (
        f"an adjustment of -0.50 USD would leave this worker's pay on project {project_id} at "
        "0.50 USD for 300 s of settled time (6.00 USD an hour), under the 1.00 USD owed for it "
        "at the floor of 12.00 USD an hour; at most 0.00 USD can be taken back"
    )


def test_a_clawback_named_to_no_project_is_held_to_all_the_workers_floors(db, slow):
    _, _, worker = slow
    refused = _refused(
        db, Conflict, lambda: _adjust(db, worker, "k1", amount="-0.50", currency="USD")
    )
    assert refused.message == (
        "an adjustment of -0.50 USD would leave this worker's pay in USD over all projects at "
        "0.50 USD for 300 s of settled time (6.00 USD an hour), under the 1.00 USD owed for it "
        "at the floors of their projects; at most 0.00 USD can be taken back"
    )


def test_pay_above_the_floor_may_be_taken_back_down_to_it_and_no_further(db, slow):
    requester, project_id, worker = slow
    # A fast task: 0.20 for 30 s, where the floor owes 0.10.
    stored = do_task(db, worker, project_id, T0 + timedelta(hours=1), 30)
    review.review(db, requester, stored["id"], {"decision": "approve"})
    with pytest.raises(Conflict, match=r"at most 0\.10 USD can be taken back"):
        _adjust(db, worker, "k1", amount="-0.11", currency="USD", project_id=project_id)
    done = _adjust(db, worker, "k2", amount="-0.10", project_id=project_id)
    assert done == {
        "amount": "-0.10",
        "currency": "USD",
        "project_id": project_id,
        "replayed": False,
    }
    # A retry of the same request is a replay, not a second clawback, nor a refusal.
    assert _adjust(db, worker, "k2", amount="-0.10", project_id=project_id)["replayed"]
    settle(db, now=LATER + timedelta(days=1))
    assert len(entries(db, kind="top_up")) == 1


def test_a_clawback_that_would_put_a_worker_in_debt_is_refused(db, slow):
    requester, project_id, worker = slow
    bonus.bonus(
        db,
        requester,
        project_id,
        {"worker": _pseudonym(db, worker, project_id), "amount": "1.00", "note": "thanks"},
        key="b1",
    )
    mark_paid(db, ADMIN)
    refused = _refused(
        db, Conflict, lambda: _adjust(db, worker, "k1", amount="-1.00", currency="USD")
    )
    assert refused.code == "negative_balance"
    assert refused.message == (
        "an adjustment of -1.00 USD would leave this worker's balance at -1.00 USD: fairloop "
        "puts no worker in debt, so at most 0.00 USD can be taken back now"
    )


def test_a_mistaken_bonus_not_yet_paid_out_may_be_taken_back(db, slow):
    requester, project_id, worker = slow
    pseudonym = _pseudonym(db, worker, project_id)
    body = {"worker": pseudonym, "amount": "5.00", "note": "meant for someone else"}
    bonus.bonus(db, requester, project_id, body, key="b1")
    assert _adjust(db, worker, "k1", amount="-5.00", currency="USD")["amount"] == "-5.00"
    with db.engine.connect() as conn:
        assert ledger.balance(conn, worker.id) == {"USD": 100}


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"amount": "1.00", "currency": "JPY"},
            "currency",
            "currency 'JPY' is not one this instance pays in (EUR, GBP, USD; FAIRLOOP_CURRENCY "
            "and FAIRLOOP_MIN_HOURLY_FLOORS name them)",
        ),
        (
            {"amount": "-0.10", "currency": "XXX"},
            "currency",
            "currency 'XXX' is not one this instance pays in (EUR, GBP, USD; FAIRLOOP_CURRENCY "
            "and FAIRLOOP_MIN_HOURLY_FLOORS name them)",
        ),
        (
            {"amount": "1.00", "currency": "GBP", "project_id": "PROJECT"},
            "currency",
            "currency GBP is not project PROJECT's currency (USD): an adjustment on a project "
            "is in the project's currency",
        ),
        (
            {"amount": "1.00", "currency": "USD", "project_id": "one"},
            "project_id",
            "project_id is the id of the project the adjustment corrects, not 'one'",
        ),
    ],
)
def test_an_adjustment_in_a_currency_not_paid_here_is_refused(db, slow, body, field, message):
    _, project_id, worker = slow
    if body.get("project_id") == "PROJECT":
        body = {**body, "project_id": project_id}
        message = message.replace("PROJECT", str(project_id))
    refused = _refused(db, InvalidInput, lambda: _adjust(db, worker, "k1", **body))
    assert (refused.field, refused.message) == (field, message)


def test_an_adjustment_in_another_currency_the_instance_pays_in_is_accepted(db, slow, instance):
    _, _, worker = slow
    instance(FAIRLOOP_MIN_HOURLY_FLOORS="GBP:12.21,EUR:11.00,KES:150.00")
    assert _adjust(db, worker, "k1", amount="1.00", currency="KES")["currency"] == "KES"


def test_settlement_restores_the_floor_after_any_adjustment(db, slow):
    """A clawback written before adjustments were checked (or by hand) is made good:
    adjustments on a project count toward its floor."""
    _, project_id, worker = slow
    with db.engine.begin() as conn:
        ledger.write(
            conn,
            user_id=worker.id,
            project_id=project_id,
            kind="adjustment",
            amount_minor=-50,
            currency="USD",
            key="adjustment:user:1:request:old",
        )
    settle(db, now=LATER + timedelta(days=1))
    assert [e.amount_minor for e in entries(db, kind="top_up")] == [80, 50]
    with db.engine.connect() as conn:
        assert floor_pay(conn, [project_id])[(worker.id, project_id)] == 100
        assert ledger.balance(conn, worker.id) == {"USD": 100}


def _country_worker(db, project_id, country):
    email = f"worker-{country.lower()}-{next(_seq)}@example.org"
    actor, _ = create_user(db, email, role="worker", password=None, country=country)
    consent(db, actor, project_id)
    return actor


def test_a_workers_country_floor_applies_where_it_is_higher(db, instance):
    instance(FAIRLOOP_FLOORS_BY_COUNTRY="GB:USD:15.50,GB:GBP:12.21")
    requester, _ = f.user(db, "requester", password=None)
    project_id = f.project(db, requester, items=5, overlap=3)
    british = _country_worker(db, project_id, "GB")
    kenyan = _country_worker(db, project_id, "KE")
    for i, w in enumerate((british, kenyan)):
        stored = do_task(db, w, project_id, T0 + timedelta(minutes=10 * i), 300)
        review.review(db, requester, stored["id"], {"decision": "approve"})
    settle(db, now=LATER)
    ups = {e.user_id: e for e in entries(db, kind="top_up")}
    # 300 s at 15.50 an hour is 1.30 (rounded up), at 12.00 it is 1.00.
    assert (ups[british.id].amount_minor, ups[kenyan.id].amount_minor) == (110, 80)
    with db.engine.connect() as conn:
        seconds = settled_time(conn, [project_id], LATER)[(british.id, project_id)]
        paid = floor_pay(conn, [project_id])[(british.id, project_id)]
    assert Decimal(paid) * 36 / seconds >= Decimal("15.50")
    [notice] = [m for m in inbox(db, british) if m["kind"] == "top_up"]
    assert "below the floor for workers in your country of 15.50 USD an hour" in notice["text"]
    # A clawback is held to the country floor too.
    with pytest.raises(Conflict, match=r"at the floor of 15\.50 USD an hour"):
        _adjust(db, british, "k1", amount="-0.01", currency="USD", project_id=project_id)


def test_a_project_floor_above_the_country_floor_is_the_one_paid(db, instance):
    instance(FAIRLOOP_FLOORS_BY_COUNTRY="GB:USD:15.50")
    requester, _ = f.user(db, "requester", password=None)
    pay = {"currency": "USD", "per_task": "0.20", "estimated_seconds": 30, "hourly_floor": "18.00"}
    project_id = f.project(db, requester, items=5, overlap=1, pay=pay)
    british = _country_worker(db, project_id, "GB")
    stored = do_task(db, british, project_id, T0, 300)
    review.review(db, requester, stored["id"], {"decision": "approve"})
    settle(db, now=LATER)
    # 300 s at 18.00 an hour is 1.50.
    assert [e.amount_minor for e in entries(db, kind="top_up")] == [130]


def _pseudonym(db, worker, project_id):
    with db.engine.connect() as conn:
        return conn.scalar(
            select(ProjectWorker.pseudonym).where(
                ProjectWorker.user_id == worker.id, ProjectWorker.project_id == project_id
            )
        )
