"""The requester record a worker reads before consenting, figure by figure, on the
services' own clock: a new requester is marked new; days to pay run from submission
to the payout that paid the work; overturned rejections stay in the rejection rate;
workers' ratings show only as averages over at least five workers, none traceable to
one of them."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select, update

from fairloop.db.models import Project, ProjectWorker, Review, Submission
from fairloop.db.models.ledger import LedgerEntry
from fairloop.domain.voice import MIN_RATERS, published_through
from fairloop.services import voice
from fairloop.services.pay import payouts, review
from fairloop.services.projects import consent
from fairloop.services.requesters import requester_record
from tests import factories as f
from tests.factories.pay import T0, do_task

DAY = timedelta(days=1)
WEEK = timedelta(days=7)


def record_of(db, project_id, now):
    with db.transaction(readonly=True) as session:
        org_id = session.scalar(select(Project.org_id).where(Project.id == project_id))
        return requester_record(session, org_id, now=now)


def reject(db, submission_id, at):
    """A rejection as the review service stores it. How a rejection is justified is
    the review tests' business; the record only counts it."""
    with db.engine.begin() as conn:
        conn.execute(
            Review.__table__.insert(),
            {
                "submission_id": submission_id,
                "decision": "reject",
                "reason": "low_effort",
                "evidence": "one word where a paragraph was asked",
                "created_at": at,
            },
        )
        conn.execute(
            update(Submission)
            .where(Submission.id == submission_id)
            .values(review_state="rejected", reviewed_at=at)
        )


def pay_out(db, at):
    """An admin marks what is owed as paid; the payout entries are dated ``at`` (the
    ledger stamps its own clock, so the test moves them to the day they happen)."""
    admin, _ = f.user(db, "admin", password=None)
    paid = payouts.mark_paid(db, admin)
    with db.engine.begin() as conn:
        conn.execute(
            update(LedgerEntry)
            .where(LedgerEntry.kind == "payout", LedgerEntry.created_at > at)
            .values(created_at=at)
        )
    return paid


def test_a_brand_new_requester_is_marked_new_with_no_figures(db):
    requester, _ = f.user(db, "requester", password=None)
    project_id = f.project(db, requester, items=2)
    record = record_of(db, project_id, T0)
    assert record["new"] is True
    assert record["reviewed"] == 0 and record["rejection_rate"] is None
    assert record["median_days_to_pay"] is None and record["paid_out"] == 0
    assert record["oldest_unpaid_days"] is None
    assert record["ratings"]["enough"] is False


def test_days_to_pay_run_from_submission_to_the_payout_not_to_approval(db):
    requester, _ = f.user(db, "requester", password=None)
    project_id = f.project(db, requester, items=1, overlap=1)
    worker, _ = f.consented_worker(db, project_id, password=None)
    stored = do_task(db, worker, project_id, T0, 30)
    review.review(db, requester, stored["id"], {"decision": "approve"}, now=T0 + DAY)

    # Approved the next day, but nothing paid out: still new, however long it waits.
    waiting = record_of(db, project_id, T0 + 10 * DAY)
    assert waiting["new"] is True
    assert waiting["median_days_to_pay"] is None
    assert waiting["oldest_unpaid_days"] == 10.0

    assert pay_out(db, T0 + 12 * DAY)
    paid = record_of(db, project_id, T0 + 20 * DAY)
    assert paid["new"] is False and paid["paid_out"] == 1
    assert paid["median_days_to_pay"] == 12.0  # not 1.0, the day of approval
    assert paid["oldest_unpaid_days"] is None


def test_work_done_after_a_payout_waits_for_the_next_one(db):
    requester, _ = f.user(db, "requester", password=None)
    project_id = f.project(db, requester, items=2, overlap=1)
    worker, _ = f.consented_worker(db, project_id, password=None)
    first = do_task(db, worker, project_id, T0, 30)
    review.review(db, requester, first["id"], {"decision": "approve"}, now=T0 + DAY)
    pay_out(db, T0 + 2 * DAY)
    second = do_task(db, worker, project_id, T0 + 3 * DAY, 30)
    review.review(db, requester, second["id"], {"decision": "approve"}, now=T0 + 4 * DAY)
    record = record_of(db, project_id, T0 + 5 * DAY)
    # The second submission's pay came after the payout: not paid by it.
    assert record["paid_out"] == 1 and record["median_days_to_pay"] == 2.0
    assert record["oldest_unpaid_days"] == 2.0
    pay_out(db, T0 + 9 * DAY)
    assert record_of(db, project_id, T0 + 10 * DAY)["median_days_to_pay"] == 4.0  # of 2 and 6


