"""Review with due process: approve, or reject for a listed reason with evidence the
server checks against the stored work; nothing is rejectable after its auto-approval
deadline; the worker may appeal; an admin outside the requester's organisation
decides, or the appeal is decided for the worker at its deadline; an overturned
rejection is paid.

What is due is written when anyone looks, not only when settlement runs:
:func:`decide_due` approves work past its deadline and decides appeals past theirs;
the worker's earnings, the admin's list of appeals and a late decision call it first,
a late review approves the work itself, and settlement calls
:func:`decide_overdue_appeals`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Connection, Select, func, select, update
from sqlalchemy.orm import Session

from fairloop.db.base import utcnow
from fairloop.db.engine import Database
from fairloop.db.models import (
    Appeal,
    Consent,
    Item,
    Membership,
    Project,
    ProjectWorker,
    Review,
    Submission,
)
from fairloop.domain.actors import Actor
from fairloop.domain.pay import AUTO_APPROVE_DAYS, to_minor
from fairloop.domain.rejections import (
    MIN_DECISION_NOTE,
    REASONS,
    Claim,
    GoldCheck,
    appeal_deadline,
    check_review,
    failed_checks_evidence,
    low_effort_evidence,
    missing_parts_evidence,
    review_deadline,
    too_fast_evidence,
)
from fairloop.domain.scheduling import matches_gold
from fairloop.errors import Conflict, Forbidden, InvalidInput, NotFound
from fairloop.services import audit, inbox
from fairloop.services.access import project_for_requester
from fairloop.services.pay import ledger
from fairloop.settings import get_settings

MAX_APPEAL = 5000
SETTLE_LOCK = 7_270_005
"""Settlement's advisory lock (``settle.SETTLE_LOCK``; settle imports this module)."""


def approve_days(spec: dict[str, Any]) -> int:
    return int(spec.get("auto_approve_days", AUTO_APPROVE_DAYS))


def appeal_days() -> int:
    return get_settings().appeal_deadline_days


def _task_pay(
    conn: ledger.Conn, *, worker_id: int, project_id: int, name: str, spec: dict[str, Any], sid: int
) -> bool:
    """The task pay of submission ``sid``, once (the key is the submission)."""
    pay = spec["pay"]
    return ledger.write(
        conn,
        user_id=worker_id,
        project_id=project_id,
        kind="task_pay",
        amount_minor=to_minor(pay["per_task"]),
        currency=pay["currency"],
        key=f"task_pay:submission:{sid}",
        memo=f"{name}: submission {sid}",
    )


def pay_submission(session: Session, sub: Submission, project: Project, now: datetime) -> bool:
    """Approve ``sub`` and write its task pay, once."""
    sub.review_state = "approved"
    sub.reviewed_at = now
    return _task_pay(
        session,
        worker_id=sub.worker_id,
        project_id=project.id,
        name=project.name,
        spec=project.spec,
        sid=sub.id,
    )


