"""The requester record: how a requester has treated work, as a worker reads it
before consenting (on ``/work``, the disclosure page and the project's JSON).

Figures a worker would check, over the requester's recent work:
- a requester none of whose work has been paid out yet is **new**: no figure then
  says how it pays;
- **days to pay** run from submission to the payout entry that paid the work, not to
  approval (approval is a promise; a payout is money);
- the **rejection rate** counts every rejection the requester made, those later
  overturned on appeal included (an overturn shows a rejection was wrong, it does
  not unmake it); the overturned ones are also counted apart;
- workers' **ratings** (clarity, fairness of review, pay) appear only as averages over
  at least five workers (:func:`fairloop.services.voice.rating_summary`).
"""

from __future__ import annotations

import bisect
import statistics
from collections import defaultdict
from datetime import datetime
from typing import Any, TypedDict

from sqlalchemy import String, cast, exists, func, literal, select
from sqlalchemy.orm import Session

from fairloop.db.base import utcnow
from fairloop.db.models import Appeal, LedgerEntry, Project, Review, Submission
from fairloop.services.voice import RatingSummary, rating_summary

RECENT = 5000
"""Submissions the record reads, newest first: a bounded read for a list page."""

DAY = 86400.0


class RequesterRecord(TypedDict):
    """How a requester treats work, as a worker reads it before consenting."""

    new: bool
    """No work of this requester has been paid out yet."""
    reviewed: int
    rejected: int
    """Rejections made, overturned ones included."""
    rejection_rate: float | None
    rejections_overturned: int
    appeals_decided: int
    appeal_overturn_rate: float | None
    paid_out: int
    """Submissions whose pay reached a payout."""
    median_days_to_pay: float | None
    """From submission to the payout that paid it; None while nothing was paid out."""
    oldest_unpaid_days: float | None
    """How long the oldest work not rejected has waited for a payout, as of now."""
    ratings: RatingSummary


def requester_record(
    session: Session, org_id: int, *, now: datetime | None = None
) -> RequesterRecord:
    """The record of the organisation ``org_id``, as of ``now``."""
    now = now or utcnow()
    rows = _recent_work(session, org_id)
    paid_at = _payout_times(session, rows)
    reviewed = [r for r in rows if r.review_state != "pending"]
    rejected = sum(1 for r in reviewed if r.rejected)
    waits = [
        (paid - r.submitted_at).total_seconds() / DAY
        for r in rows
        if (paid := paid_at.get(r.id)) is not None
    ]
    unpaid = [
        (now - r.submitted_at).total_seconds() / DAY
        for r in rows
        if r.review_state != "rejected" and r.id not in paid_at
    ]
    decided, overturned = _appeals(session, org_id)
    return {
        "new": not waits,
        "reviewed": len(reviewed),
        "rejected": rejected,
        "rejection_rate": _rate(rejected, len(reviewed)),
        "rejections_overturned": sum(1 for r in reviewed if r.appeal_state == "overturned"),
        "appeals_decided": decided,
        "appeal_overturn_rate": _rate(overturned, decided),
        "paid_out": len(waits),
        "median_days_to_pay": round(statistics.median(waits), 1) if waits else None,
        "oldest_unpaid_days": round(max(unpaid), 1) if unpaid else None,
        "ratings": rating_summary(session, org_id, now=now),
    }


def _recent_work(session: Session, org_id: int) -> list[Any]:
    """The organisation's recent submissions, each with its task pay entry (if any),
    whether it was ever rejected, and its appeal's state."""
    key = literal("task_pay:submission:") + cast(Submission.id, String)
    ever_rejected = exists().where(
        Review.submission_id == Submission.id, Review.decision == "reject"
    )
    return list(
        session.execute(
            select(
                Submission.id,
                Submission.review_state,
                Submission.submitted_at,
                ever_rejected.label("rejected"),
                Appeal.state.label("appeal_state"),
                LedgerEntry.id.label("entry_id"),
                LedgerEntry.user_id,
                LedgerEntry.currency,
            )
            .join(Project, Project.id == Submission.project_id)
            .outerjoin(Appeal, Appeal.submission_id == Submission.id)
            .outerjoin(LedgerEntry, LedgerEntry.idempotency_key == key)
            .where(Project.org_id == org_id)
            .order_by(Submission.id.desc())
            .limit(RECENT)
        )
    )


def _payout_times(session: Session, rows: list[Any]) -> dict[int, datetime]:
    """{submission: when it was paid out}: the first payout of the worker, in the
    entry's currency, written after the entry (a payout pays the whole balance)."""
    owed = [r for r in rows if r.entry_id is not None]
    if not owed:
        return {}
    ids: dict[tuple[int, str], list[int]] = defaultdict(list)
    times: dict[tuple[int, str], list[datetime]] = defaultdict(list)
    for user_id, currency, entry_id, created_at in session.execute(
        select(LedgerEntry.user_id, LedgerEntry.currency, LedgerEntry.id, LedgerEntry.created_at)
        .where(
            LedgerEntry.kind == "payout",
            LedgerEntry.user_id.in_(sorted({r.user_id for r in owed})),
            LedgerEntry.id > min(r.entry_id for r in owed),
        )
        .order_by(LedgerEntry.id)
    ):
        ids[(user_id, currency)].append(entry_id)
        times[(user_id, currency)].append(created_at)
    paid: dict[int, datetime] = {}
    for r in owed:
        worker = (r.user_id, r.currency)
        i = bisect.bisect_right(ids.get(worker, []), r.entry_id)
        if i < len(ids.get(worker, [])):
            paid[r.id] = times[worker][i]
    return paid


def _appeals(session: Session, org_id: int) -> tuple[int, int]:
    decided, overturned = session.execute(
        select(
            func.count(Appeal.id).filter(Appeal.state != "open"),
            func.count(Appeal.id).filter(Appeal.state == "overturned"),
        )
        .join(Submission, Submission.id == Appeal.submission_id)
        .join(Project, Project.id == Submission.project_id)
        .where(Project.org_id == org_id)
    ).one()
    return int(decided), int(overturned)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None
