"""Submissions: the worker's answer, stored once per Idempotency-Key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fairloop.db.base import utcnow
from fairloop.db.engine import Database
from fairloop.db.models import Item, Project, Submission
from fairloop.domain.actors import Actor
from fairloop.domain.answers import validate_answer
from fairloop.domain.scheduling import credited_seconds
from fairloop.domain.specs import ProjectSpec
from fairloop.errors import BadRequest, Conflict, InvalidInput
from fairloop.services.assign import own_assignment


def submission_json(sub: Submission) -> dict[str, Any]:
    return {
        "id": sub.id,
        "assignment_id": sub.assignment_id,
        "item_id": sub.item_id,
        "answer": sub.answer,
        "active_seconds": sub.active_seconds,
        "submitted_at": sub.submitted_at.isoformat(),
        "late": sub.late,
        "counted": sub.counted,
        "review_state": sub.review_state,
    }


def _check_key(key: str | None) -> str:
    if key is None or not key.strip():
        raise BadRequest("the Idempotency-Key header is required", field="Idempotency-Key")
    if len(key) > 200:
        raise BadRequest("Idempotency-Key is longer than 200 characters", field="Idempotency-Key")
    return key.strip()


def _replay(session: Session, actor: Actor, key: str, assignment_id: int) -> Submission | None:
    earlier = session.scalars(
        select(Submission).where(
            Submission.worker_id == actor.id, Submission.idempotency_key == key
        )
    ).first()
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
    active_seconds: Any,
    idempotency_key: str | None,
    now: datetime | None = None,
) -> tuple[dict[str, Any], bool]:
    """Store the answer; returns (submission, replayed). A replay stores nothing."""
    key = _check_key(idempotency_key)
    if (
        not isinstance(active_seconds, int)
        or isinstance(active_seconds, bool)
        or active_seconds < 0
    ):
        raise InvalidInput(
            "active_seconds must be a whole number of seconds, 0 or more", field="active_seconds"
        )
    try:
        return _submit(db, actor, assignment_id, answer, active_seconds, key, now or utcnow())
    except IntegrityError:
        # A concurrent replay of the same key won the race: answer as a replay.
        with db.transaction(readonly=True) as session:
            earlier = _replay(session, actor, key, assignment_id)
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
    with db.transaction() as session:
        # Lock first: a concurrent replay waits here, then finds the stored submission.
        assignment = own_assignment(session, actor, assignment_id, lock=True)
        earlier = _replay(session, actor, key, assignment_id)
        if earlier is not None:
            return submission_json(earlier), True
        if assignment.state != "leased":
            raise Conflict(f"the assignment is already {assignment.state}", field="assignment_id")
        project = session.get(Project, assignment.project_id)
        assert project is not None
        stored = validate_answer(answer, ProjectSpec.model_validate(project.spec).task)
        # Counted only while the item is under its overlap: late work beyond it is paid
        # but never makes an item exceed its overlap.
        counted = (
            session.execute(
                update(Item)
                .where(Item.id == assignment.item_id, Item.submission_count < project.overlap)
                .values(submission_count=Item.submission_count + 1)
                .returning(Item.id)
            ).first()
            is not None
        )
        seconds = credited_seconds(
            claimed=claimed,
            leased_at=assignment.leased_at,
            now=now,
            lease_minutes=project.lease_minutes,
        )
        assignment.state = "submitted"
        assignment.ended_at = now
        assignment.active_seconds = seconds
        sub = Submission(
            assignment_id=assignment.id,
            project_id=project.id,
            item_id=assignment.item_id,
            worker_id=actor.id,
            idempotency_key=key,
            answer=stored,
            active_seconds=seconds,
            submitted_at=now,
            late=assignment.lease_expires_at <= now,
            counted=counted,
            review_state="pending",
        )
        session.add(sub)
        session.flush()
        return submission_json(sub), False