def review(
    db: Database,
    actor: Actor,
    submission_id: int,
    body: dict[str, Any],
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """A requester's decision on a pending submission of their own project.

    From the submission's auto-approval deadline (``submitted_at`` plus the project's
    ``auto_approve_days``) the work is approved, whether or not settlement has run: an
    approval then changes nothing, and a rejection is refused (409
    ``review_deadline_passed``). Either way the work is approved and paid as of the
    deadline if nothing had done it yet.
    """
    decision, reason, claim = check_review(
        body.get("decision"), body.get("reason"), body.get("evidence")
    )
    now = now or utcnow()
    decide_due(db, now=now, submission_id=submission_id)  # in its own transaction
    approve_withdrawn(db, submission_id=submission_id)  # likewise
    with db.transaction() as session:
        sub = session.get(Submission, submission_id, with_for_update=True)
        try:
            if sub is None:
                raise NotFound("", field="submission_id")
            project = project_for_requester(session, actor, sub.project_id)
        except NotFound:
            # One answer for an unknown id and another organisation's: before, the
            # second said "no project 8", telling that submission 42 exists.
            raise NotFound(f"no submission {submission_id}", field="submission_id") from None
        _refuse_test_answers(session, sub)
        deadline = review_deadline(sub.submitted_at, approve_days(project.spec))
        withdrawn = _withdrawn_since(session, sub)
        if withdrawn is not None:
            _after_withdrawal(session, sub, project, decision, withdrawn)
            return review_json(sub, approval_due_at=deadline)
        if now >= deadline:
            _after_deadline(session, sub, project, decision, deadline)
            return review_json(sub, approval_due_at=deadline)
        result = _decide(session, actor, sub, project, decision, reason, claim, now)
        return {**result, "approval_due_at": deadline.isoformat()}


def _after_deadline(
    session: Session, sub: Submission, project: Project, decision: str, deadline: datetime
) -> None:
    """Work past its deadline is approved (by :func:`decide_due`, or here if it raced
    it); an approval is then a no-op, a rejection refused."""
    if sub.review_state == "pending":
        pay_submission(session, sub, project, deadline)
    if decision == "approve" and sub.review_state == "approved":
        return
    if sub.review_state != "approved":  # rejected (and appealable) before its deadline
        raise Conflict(f"the submission is already {sub.review_state}", field="submission_id")
    raise Conflict(
        f"submission {sub.id} was due for approval on {deadline:%Y-%m-%d %H:%M} UTC "
        f"({approve_days(project.spec)} days after it was submitted) and is approved and "
        "paid: work cannot be rejected after its auto-approval deadline",
        field="submission_id",
        code="review_deadline_passed",
    )


def _withdrawn_since(session: Session, sub: Submission) -> datetime | None:
    """When the worker withdrew consent to the project after submitting ``sub``, or None."""
    return session.scalar(select(_WITHDRAWN_AT).where(Submission.id == sub.id))


def _after_withdrawal(
    session: Session, sub: Submission, project: Project, decision: str, withdrawn: datetime
) -> None:
    """Work a worker handed in before withdrawing consent is approved and paid as of
    the withdrawal (by :func:`approve_on_withdrawal` or :func:`approve_withdrawn`, or
    here if it raced them); an approval is then a no-op, a rejection refused."""
    if sub.review_state == "pending":
        pay_submission(session, sub, project, withdrawn)
    if decision == "approve" and sub.review_state == "approved":
        return
    if sub.review_state != "approved":  # rejected (and appealable) before the withdrawal
        raise Conflict(f"the submission is already {sub.review_state}", field="submission_id")
    raise Conflict(
        f"the worker withdrew consent on {withdrawn:%Y-%m-%d %H:%M} UTC: work handed in "
        "before a withdrawal is approved and paid, and cannot be rejected",
        field="submission_id",
        code="consent_withdrawn",
    )


def approve_withdrawn(db: Database, *, submission_id: int) -> int:
    """Approve and pay ``submission_id`` if it is pending and its worker withdrew
    consent after handing it in (a withdrawal recorded before withdrawals approved
    pending work): as of the withdrawal. Looks first without the write lock."""
    query = _scoped(_PENDING_WITHDRAWN, submission_id=submission_id)
    with db.core_transaction(readonly=True) as conn:
        if conn.execute(query).first() is None:
            return 0
    with db.core_transaction() as conn:
        if db.is_postgres:
            conn.execute(select(func.pg_advisory_xact_lock(SETTLE_LOCK)))
        rows = list(conn.execute(query))
        return sum(_approve(conn, row, was="pending", at=row.withdrawn_at) for row in rows)


def approve_on_withdrawal(
    conn: Connection, *, worker_id: int, project_id: int, now: datetime
) -> int:
    """Approve and pay a worker's pending work on a project as they withdraw consent:
    no one may reject work whose author has left. Returns how many."""
    rows: list[_Due] = list(
        conn.execute(_scoped(_PENDING, worker_id=worker_id, project_id=project_id))
    )
    return sum(_approve(conn, row, was="pending", at=now) for row in rows)


def _decide(
    session: Session,
    actor: Actor,
    sub: Submission,
    project: Project,
    decision: str,
    reason: str | None,
    claim: Claim,
    now: datetime,
) -> dict[str, Any]:
    if sub.review_state != "pending":
        raise Conflict(f"the submission is already {sub.review_state}", field="submission_id")
    evidence = claim.note
    if reason is not None:
        evidence = _evidence(session, sub, project, reason, claim)
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
        _reject(session, sub, project, reason or "", now)
    audit.record(session, actor, f"submission.{decision}", f"submission:{sub.id}")
    return review_json(sub, reason=reason, evidence=evidence)


def _refuse_test_answers(session: Session, sub: Submission) -> None:
    kind = session.scalar(select(Item.kind).where(Item.id == sub.item_id))
    if kind == "qualification":
        raise Conflict(
            "answers to the qualification test are paid at the floor and never reviewed",
            field="submission_id",
            code="not_reviewable",
        )


def _reject(
    session: Session, sub: Submission, project: Project, reason: str, now: datetime
) -> None:
    sub.review_state = "rejected"
    sub.reviewed_at = now
    inbox.post_notice(
        session,
        user_id=sub.worker_id,
        kind="appeal",
        project_id=project.id,
        text=(
            f"Submission {sub.id} on {project.name} was rejected: {REASONS[reason].label}. "
            "You may appeal from your earnings page: an admin outside the requester's "
            f"organisation decides within {appeal_days()} days, or the appeal is decided "
            "for you and the work paid."
        ),
    )


def _evidence(
    session: Session, sub: Submission, project: Project, reason: str, claim: Claim
) -> str:
    """The evidence as stored and shown to the worker, found or checked by the server."""
    if reason == "too_fast":
        return _too_fast(session, sub)
    if reason == "failed_checks":
        return _failed_checks(session, sub, project)
    if reason == "low_effort":
        return low_effort_evidence(sub.answer, claim)
    return missing_parts_evidence(sub.answer, claim)


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


def _failed_checks(session: Session, sub: Submission, project: Project) -> str:
    """The gold item this submission answers, scored by the server: only a gold check
    the worker failed is evidence, and only for the answer that failed it."""
    item = session.get(Item, sub.item_id)
    assert item is not None
    name = f'"{item.external_id}"' if item.external_id else f"#{item.id}"
    check = None
    if item.gold is not None and item.kind != "qualification":
        passed = matches_gold(project.spec["task"], sub.answer, item.gold)
        check = GoldCheck(item=name, expected=item.gold, given=sub.answer, passed=passed)
    record = session.execute(
        select(ProjectWorker.gold_correct, ProjectWorker.gold_answered).where(
            ProjectWorker.project_id == project.id, ProjectWorker.user_id == sub.worker_id
        )
    ).first()
    right, answered = (int(record[0] or 0), int(record[1] or 0)) if record else (0, 0)
    evidence = failed_checks_evidence(check, passed=right, answered=answered)
    if evidence is not None:
        return evidence
    if check is not None:
        raise InvalidInput(
            f"the answer to gold item {name} matches its known answer: no check was failed",
            field="reason",
        )
    golds = session.scalar(
        select(Item.id)
        .where(Item.project_id == project.id, Item.gold.is_not(None), Item.kind != "qualification")
        .limit(1)
    )
    where = "this project has no gold items" if golds is None else f"item {name} is not one"
    raise InvalidInput(
        "'failed_checks' needs a gold item (one with a known answer) that this answer "
        f"failed, found by the server; {where}",
        field="reason",
    )


def review_json(sub: Submission, **extra: Any) -> dict[str, Any]:
    out = {
        "id": sub.id,
        "project_id": sub.project_id,
        "review_state": sub.review_state,
        "reviewed_at": sub.reviewed_at.isoformat() if sub.reviewed_at else None,
        **extra,
    }
    for key, value in out.items():
        if isinstance(value, datetime):
            out[key] = value.isoformat()
    return out


def appeal(
    db: Database, actor: Actor, submission_id: int, text: object, *, now: datetime | None = None
) -> dict[str, Any]:
    """The worker's answer to a rejection of their own submission; one per submission."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("text is required: say why the rejection is wrong", field="text")
    if len(text) > MAX_APPEAL:
        raise InvalidInput(f"text is longer than {MAX_APPEAL} characters", field="text")
    now = now or utcnow()
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
        entry = Appeal(
            submission_id=sub.id,
            worker_id=actor.id,
            text=text.strip(),
            state="open",
            created_at=now,
        )
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
    """An admin outside the requester's organisation upholds the rejection (saying why)
    or overturns it (which approves and pays). An appeal past its deadline was decided
    for the worker already (409 ``appeal_closed``)."""
    if not actor.is_admin:
        raise Forbidden("only an admin decides appeals", code="not_an_admin")
    if decision not in ("uphold", "overturn"):
        raise InvalidInput('decision must be "uphold" or "overturn"', field="decision")
    if not isinstance(note, str) or len(note) > MAX_APPEAL:
        raise InvalidInput(f"note must be text of at most {MAX_APPEAL} characters", field="note")
    note = note.strip()
    if decision == "uphold" and len(note) < MIN_DECISION_NOTE:
        raise InvalidInput(
            f"upholding a rejection needs a note of at least {MIN_DECISION_NOTE} characters: "
            "the worker is told why",
            field="note",
        )
    now = now or utcnow()
    decide_due(db, now=now, appeal_id=appeal_id)
    with db.transaction() as session:
        entry = session.get(Appeal, appeal_id, with_for_update=True)
        if entry is None:
            raise NotFound(f"no appeal {appeal_id}", field="appeal_id")
        sub = session.get(Submission, entry.submission_id)
        project = session.get(Project, sub.project_id) if sub else None
        assert sub is not None and project is not None
        _check_independent(session, actor, project, sub)
        if entry.state != "open":
            by = decider(entry.state, entry.decided_by, entry.decision_note)
            raise Conflict(
                f"the appeal is already {entry.state} (decided by "
                + ("its deadline, for the worker)" if by == "deadline" else "an admin)"),
                field="appeal_id",
                code="appeal_closed",
            )
        entry.state = "overturned" if decision == "overturn" else "upheld"
        entry.decided_by = actor.id or None
        entry.decision_note = note
        entry.decided_at = now
        if decision == "overturn":
            pay_submission(session, sub, project, now)
        notice = _decided_notice(sub.id, sub.worker_id, project.id, project.name, entry.state, note)
        inbox.post_notice(session, **notice)
        audit.record(session, actor, f"appeal.{decision}", f"appeal:{entry.id}")
        return appeal_json(entry)


def _check_independent(session: Session, actor: Actor, project: Project, sub: Submission) -> None:
    """The decider is no party to the rejection: not of the project's organisation, and
    not the admin who made the rejection."""
    if not actor.id:  # the CLI operator is no member of any organisation
        return
    member = select(Membership.id).where(
        Membership.user_id == actor.id, Membership.org_id == project.org_id
    )
    if session.scalar(member) is not None:
        raise Forbidden(
            f"you are a member of the organisation that runs {project.name}, whose "
            "rejection this appeal contests: an admin outside it decides",
            code="not_independent",
        )
    rejected = select(Review.id).where(
        Review.submission_id == sub.id, Review.reviewer_id == actor.id, Review.decision == "reject"
    )
    if session.scalar(rejected) is not None:
        raise Forbidden(
            "you made this rejection: another admin decides its appeal", code="not_independent"
        )


def _decided_notice(
    sid: int, worker_id: int, project_id: int, name: str, state: str, note: str
) -> inbox.NoticeIn:
    return {
        "user_id": worker_id,
        "kind": "appeal",
        "project_id": project_id,
        "text": (
            f"Your appeal on submission {sid} ({name}) was {state}"
            + (": the work is approved and paid." if state == "overturned" else ".")
            + (f" {note}" if note else "")
        ),
    }


def appeal_json(entry: Appeal) -> dict[str, Any]:
    deadline = appeal_deadline(entry.created_at, appeal_days()) if entry.created_at else None
    return {
        "id": entry.id,
        "submission_id": entry.submission_id,
        "state": entry.state,
        "text": entry.text,
        "decision_note": entry.decision_note,
        "decided_by": decider(entry.state, entry.decided_by, entry.decision_note),
        "created_at": entry.created_at.isoformat() if entry.created_at else None,
        "deadline": deadline.isoformat() if deadline else None,
        "decided_at": entry.decided_at.isoformat() if entry.decided_at else None,
    }


DEADLINE_NOTE = "No admin decided this appeal within {days} days"


def decider(state: str, decided_by: int | None, note: str) -> str | None:
    """Who decided, as the worker reads it: ``admin``, or ``deadline`` (for them)."""
    if state == "open":
        return None
    by_deadline = decided_by is None and note.startswith(DEADLINE_NOTE.split("{")[0])
    return "deadline" if by_deadline else "admin"


def open_appeals(
    db: Database, actor: Actor, *, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Appeals this admin may decide, oldest first, with the rejection and the answer
    it contests; those past their deadline are decided for the worker first."""
    if not actor.is_admin:
        raise Forbidden("only an admin decides appeals", code="not_an_admin")
    decide_due(db, now=now or utcnow())
    with db.transaction(readonly=True) as session:
        query = (
            select(Appeal, Submission.project_id, Submission.answer, Review.reason, Review.evidence)
            .join(Submission, Submission.id == Appeal.submission_id)
            .join(Project, Project.id == Submission.project_id)
            .outerjoin(
                Review, (Review.submission_id == Submission.id) & (Review.decision == "reject")
            )
            .where(Appeal.state == "open")
            .order_by(Appeal.id)
        )
        if actor.id:
            mine = select(Membership.org_id).where(Membership.user_id == actor.id)
            query = query.where(
                Project.org_id.not_in(mine),
                (Review.reviewer_id.is_(None)) | (Review.reviewer_id != actor.id),
            )
        return [
            {**appeal_json(a), "project_id": p, "answer": answer, "reason": r, "evidence": e}
            for a, p, answer, r, e in session.execute(query)
        ]


# What is due, written when anyone looks.


class _Due(Protocol):
    """A row of :data:`_PENDING` or :data:`_OPEN`."""

    id: int
    sid: int
    worker_id: int
    project_id: int
    name: str
    spec: dict[str, Any]
    at: datetime


_PENDING = (
    select(
        Submission.id,
        Submission.id.label("sid"),
        Submission.worker_id,
        Submission.project_id,
        Project.name,
        Project.spec,
        Submission.submitted_at.label("at"),
    )
    .join(Project, Project.id == Submission.project_id)
    .join(Item, Item.id == Submission.item_id)
    # Answers to the qualification test are paid as test time, never task pay.
    .where(Submission.review_state == "pending", Item.kind != "qualification")
)
_WITHDRAWN_AT = (
    select(func.min(Consent.withdrawn_at))
    .where(
        Consent.project_id == Submission.project_id,
        Consent.user_id == Submission.worker_id,
        Consent.withdrawn_at >= Submission.submitted_at,
    )
    .scalar_subquery()
)
"""When a submission's worker withdrew consent after handing it in (NULL if not)."""
_PENDING_WITHDRAWN = _PENDING.add_columns(_WITHDRAWN_AT.label("withdrawn_at")).where(
    _WITHDRAWN_AT.is_not(None)
)
_OPEN = (
    select(
        Appeal.id,
        Submission.id.label("sid"),
        Submission.worker_id,
        Submission.project_id,
        Project.name,
        Project.spec,
        Appeal.created_at.label("at"),
    )
    .join(Submission, Submission.id == Appeal.submission_id)
    .join(Project, Project.id == Submission.project_id)
    .where(Appeal.state == "open")
)


def decide_due(
    db: Database,
    *,
    now: datetime,
    worker_id: int | None = None,
    submission_id: int | None = None,
    appeal_id: int | None = None,
) -> int:
    """Approve the pending work past its auto-approval deadline (of one worker, or one
    submission) and decide the appeals past theirs for the worker (of that worker, or
    that appeal, or all); returns how many. Looks first without the write lock, so a
    read with nothing due writes nothing."""
    scope = {"worker_id": worker_id, "submission_id": submission_id, "appeal_id": appeal_id}
    approvals = worker_id is not None or submission_id is not None
    with db.core_transaction(readonly=True) as conn:
        due = bool(approvals and _due_approvals(conn, now, **scope))
        if not due and not _overdue_appeals(conn, now, **scope):
            return 0
    with db.core_transaction() as conn:
        if db.is_postgres:
            # Settlement's lock, taken before any row: settlement approves the same work
            # and writes the same keys, and the two must not wait on each other's rows.
            conn.execute(select(func.pg_advisory_xact_lock(SETTLE_LOCK)))
        done = approve_due(conn, now, **scope) if approvals else 0
        return done + decide_overdue_appeals(conn, now, **scope)


def _scoped(query: Select[Any], **scope: int | None) -> Select[Any]:
    if scope.get("worker_id") is not None:
        query = query.where(Submission.worker_id == scope["worker_id"])
    if scope.get("submission_id") is not None:
        query = query.where(Submission.id == scope["submission_id"])
    if scope.get("appeal_id") is not None:
        query = query.where(Appeal.id == scope["appeal_id"])
    if scope.get("project_id") is not None:
        query = query.where(Submission.project_id == scope["project_id"])
    return query


def _due_approvals(conn: Connection, now: datetime, **scope: int | None) -> list[_Due]:
    if scope.get("appeal_id") is not None:
        return []
    rows: list[_Due] = list(conn.execute(_scoped(_PENDING, **scope)))
    return [r for r in rows if review_deadline(r.at, approve_days(r.spec)) <= now]


def _overdue_appeals(conn: Connection, now: datetime, **scope: int | None) -> list[_Due]:
    cutoff = now - timedelta(days=appeal_days())
    return list(conn.execute(_scoped(_OPEN.where(Appeal.created_at <= cutoff), **scope)))


def _approve(conn: Connection, row: _Due, *, was: str, at: datetime) -> bool:
    """Approve submission ``row.sid`` if it is still ``was``, and pay it."""
    done = conn.execute(
        update(Submission)
        .where(Submission.id == row.sid, Submission.review_state == was)
        .values(review_state="approved", reviewed_at=at)
    )
    if done.rowcount != 1:
        return False  # someone else decided it in the meantime
    _task_pay(
        conn,
        worker_id=row.worker_id,
        project_id=row.project_id,
        name=row.name,
        spec=row.spec,
        sid=row.sid,
    )
    return True


def approve_due(conn: Connection, now: datetime, **scope: int | None) -> int:
    """Approve and pay pending work past its auto-approval deadline, approved as of
    the deadline (``reviewed_at``), the moment it was due."""
    done = 0
    for row in _due_approvals(conn, now, **scope):
        at = review_deadline(row.at, approve_days(row.spec))
        done += _approve(conn, row, was="pending", at=at)
    return done


def decide_overdue_appeals(conn: Connection, now: datetime, **scope: int | None) -> int:
    """Overturn every open appeal (in ``scope``: ``project_id``, ``worker_id``,
    ``appeal_id``) that no admin decided within ``appeal_deadline_days``: the work is
    approved and paid, and the worker told. Settlement calls this too."""
    days = appeal_days()
    note = (
        DEADLINE_NOTE.format(days=days)
        + ", so it was decided for you: the rejection is overturned and the work paid."
    )
    notices = []
    for row in _overdue_appeals(conn, now, **scope):
        at = appeal_deadline(row.at, days)
        closed = conn.execute(
            update(Appeal)
            .where(Appeal.id == row.id, Appeal.state == "open")
            .values(state="overturned", decided_by=None, decision_note=note, decided_at=at)
        )
        if closed.rowcount == 1:
            _approve(conn, row, was="rejected", at=at)
            notices.append(
                _decided_notice(
                    row.sid, row.worker_id, row.project_id, row.name, "overturned", note
                )
            )
    inbox.post_notices(conn, notices)
    return len(notices)