def test_overturned_rejections_stay_in_the_rejection_rate(db):
    requester, _ = f.user(db, "requester", password=None)
    project_id = f.project(db, requester, items=4, overlap=1)
    worker, _ = f.consented_worker(db, project_id, password=None)
    subs = [do_task(db, worker, project_id, T0 + n * timedelta(minutes=5), 30) for n in range(4)]
    for s in subs[:2]:
        review.review(db, requester, s["id"], {"decision": "approve"}, now=T0 + DAY)
    for s in subs[2:]:
        reject(db, s["id"], T0 + DAY)
    appealed = review.appeal(db, worker, subs[2]["id"], "I did read it.")
    admin, _ = f.user(db, "admin", password=None)
    review.decide_appeal(db, admin, appealed["id"], "overturn", "", now=T0 + 3 * DAY)

    record = record_of(db, project_id, T0 + 4 * DAY)
    assert record["reviewed"] == 4
    # Two of four rejected, one of them overturned since: 50%, not the 25% of what is
    # still rejected now.
    assert record["rejected"] == 2 and record["rejection_rate"] == 0.5
    assert record["rejections_overturned"] == 1
    assert record["appeals_decided"] == 1 and record["appeal_overturn_rate"] == 1.0
    # Rejected work is not waiting to be paid; the overturned one is.
    assert record["oldest_unpaid_days"] == 4.0


def rated_project(db, workers):
    """A project worked on by ``workers`` new workers (one task each)."""
    requester, _ = f.user(db, "requester", password=None)
    project_id = f.project(db, requester, items=workers, overlap=1)
    people = [f.consented_worker(db, project_id, password=None)[0] for _ in range(workers)]
    for person in people:
        assert do_task(db, person, project_id, T0 - DAY, 30) is not None
    return project_id, people


def rating(clarity, fairness, pay):
    return {"clarity": clarity, "fairness": fairness, "pay": pay}


def test_four_ratings_show_no_average_and_five_do(db):
    project_id, people = rated_project(db, MIN_RATERS)
    given = [rating(5, 4, 3), rating(4, 4, 3), rating(4, 3, 2), rating(3, 5, 4), rating(4, 4, 3)]
    for person, body in zip(people[:4], given, strict=False):
        voice.rate(db, person, project_id, body, now=T0)
    four = record_of(db, project_id, T0 + WEEK)["ratings"]
    assert four["enough"] is False
    assert (four["raters"], four["clarity"], four["fairness"], four["pay"]) == (None,) * 4

    voice.rate(db, people[4], project_id, given[4], now=T0)
    five = record_of(db, project_id, T0 + WEEK)["ratings"]
    assert five["enough"] is True and five["raters"] == 5
    assert (five["clarity"], five["fairness"], five["pay"]) == (4.0, 4.0, 3.0)


def test_a_raters_identity_is_never_in_the_record(db):
    project_id, people = rated_project(db, MIN_RATERS)
    for n, person in enumerate(people):
        voice.rate(db, person, project_id, rating(1 + n % 5, 3, 3), now=T0)
    record = record_of(db, project_id, T0 + WEEK)
    assert set(record["ratings"]) == {
        "enough",
        "min_raters",
        "raters",
        "clarity",
        "fairness",
        "pay",
        "as_of",
    }
    text = json.dumps(record)
    with db.engine.connect() as conn:
        pseudonyms = list(conn.scalars(select(ProjectWorker.pseudonym)))
    for person in people:
        assert person.email not in text
    for pseudonym in pseudonyms:
        assert pseudonym not in text
    # Another worker reads only their own rating, never someone else's.
    mine = voice.my_rating(db, people[0], project_id, now=T0 + WEEK)
    assert mine["rating"]["clarity"] == 1


def test_ratings_join_the_record_on_the_monday_after_and_changes_too(db):
    """Shown at once, the average's move would tell the requester what the worker who
    just rated said: a week's ratings join together, on the next Monday."""
    project_id, people = rated_project(db, MIN_RATERS)
    for person in people:
        voice.rate(db, person, project_id, rating(4, 4, 4), now=T0)
    assert record_of(db, project_id, T0 + DAY)["ratings"]["enough"] is False
    monday = published_through(T0) + WEEK
    assert record_of(db, project_id, monday)["ratings"]["clarity"] == 4.0

    # A change keeps the old rating in the record until the Monday after the change.
    changed = voice.rate(db, people[0], project_id, rating(1, 4, 4), now=monday + DAY)
    assert changed["in_record_from"] == (monday + WEEK).isoformat()
    assert record_of(db, project_id, monday + 2 * DAY)["ratings"]["clarity"] == 4.0
    assert record_of(db, project_id, monday + WEEK)["ratings"]["clarity"] == 3.4
    # Changed twice in one week: one new rating, the last.
    voice.rate(db, people[0], project_id, rating(2, 4, 4), now=monday + 2 * DAY)
    assert record_of(db, project_id, monday + WEEK)["ratings"]["clarity"] == 3.6
    assert f.row_counts(db)["requester_ratings"] == MIN_RATERS + 1


def test_a_worker_of_two_projects_counts_once_among_the_raters(db):
    requester, _ = f.user(db, "requester", password=None)
    first = f.project(db, requester, items=5, overlap=1)
    second = f.project(db, requester, items=1, overlap=1)
    people = [f.consented_worker(db, first, password=None)[0] for _ in range(4)]
    for person in people:
        do_task(db, person, first, T0 - DAY, 30)
    consent(db, people[0], second)
    do_task(db, people[0], second, T0 - DAY, 30)
    for person in people:
        voice.rate(db, person, first, rating(3, 3, 3), now=T0)
    voice.rate(db, people[0], second, rating(5, 5, 5), now=T0)
    # Five ratings, four workers: not enough.
    assert record_of(db, first, T0 + WEEK)["ratings"]["enough"] is False
