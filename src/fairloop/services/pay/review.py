"""Review with due process: approve, or reject for a listed reason with evidence; the
worker may appeal; an admin decides; an overturned rejection is paid."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fairloop.db.base import utcnow
from fairloop.db.engine import Database
from fairloop.db.models import Appeal, Project, Review, Submission
from fairloop.domain.actors import Actor
from fairloop.domain.pay import to_minor
from fairloop.domain.rejections import REASONS, check_review, too_fast_evidence
from fairloop.errors import Conflict, Forbidden, InvalidInput, NotFound
from fairloop.services import audit
from fairloop.services.access import project_for_requester
from fairloop.services.inbox import post_notice
from fairloop.services.pay import ledger

MAX_APPEAL = 5000


def pay_submission(session: Session, sub: Submission, project: Project, now: datetime) -> bool:
    """Approve ``sub`` and write its task pay, once (the key is the submission)."""
    sub.review_state = "approved"
    sub.reviewed_at = now
    pay = project.spec["pay"]
    return ledger.write(
        session,
        user_id=sub.worker_id,
        project_id=project.id,
        kind="task_pay",
        amount_minor=to_minor(pay["per_task"]),
        currency=pay["currency"],
        key=f"task_pay:submission:{sub.id}",
        memo=f"{project.name}: submission {sub.id}",
    )


def review(
    db: Database,
    actor: Actor,
    submission_id: int,
    body: dict[str, Any],
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """A requester's decision on a pending submission of their own project."""
    decision, reason, evidence = check_review(
        body.get("decision"), body.get("reason"), body.get("evidence")
    )
    now = now or utcnow()
    with db.transaction() as session:
        sub = session.get(Submission, submission_id)
        if sub is None:
            raise NotFound(f"no submission {submission_id}", field="submission_id")
        project = project_for_requester(session, actor, sub.project_id)
        if sub.review_state != "pending":
            raise Conflict(f"the submission is already {sub.review_state}", field="submission_id")
        if reason == "too_fast":
            evidence = _too_fast(session, sub)
        session.add(
            Review(
                submission_id=sub.id,
                reviewer_id=actor.id or None,
                decision=decision,
                reason=reason,
                evidence=evidence,
                created_at=now,
            )
        )
        if decision == "approve":
            pay_submission(session, sub, project, now)
        else:
            sub.review_state = "rejected"
            sub.reviewed_at = now
            post_notice(
                session,
                user_id=sub.worker_id,
                kind="appeal",
                project_id=project.id,
                text=(
                    f"Submission {sub.id} on {project.name} was rejected: "
                    f"{REASONS[reason or ''].label}. You may appeal from your earnings page."
                ),
            )
        audit.record(session, actor, f"submission.{decision}", f"submission:{sub.id}")
        return review_json(sub, reason=reason, evidence=evidence)


def _too_fast(session: Session, sub: Submission) -> str:
    """The server checks "too fast" itself and attaches the figures as evidence."""
    times = list(
        session.scalars(
            select(Submission.active_seconds).where(Submission.project_id == sub.project_id)
        )
    )
    evidence = too_fast_evidence(sub.active_seconds, times)
    if evidence is None:
        raise InvalidInput(
            f"{sub.active_seconds} s is not more than 3 standard deviations under the "
            f"project's mean over {len(times)} submissions (at least 10 needed)",
            field="reason",
        )
    return evidence


def review_json(sub: Submission, **extra: Any) -> dict[str, Any]:
    return {
        "id": sub.id,
        "project_id": sub.project_id,
        "review_state": sub.review_state,
        "reviewed_at": sub.reviewed_at.isoformat() if sub.reviewed_at else None,
        **extra,
    }


def appeal(db: Database, actor: Actor, submission_id: int, text: object) -> dict[str, Any]:
    """The worker's answer to a rejection of their own submission; one per submission."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("text is required: say why the rejection is wrong", field="text")
    if len(text) > MAX_APPEAL:
        raise InvalidInput(f"text is longer than {MAX_APPEAL} characters", field="text")
    with db.transaction() as session:
        sub = session.get(Submission, submission_id)
        if sub is None or sub.worker_id != actor.id:
            # 404 either way: whose work this is stays private.
            raise NotFound(f"no submission {submission_id} of yours", field="submission_id")
        if sub.review_state != "rejected":
            raise Conflict(
                f"only rejected work can be appealed; this is {sub.review_state}",
                field="submission_id",
            )
        if session.scalar(select(Appeal.id).where(Appeal.submission_id == sub.id)):
            raise Conflict("this rejection was appealed already", field="submission_id")
        entry = Appeal(submission_id=sub.id, worker_id=actor.id, text=text.strip(), state="open")
        session.add(entry)
        session.flush()
        audit.record(session, actor, "submission.appeal", f"submission:{sub.id}")
        return appeal_json(entry)


def decide_appeal(
    db: Database,
    actor: Actor,
    appeal_id: int,
    decision: object,
    note: object = "",
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """An admin upholds the rejection or overturns it; an overturn approves and pays."""
    if not actor.is_admin:
        raise Forbidden("only an admin decides appeals", code="not_an_admin")
    if decision not in ("uphold", "overturn"):
        raise InvalidInput('decision must be "uphold" or "overturn"', field="decision")
    if not isinstance(note, str) or len(note) > MAX_APPEAL:
        raise InvalidInput(f"note must be text of at most {MAX_APPEAL} characters", field="note")
    now = now or utcnow()
    with db.transaction() as session:
        entry = session.get(Appeal, appeal_id)
        if entry is None:
            raise NotFound(f"no appeal {appeal_id}", field="appeal_id")
        if entry.state != "open":
            raise Conflict(f"the appeal is already {entry.state}", field="appeal_id")
        sub = session.get(Submission, entry.submission_id)
        project = session.get(Project, sub.project_id) if sub else None
        assert sub is not None and project is not None
        entry.state = "overturned" if decision == "overturn" else "upheld"
        entry.decided_by = actor.id or None
        entry.decision_note = note
        entry.decided_at = now
        if decision == "overturn":
            pay_submission(session, sub, project, now)
        post_notice(
            session,
            user_id=sub.worker_id,
            kind="appeal",
            project_id=project.id,
            text=f"Your appeal on submission {sub.id} ({project.name}) was {entry.state}. {note}",
        )
        audit.record(session, actor, f"appeal.{decision}", f"appeal:{entry.id}")
        return appeal_json(entry)


def appeal_json(entry: Appeal) -> dict[str, Any]:
    return {
        "id": entry.id,
        "submission_id": entry.submission_id,
        "state": entry.state,
        "text": entry.text,
        "decision_note": entry.decision_note,
        "created_at": entry.created_at.isoformat() if entry.created_at else None,
        "decided_at": entry.decided_at.isoformat() if entry.decided_at else None,
    }


def open_appeals(db: Database, actor: Actor) -> list[dict[str, Any]]:
    """Appeals waiting for an admin, oldest first."""
    if not actor.is_admin:
        raise Forbidden("only an admin decides appeals", code="not_an_admin")
    with db.transaction(readonly=True) as session:
        rows = session.scalars(select(Appeal).where(Appeal.state == "open").order_by(Appeal.id))
        return [appeal_json(a) for a in rows]
