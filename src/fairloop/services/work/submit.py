"""Submissions: the worker's answer, stored once per Idempotency-Key.

On the hot path like the lease: Core statements built once, no ORM objects.
"""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, and_, bindparam, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from fairloop.db.base import utcnow
from fairloop.db.engine import Database
from fairloop.db.models import Assignment, Consent, Item, Project, Submission, User
from fairloop.domain.actors import Actor
from fairloop.domain.answers import validate_answer
from fairloop.domain.pay import reported_seconds
from fairloop.domain.specs import parse_task
from fairloop.errors import BadRequest, Conflict, Forbidden
from fairloop.services.access import check_leased, check_owner
from fairloop.services.work import worktime
from fairloop.services.work.answer_refs import check_references
from fairloop.services.work.rows import CountedItem, StoredSubmission, SubmitAssignment
from fairloop.services.work.scoring import after_counted

_COLUMNS = (
    Submission.id,
    Submission.assignment_id,
    Submission.project_id,
    Submission.item_id,
    Submission.answer,
    Submission.active_seconds,
    Submission.submitted_at,
    Submission.late,
    Submission.counted,
    Submission.review_state,
)
_BY_KEY = select(*_COLUMNS).where(
    Submission.worker_id == bindparam("worker_id"), Submission.idempotency_key == bindparam("key")
)
_ASSIGNMENT = (
    select(
        Assignment.id,
        Assignment.worker_id,
        Assignment.item_id,
        Assignment.state,
        Assignment.leased_at,
        Assignment.lease_expires_at,
        Assignment.shown,
        Assignment.kind,
        Assignment.worker_id,
        Assignment.heartbeat_ms,
        Assignment.heartbeat_at,
        Assignment.page_ms,
        Project.id.label("project_id"),
        Project.overlap,
        Project.lease_minutes,
        Project.spec,
        # Whether this key was used before: read with the assignment, so the common case
        # (a first submission) costs no statement of its own.
        select(Submission.id)
        .where(
            Submission.worker_id == bindparam("worker_id"),
            Submission.idempotency_key == bindparam("key"),
        )
        .scalar_subquery()
        .label("earlier_id"),
        # Whether the worker may hand the answer in: consent to the disclosure as it stands
        # now, and none withdrawn since the lease was taken (an old lease is not a side
        # door past a changed disclosure or a withdrawal). Read with the assignment too.
        and_(
            select(Consent.id)
            .where(
                Consent.project_id == Project.id,
                Consent.user_id == Assignment.worker_id,
                Consent.disclosure_version == Project.disclosure_version,
                Consent.withdrawn_at.is_(None),
            )
            .exists(),
            ~select(Consent.id)
            .where(
                Consent.project_id == Project.id,
                Consent.user_id == Assignment.worker_id,
                Consent.withdrawn_at > Assignment.leased_at,
            )
            .exists(),
        ).label("consented"),
        Project.disclosure_version,
        # The worker's credited-through clock (parallel leases share the wall time), read
        # and locked with the assignment.
        User.worktime_through.label("through"),
    )
    .join(Project, Project.id == Assignment.project_id)
    .join(User, User.id == Assignment.worker_id)
)
_BY_ID = _ASSIGNMENT.where(Assignment.id == bindparam("assignment_id"))
_BY_ID_LOCKED = _BY_ID.with_for_update(of=(Assignment, User))
# Task items count only while under what they want; gold and qualification items
# have no overlap (each worker answers each once).
_COUNT_IN = (
    update(Item)
    .where(
        Item.id == bindparam("item_id"),
        or_(Item.kind != "task", Item.submission_count < Item.wanted),
    )
    .values(submission_count=Item.submission_count + 1)
    .returning(Item.kind, Item.gold, Item.wanted)
)
_CLOSE = (
    update(Assignment)
    .where(Assignment.id == bindparam("assignment_id"))
    .values(state="submitted", ended_at=bindparam("now"), active_seconds=bindparam("seconds"))
)
_RELEASE = _CLOSE.values(state="released")


def submission_json(row: StoredSubmission) -> dict[str, Any]:
    return {
        "id": row.id,
        "assignment_id": row.assignment_id,
        "project_id": row.project_id,
        "item_id": row.item_id,
        "answer": row.answer,
        "active_seconds": row.active_seconds,
        "submitted_at": row.submitted_at.isoformat(),
        "late": row.late,
        "counted": row.counted,
        "review_state": row.review_state,
    }


