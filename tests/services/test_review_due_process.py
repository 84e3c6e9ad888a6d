"""Review with due process, tried as a profit-seeking requester and a careless admin
would break it, on the real services with the services' clock: what the worker then
sees in their earnings (pay, time, the decision) is what each test checks.

Measured before this rule (issue 15): failed_checks was accepted on a project with
no gold; any 20 characters passed as evidence; a rejection after auto_approve_days was
accepted when settlement had not run; rejected time vanished from the earnings
(seconds_worked 0, the project not listed); the requester's own admin decided
appeals, with no deadline.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from fairloop.domain.actors import Actor
from fairloop.errors import Conflict, Forbidden, InvalidInput
from fairloop.services.inbox import inbox
from fairloop.services.pay import review
from fairloop.services.pay.earnings import my_earnings
from fairloop.services.pay.settle import settle
from fairloop.services.work.assign import lease_next
from tests import factories as f
from tests.factories.pay import T0, beat, do_task, entries

OPERATOR = Actor(id=0, role="admin", email="operator@cli")
HOUR = timedelta(hours=1)
QUOTE = {"quotes": ["toxic"], "note": "one word where a reason was asked for"}


@pytest.fixture
def setup(db):
    requester, _ = f.user(db, "requester", org="Profit Lab")
    project_id = f.project(db, requester, items=3, overlap=1)
    worker, _ = f.consented_worker(db, project_id)
    return requester, project_id, worker


def reject(db, requester, sid, reason, evidence=None, *, now):
    body = {"decision": "reject", "reason": reason}
    if evidence is not None:
        body["evidence"] = evidence
    return review.review(db, requester, sid, body, now=now)


def refused(db, error, call):
    """``call`` raises ``error`` and changes nothing; returns the error."""
    before = f.row_counts(db)
    with pytest.raises(error) as caught:
        call()
    assert f.row_counts(db) == before
    return caught.value


def paid(db, worker):
    return sum(e.amount_minor for e in entries(db, user_id=worker.id, kind="task_pay"))


def test_failed_checks_on_a_project_with_no_gold_is_refused_and_the_work_is_paid(db, setup):
    requester, project_id, worker = setup
    stored = do_task(db, worker, project_id, T0, 30)
    typed = {"decision": "reject", "reason": "failed_checks", "evidence": "gold item i0: wrong"}
    err = refused(
        db, InvalidInput, lambda: review.review(db, requester, stored["id"], typed, now=T0 + HOUR)
    )
    assert err.field == "evidence"  # the requester may not type the failed check
    err = refused(
        db,
        InvalidInput,
        lambda: reject(db, requester, stored["id"], "failed_checks", now=T0 + HOUR),
    )
    assert err.field == "reason" and "no gold items" in err.message
    mine = my_earnings(db, worker, now=T0 + timedelta(days=3, minutes=1))  # approved when due
    assert (mine["balance"], mine["pending"], mine["rejections"]) == ("0.20", "0.00", [])


def gold_project(db, requester):
    project_id = f.project(db, requester, overlap=1)
    rows = [
        {"id": f"g{n}", "data": {"text": f"gold {n}"}, "gold": {"label": "toxic"}} for n in (1, 2)
    ]
    f.add_items(db, requester, project_id, rows)
    return project_id


def answer(db, worker, project_id, label, at):
    lease = lease_next(db, worker, project_id, now=at)
    end = beat(db, worker, lease.id, at, 30)
    return f.answer_label(db, worker, lease.id, label=label, now=end)


def test_failed_checks_needs_a_gold_item_this_answer_failed_found_by_the_server(db):
    requester, _ = f.user(db, "requester")
    project_id = gold_project(db, requester)
    worker, _ = f.consented_worker(db, project_id)
    right = answer(db, worker, project_id, "toxic", T0)
    wrong = answer(db, worker, project_id, "not_toxic", T0 + timedelta(minutes=5))
    err = refused(
        db, InvalidInput, lambda: reject(db, requester, right["id"], "failed_checks", now=T0 + HOUR)
    )
    assert err.field == "reason" and "matches its known answer" in err.message
    done = reject(db, requester, wrong["id"], "failed_checks", now=T0 + HOUR)
    assert done["review_state"] == "rejected"
    assert '{"label": "toxic"}' in done["evidence"] and '{"label": "not_toxic"}' in done["evidence"]
    assert "passed 1 of 2 gold checks" in done["evidence"]
    [shown] = my_earnings(db, worker, now=T0 + HOUR)["rejections"]
    assert shown["evidence"] == done["evidence"] and shown["reason"] == "failed_checks"


def test_a_made_up_quote_is_refused_and_a_real_one_is_shown_to_the_worker(db, setup):
    requester, project_id, worker = setup
    stored = do_task(db, worker, project_id, T0, 30)  # answered {"label": "toxic"}
    made_up = {"quotes": ["asdf asdf asdf"], "note": "the worker typed gibberish here"}
    err = refused(
        db,
        InvalidInput,
        lambda: reject(db, requester, stored["id"], "low_effort", made_up, now=T0 + HOUR),
    )
    assert err.field == "evidence.quotes[0]" and "not in the answer" in err.message
    any_text = "x" * 40  # any 20 characters were evidence before
    err = refused(
        db,
        InvalidInput,
        lambda: reject(db, requester, stored["id"], "low_effort", any_text, now=T0 + HOUR),
    )
    assert err.field == "evidence"
    done = reject(db, requester, stored["id"], "low_effort", QUOTE, now=T0 + HOUR)
    assert done["evidence"] == (
        'Quoted from the answer: "toxic" (in answer.label). '
        "Why: one word where a reason was asked for"
    )
    [shown] = my_earnings(db, worker, now=T0 + HOUR)["rejections"]
    assert shown["evidence"] == done["evidence"]


def test_missing_parts_names_parts_the_answer_really_left_empty(db):
    requester, _ = f.user(db, "requester")
    task = {
        "type": "write",
        "mode": "prompt",
        "instructions": "Write a prompt and say where the idea came from.",
        "fields": [{"name": "sources", "label": "Sources"}],
    }
    project_id = f.project(db, requester, items=2, overlap=1, task=task)
    worker, _ = f.consented_worker(db, project_id)
    lease = lease_next(db, worker, project_id, now=T0)
    stored, _ = f.submit(
        db,
        worker,
        lease.id,
        {"text": "Tell me a story about a lighthouse.", "fields": {"sources": ""}},
        active_seconds=0,
        idempotency_key="w1",
        now=T0 + timedelta(minutes=2),
    )
    at = T0 + HOUR
    for parts, why in ((["text"], "has content"), (["title"], "has no part")):
        err = refused(
            db,
            InvalidInput,
            lambda parts=parts: reject(
                db, requester, stored["id"], "missing_parts", {"parts": parts}, now=at
            ),
        )
        assert err.field == "evidence.parts[0]" and why in err.message
    done = reject(
        db, requester, stored["id"], "missing_parts", {"parts": ["fields.sources"]}, now=at
    )
    assert done["evidence"] == "Empty in the answer: answer.fields.sources."


def test_no_rejection_after_the_auto_approval_deadline_though_settlement_never_ran(db, setup):
    requester, project_id, worker = setup
    stored = do_task(db, worker, project_id, T0, 30)
    late = T0 + timedelta(days=3, minutes=1)  # auto_approve_days is 3; no settlement ran
    with pytest.raises(Conflict) as caught:
        reject(db, requester, stored["id"], "low_effort", QUOTE, now=late)
    assert (
        caught.value.code == "review_deadline_passed"
        and "cannot be rejected" in caught.value.message
    )
    # The approval that was due is written: the worker is paid, nothing is rejected.
    assert paid(db, worker) == 20
    mine = my_earnings(db, worker, now=late)
    assert (mine["balance"], mine["pending"], mine["rejections"]) == ("0.20", "0.00", [])
    assert (
        review.review(db, requester, stored["id"], {"decision": "approve"}, now=late)[
            "review_state"
        ]
        == "approved"
    )
    assert paid(db, worker) == 20  # once


def test_work_is_approved_at_its_deadline_when_the_worker_looks_not_at_the_next_settlement(
    db, setup
):
    _, project_id, worker = setup
    do_task(db, worker, project_id, T0, 30)
    before = my_earnings(db, worker, now=T0 + timedelta(days=2, hours=23))
    assert (before["balance"], before["pending"]) == ("0.00", "0.20")
    due = my_earnings(db, worker, now=T0 + timedelta(days=3, minutes=1))
    assert (due["balance"], due["pending"]) == ("0.20", "0.00")
    assert settle(db, now=T0 + timedelta(days=4)).approved == 0  # nothing left to approve
    assert paid(db, worker) == 20


def test_rejected_time_stays_on_the_earnings_page(db, setup):
    requester, project_id, worker = setup
    stored = do_task(db, worker, project_id, T0, 120)
    reject(db, requester, stored["id"], "low_effort", QUOTE, now=T0 + HOUR)
    settle(db, now=T0 + timedelta(days=1))
    mine = my_earnings(db, worker, now=T0 + timedelta(days=1))
    [row] = mine["projects"]
    seconds = stored["active_seconds"]
    assert seconds >= 120
    assert (row["project_id"], row["seconds_worked"], row["seconds_rejected"]) == (
        project_id,
        seconds,
        seconds,
    )
    assert (row["earned"], mine["seconds_worked"], mine["seconds_rejected"]) == (
        "0.00",
        seconds,
        seconds,
    )
    [shown] = mine["rejections"]
    assert (shown["seconds"], shown["project_name"]) == (seconds, "Toxicity")


def test_an_appeal_ignored_for_8_days_is_decided_for_the_worker_when_read(db, setup):
    requester, project_id, worker = setup
    stored = do_task(db, worker, project_id, T0, 30)
    reject(db, requester, stored["id"], "low_effort", QUOTE, now=T0 + HOUR)
    filed = review.appeal(db, worker, stored["id"], "The label is right.", now=T0 + 2 * HOUR)
    assert filed["deadline"] == (T0 + 2 * HOUR + timedelta(days=7)).isoformat()
    waiting = my_earnings(db, worker, now=T0 + timedelta(days=6))["rejections"][0]
    assert (waiting["appeal_state"], waiting["appeal_decided_by"]) == ("open", None)
    mine = my_earnings(db, worker, now=T0 + timedelta(days=8))  # nobody decided; no settlement
    assert mine["balance"] == "0.20"
    [shown] = mine["rejections"]
    assert (shown["review_state"], shown["appeal_state"], shown["appeal_decided_by"]) == (
        "approved",
        "overturned",
        "deadline",
    )
    assert "No admin decided this appeal within 7 days" in shown["decision_note"]
    assert shown["appeal_decided_at"] == filed["deadline"]
    [notice] = [n for n in inbox(db, worker) if "was overturned" in n["text"]]
    assert "paid" in notice["text"]
    # An admin who comes back late decides nothing: the appeal is closed.
    with pytest.raises(Conflict) as caught:
        review.decide_appeal(
            db, OPERATOR, filed["id"], "uphold", "x" * 30, now=T0 + timedelta(days=9)
        )
    assert caught.value.code == "appeal_closed"
    assert paid(db, worker) == 20


def test_an_appeal_ignored_for_8_days_is_decided_for_the_worker_at_settlement(db, setup):
    requester, project_id, worker = setup
    stored = do_task(db, worker, project_id, T0, 30)
    reject(db, requester, stored["id"], "low_effort", QUOTE, now=T0 + HOUR)
    review.appeal(db, worker, stored["id"], "The label is right.", now=T0 + 2 * HOUR)
    settle(db, now=T0 + timedelta(days=7))
    assert paid(db, worker) == 0  # not yet: the admin has until 7 days after the appeal
    settle(db, now=T0 + timedelta(days=8))
    assert paid(db, worker) == 20
    settle(db, now=T0 + timedelta(days=9))
    assert paid(db, worker) == 20  # once
    assert review.open_appeals(db, OPERATOR, now=T0 + timedelta(days=9)) == []


def test_an_admin_of_the_requesters_organisation_may_not_decide_its_appeals(db, setup):
    requester, project_id, worker = setup
    stored = do_task(db, worker, project_id, T0, 30)
    reject(db, requester, stored["id"], "low_effort", QUOTE, now=T0 + HOUR)
    filed = review.appeal(db, worker, stored["id"], "The label is right.", now=T0 + 2 * HOUR)
    own_admin, _ = f.user(db, "admin", org="Profit Lab")
    err = refused(
        db,
        Forbidden,
        lambda: review.decide_appeal(
            db, own_admin, filed["id"], "uphold", "The requester is right here.", now=T0 + 3 * HOUR
        ),
    )
    assert err.code == "not_independent" and "organisation" in err.message
    assert review.open_appeals(db, own_admin, now=T0 + 3 * HOUR) == []  # not theirs to decide
    outside, _ = f.user(db, "admin")
    [listed] = review.open_appeals(db, outside, now=T0 + 3 * HOUR)
    assert (listed["id"], listed["answer"], listed["reason"]) == (
        filed["id"],
        {"label": "toxic"},
        "low_effort",
    )
    short = refused(
        db,
        InvalidInput,
        lambda: review.decide_appeal(db, outside, filed["id"], "uphold", "no", now=T0 + 3 * HOUR),
    )
    assert short.field == "note"  # upholding says why
    note = "The quote is the whole answer; the instructions ask for a reason."
    decided = review.decide_appeal(db, outside, filed["id"], "uphold", note, now=T0 + 3 * HOUR)
    assert (decided["state"], decided["decided_by"]) == ("upheld", "admin")
    [shown] = my_earnings(db, worker, now=T0 + timedelta(days=9))["rejections"]
    assert (shown["appeal_state"], shown["decision_note"], shown["appeal_decided_by"]) == (
        "upheld",
        note,
        "admin",
    )
    assert paid(db, worker) == 0  # upheld by an independent admin: it stands


def test_an_admin_who_made_the_rejection_may_not_decide_its_appeal(db, setup):
    _, project_id, worker = setup
    stored = do_task(db, worker, project_id, T0, 30)
    admin, _ = f.user(db, "admin")
    reject(db, admin, stored["id"], "low_effort", QUOTE, now=T0 + HOUR)
    filed = review.appeal(db, worker, stored["id"], "The label is right.", now=T0 + 2 * HOUR)
    err = refused(
        db,
        Forbidden,
        lambda: review.decide_appeal(db, admin, filed["id"], "overturn", now=T0 + 3 * HOUR),
    )
    assert err.code == "not_independent"
    review.decide_appeal(db, OPERATOR, filed["id"], "overturn", "It is toxic.", now=T0 + 3 * HOUR)
    assert paid(db, worker) == 20


def test_work_approved_when_due_takes_settlements_lock():
    from fairloop.services.pay import settle as settlement

    assert review.SETTLE_LOCK == settlement.SETTLE_LOCK