def _check_key(key: str | None) -> str:
    if key is None or not key.strip():
        raise BadRequest("the Idempotency-Key header is required", field="Idempotency-Key")
    if len(key) > 200:
        raise BadRequest("Idempotency-Key is longer than 200 characters", field="Idempotency-Key")
    return key.strip()


def _replay(
    session: Connection, actor: Actor, key: str, assignment_id: int
) -> StoredSubmission | None:
    earlier = session.execute(_BY_KEY, {"worker_id": actor.id, "key": key}).first()
    if earlier is not None and earlier.assignment_id != assignment_id:
        raise Conflict(
            "this Idempotency-Key was used for another assignment", field="Idempotency-Key"
        )
    return earlier


def submit(
    db: Database,
    actor: Actor,
    assignment_id: int,
    answer: Any,
    *,
    active_seconds: object,
    idempotency_key: str | None,
    now: datetime | None = None,
) -> tuple[dict[str, Any], bool]:
    """Store the answer; returns (submission, replayed). A replay stores nothing."""
    key = _check_key(idempotency_key)
    seconds = reported_seconds(active_seconds)
    try:
        return _submit(db, actor, assignment_id, answer, seconds, key, now or utcnow())
    except IntegrityError:
        # A concurrent replay of the same key won the race: answer as a replay.
        with db.core_transaction(readonly=True) as conn:
            earlier = _replay(conn, actor, key, assignment_id)
            if earlier is None:
                raise
            return submission_json(earlier), True


def _submit(
    db: Database,
    actor: Actor,
    assignment_id: int,
    answer: Any,
    claimed: int,
    key: str,
    now: datetime,
) -> tuple[dict[str, Any], bool]:
    with db.core_transaction() as session:
        # Lock first: a concurrent replay waits here, then finds the stored submission.
        params = {"assignment_id": assignment_id, "worker_id": actor.id, "key": key}
        found = session.execute(_BY_ID_LOCKED if db.is_postgres else _BY_ID, params).first()
        a: SubmitAssignment = check_owner(found, actor, assignment_id)
        # An ended assignment is looked up again: on PostgreSQL a replay that waited for
        # the lock still has the snapshot from before the first submission committed.
        if a.earlier_id is not None or a.state != "leased":
            earlier = _replay(session, actor, key, assignment_id)
            if earlier is not None:
                return submission_json(earlier), True
        check_leased(a)
        if a.consented:
            return _store(session, actor, a, answer, claimed, key, now)
        # The lease ends with its time paid (as a submission would have been credited),
        # and the item goes back; the refusal is raised once that is committed.
        seconds = worktime.ended_seconds_after(
            session, a, through=a.through, claimed=claimed, now=now
        )
        session.execute(_RELEASE, {"assignment_id": a.id, "now": now, "seconds": seconds})
    raise Forbidden(
        f"consent to the project's disclosure as it stands (version {a.disclosure_version}) "
        "is needed to hand in work: the disclosure changed or consent was withdrawn after "
        f"this lease was taken. The lease is given back and its {seconds} s are paid.",
        code="consent_required",
        field="assignment_id",
    )


def _store(
    session: Connection,
    actor: Actor,
    a: SubmitAssignment,
    answer: Any,
    claimed: int,
    key: str,
    now: datetime,
) -> tuple[dict[str, Any], bool]:
    """Store the answer of a consented worker and close the assignment."""
    stored = validate_answer(answer, parse_task(a.spec["task"]), shown=a.shown)
    check_references(session, a, stored)
    # Counted only while the item is under its overlap: late work beyond it is paid
    # but never makes an item exceed its overlap.
    item: CountedItem | None = session.execute(_COUNT_IN, {"item_id": a.item_id}).first()
    counted = item is not None
    seconds = worktime.ended_seconds_after(session, a, through=a.through, claimed=claimed, now=now)
    session.execute(_CLOSE, {"assignment_id": a.id, "now": now, "seconds": seconds})
    row = {
        "assignment_id": a.id,
        "project_id": a.project_id,
        "item_id": a.item_id,
        "worker_id": actor.id,
        "idempotency_key": key,
        "answer": stored,
        "active_seconds": seconds,
        "submitted_at": now,
        "late": a.lease_expires_at <= now,
        "counted": counted,
        # Test answers (qualification, training, screening) are scored, paid at
        # the floor, and never reviewed, rejected or exported.
        "review_state": "pending" if a.kind == "task" else "test",
    }
    row["id"] = session.execute(insert(Submission).returning(Submission.id), row).scalar_one()
    if item is not None:
        after_counted(session, a, item, stored, now)
    return submission_json(SimpleNamespace(**row)), False
