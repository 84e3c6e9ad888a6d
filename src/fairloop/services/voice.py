"""Workers' voice: a question thread per project between its workers and its
requester, and workers' anonymous ratings of the requester.

Workers appear in the thread by their per-project pseudonym only. A rating never
leaves the database on its own: the requester record shows averages over at least
:data:`~fairloop.domain.voice.MIN_RATERS` workers, as they stood at the start of the
week (:func:`~fairloop.domain.voice.published_through`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any, TypedDict

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session

from fairloop.db.base import utcnow
from fairloop.db.engine import Database
from fairloop.db.models import (
    Answer,
    Assignment,
    Project,
    ProjectWorker,
    Question,
    RequesterRating,
    Submission,
)
from fairloop.domain.actors import Actor
from fairloop.domain.voice import (
    ANSWERS_PER_HOUR,
    CRITERIA,
    MIN_RATERS,
    QUESTIONS_PER_HOUR,
    check_rating,
    check_text,
    published_through,
    wait_seconds,
)
from fairloop.errors import Forbidden, InvalidInput, NotFound, RateLimited
from fairloop.services import audit
from fairloop.services.access import project_for_anyone, project_for_requester, project_for_worker
from fairloop.services.inbox import post_notice

HOUR = timedelta(hours=1)
MAX_PAGE = 100


# ---- the thread ----


def questions(
    db: Database, actor: Actor, project_id: int, *, cursor: object = None, limit: object = 20
) -> dict[str, Any]:
    """``GET /api/v1/projects/{id}/questions``: newest first, each with its answers;
    ``next_cursor`` gives the page after; for a worker, ``pseudonym`` is the name their
    own questions show (None before consent). For the project's workers and requesters."""
    before, size = _page(cursor, limit)
    with db.transaction(readonly=True) as session:
        project = project_for_anyone(session, actor, project_id)
        items = _thread(session, actor, project.id, before=before, limit=size + 1)
        more = len(items) > size
        items = items[:size]
        mine = _pseudonym(session, project.id, actor.id) if actor.role == "worker" else None
        return {
            "items": items,
            "next_cursor": str(items[-1]["id"]) if more else None,
            "pseudonym": mine,
        }


class TaskPageThread(TypedDict):
    """What the task page shows of the thread (``_questions.html``)."""

    project_id: int
    items: list[dict[str, Any]]
    more: bool
    pseudonym: str | None


def task_page_thread(
    db: Database, actor: Actor, project_id: int, *, limit: int = 5
) -> TaskPageThread:
    """The newest questions of a project for its task page, and the worker's own
    pseudonym (under which a question would be shown)."""
    with db.transaction(readonly=True) as session:
        project = project_for_worker(session, actor, project_id)
        items = _thread(session, actor, project.id, before=None, limit=limit + 1)
        return {
            "project_id": project.id,
            "items": items[:limit],
            "more": len(items) > limit,
            "pseudonym": _pseudonym(session, project.id, actor.id),
        }


def ask(
    db: Database, actor: Actor, project_id: int, text: object, *, now: datetime | None = None
) -> dict[str, Any]:
    """A worker who consented to the project asks its requester, under their
    pseudonym; at most :data:`QUESTIONS_PER_HOUR` an hour."""
    text = check_text(text)
    now = now or utcnow()
    with db.transaction() as session:
        project = project_for_worker(session, actor, project_id)
        worker = session.scalars(
            select(ProjectWorker)
            .where(ProjectWorker.project_id == project.id, ProjectWorker.user_id == actor.id)
            .with_for_update()  # one ask at a time per worker: the rate holds on PostgreSQL
        ).first()
        if worker is None:
            raise Forbidden(
                "consent to the project's disclosure before asking: questions are shown "
                "under the pseudonym consent gives you",
                code="consent_required",
            )
        _check_rate(
            session,
            select(Question.created_at).where(
                Question.project_id == project.id,
                Question.worker_id == actor.id,
                Question.created_at > now - HOUR,
            ),
            now,
            QUESTIONS_PER_HOUR,
            "questions",
        )
        question = Question(project_id=project.id, worker_id=actor.id, text=text, created_at=now)
        session.add(question)
        session.flush()
        _tell_requester(session, project.id, worker.pseudonym, text)
        return _question_json(question, worker.pseudonym, [], mine=True)


def answer(
    db: Database, actor: Actor, question_id: int, text: object, *, now: datetime | None = None
) -> dict[str, Any]:
    """The project's requester answers a question; the worker who asked is told."""
    if actor.role != "requester":
        raise Forbidden("answers come from the project's requester", code="not_a_requester")
    text = check_text(text)
    now = now or utcnow()
    with db.transaction() as session:
        question = session.get(Question, question_id)
        if question is None:
            raise NotFound(f"no question {question_id}", field="question_id")
        try:
            project = project_for_requester(session, actor, question.project_id)
        except NotFound:
            # Another organisation's question: as absent as one that never was.
            raise NotFound(f"no question {question_id}", field="question_id") from None
        _check_rate(
            session,
            select(Answer.created_at)
            .join(Question, Question.id == Answer.question_id)
            .where(
                Question.project_id == project.id,
                Answer.author_id == actor.id,
                Answer.created_at > now - HOUR,
            ),
            now,
            ANSWERS_PER_HOUR,
            "answers",
        )
        reply = Answer(question_id=question.id, author_id=actor.id, text=text, created_at=now)
        session.add(reply)
        session.flush()
        post_notice(
            session,
            user_id=question.worker_id,
            kind="question",
            project_id=project.id,
            text=(
                f"The requester of {project.name} answered your question "
                f"(/work/projects/{project.id}/questions): {text}"
            ),
        )
        audit.record(session, actor, "question.answer", f"question:{question.id}")
        return {"question_id": question.id, "project_id": project.id, **_answer_json(reply)}


def _page(cursor: object, limit: object) -> tuple[int | None, int]:
    before = None
    if cursor not in (None, ""):
        if not isinstance(cursor, str) or not cursor.isdigit() or len(cursor) > 18:
            raise InvalidInput("cursor must be the next_cursor of the page before", field="cursor")
        before = int(cursor)
    if isinstance(limit, str) and limit.isdigit() and len(limit) < 4:
        limit = int(limit)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be a whole number from 1 to {MAX_PAGE}", field="limit")
    return before, limit


def _thread(
    session: Session, actor: Actor, project_id: int, *, before: int | None, limit: int
) -> list[dict[str, Any]]:
    query = (
        select(Question, ProjectWorker.pseudonym)
        .outerjoin(
            ProjectWorker,
            (ProjectWorker.project_id == Question.project_id)
            & (ProjectWorker.user_id == Question.worker_id),
        )
        .where(Question.project_id == project_id)
        .order_by(Question.id.desc())
        .limit(limit)
    )
    if before is not None:
        query = query.where(Question.id < before)
    rows = session.execute(query).all()
    answers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if rows:
        for reply in session.scalars(
            select(Answer)
            .where(Answer.question_id.in_([q.id for q, _ in rows]))
            .order_by(Answer.id)
        ):
            answers[reply.question_id].append(_answer_json(reply))
    mine = actor.role == "worker"
    return [
        _question_json(q, pseudonym, answers[q.id], mine=mine and q.worker_id == actor.id)
        for q, pseudonym in rows
    ]


def _question_json(
    q: Question, pseudonym: str | None, answers: list[dict[str, Any]], *, mine: bool
) -> dict[str, Any]:
    # The pseudonym, never the account: no worker id or email leaves here.
    return {
        "id": q.id,
        "pseudonym": pseudonym or "a former worker",
        "mine": mine,
        "text": q.text,
        "created_at": q.created_at.isoformat(),
        "answers": answers,
    }


def _answer_json(a: Answer) -> dict[str, Any]:
    return {"id": a.id, "by": "requester", "text": a.text, "created_at": a.created_at.isoformat()}


def _pseudonym(session: Session, project_id: int, user_id: int) -> str | None:
    return session.scalar(
        select(ProjectWorker.pseudonym).where(
            ProjectWorker.project_id == project_id, ProjectWorker.user_id == user_id
        )
    )


def _check_rate(session: Session, times: Select[Any], now: datetime, most: int, what: str) -> None:
    """RateLimited when ``times`` (posting times within the last hour) holds ``most``."""
    recent = sorted(session.scalars(times))  # at most ``most``: the rest were refused
    if len(recent) >= most:
        wait = wait_seconds(recent[0], now, HOUR)
        raise RateLimited(
            f"at most {most} {what} an hour on a project; try again in {wait // 60 + 1} minutes",
            field="text",
        )


def _tell_requester(session: Session, project_id: int, pseudonym: str, text: str) -> None:
    """A notice to whoever created the project, so a question does not wait unseen."""
    project = session.get(Project, project_id)
    if project is not None and project.created_by is not None:
        post_notice(
            session,
            user_id=project.created_by,
            kind="question",
            project_id=project.id,
            # The path in the text: the inbox links a notice to the worker's page.
            text=(
                f"{pseudonym} asked on {project.name} "
                f"(answer at /projects/{project.id}/questions): {text}"
            ),
        )


# ---- ratings ----


def my_rating(
    db: Database, actor: Actor, project_id: int, *, now: datetime | None = None
) -> dict[str, Any]:
    """``GET /api/v1/projects/{id}/rating``: the worker's own rating of the project's
    requester (or null), and whether they may rate (after working on the project)."""
    now = now or utcnow()
    with db.transaction(readonly=True) as session:
        project = project_for_worker(session, actor, project_id)
        current = _latest(session, project.id, actor.id)
        return {
            "project_id": project.id,
            "may_rate": _worked_on(session, project.id, actor.id, now),
            "rating": _rating_json(current) if current else None,
        }


def rate(
    db: Database, actor: Actor, project_id: int, body: Any, *, now: datetime | None = None
) -> dict[str, Any]:
    """``PUT /api/v1/projects/{id}/rating``: rate (or re-rate) the requester of a
    project the worker worked on, 1-5 on clarity, fairness of review and pay."""
    if actor.role != "worker":
        raise Forbidden("workers rate requesters", code="not_a_worker")
    rating = check_rating(body)
    now = now or utcnow()
    with db.transaction() as session:
        project = project_for_worker(session, actor, project_id)
        if not _worked_on(session, project.id, actor.id, now):
            raise Forbidden(
                "rate a requester after working on its project: submit a task, or "
                "finish or give back one",
                code="not_worked_here",
            )
        row = _latest(session, project.id, actor.id)
        if row is None or row.created_at < published_through(now):
            # The record may show the earlier rating: keep it, add this week's.
            row = RequesterRating(project_id=project.id, worker_id=actor.id, created_at=now)
            session.add(row)
        for name, value in rating.items():
            setattr(row, name, value)
        row.updated_at = now
        session.flush()
        return {"project_id": project.id, **_rating_json(row)}


def _latest(session: Session, project_id: int, worker_id: int) -> RequesterRating | None:
    return session.scalars(
        select(RequesterRating)
        .where(RequesterRating.project_id == project_id, RequesterRating.worker_id == worker_id)
        .order_by(RequesterRating.id.desc())
        .limit(1)
    ).first()


def _worked_on(session: Session, project_id: int, worker_id: int, now: datetime) -> bool:
    """At least one submission, or an assignment that ended (given back, or run out)."""
    submitted = exists().where(
        Submission.project_id == project_id, Submission.worker_id == worker_id
    )
    ended = exists().where(
        Assignment.project_id == project_id,
        Assignment.worker_id == worker_id,
        or_(Assignment.state != "leased", Assignment.lease_expires_at <= now),
    )
    return bool(session.scalar(select(or_(submitted, ended))))


def _rating_json(row: RequesterRating) -> dict[str, Any]:
    # A rating given in one week joins the record on the next Monday.
    joins = published_through(row.created_at) + timedelta(days=7)
    return {
        **{name: getattr(row, name) for name in CRITERIA},
        "updated_at": row.updated_at.isoformat(),
        "in_record_from": joins.isoformat(),
    }


class RatingSummary(TypedDict):
    """Workers' ratings of a requester, as the record shows them: averages only over
    at least ``min_raters`` distinct workers, else every figure None."""

    enough: bool
    min_raters: int
    raters: int | None
    clarity: float | None
    fairness: float | None
    pay: float | None
    as_of: str


def rating_summary(session: Session, org_id: int, *, now: datetime) -> RatingSummary:
    """The averages of the organisation's ratings as they stood at the start of this
    week (each worker's latest rating per project); none under ``MIN_RATERS`` raters."""
    cutoff = published_through(now)
    latest = (
        select(func.max(RequesterRating.id))
        .join(Project, Project.id == RequesterRating.project_id)
        .where(Project.org_id == org_id, RequesterRating.created_at < cutoff)
        .group_by(RequesterRating.project_id, RequesterRating.worker_id)
    )
    raters, clarity, fairness, pay = session.execute(
        select(
            func.count(func.distinct(RequesterRating.worker_id)),
            func.avg(RequesterRating.clarity),
            func.avg(RequesterRating.fairness),
            func.avg(RequesterRating.pay),
        ).where(RequesterRating.id.in_(latest))
    ).one()
    enough = int(raters or 0) >= MIN_RATERS
    return {
        "enough": enough,
        "min_raters": MIN_RATERS,
        # Below the threshold not even the count is shown.
        "raters": int(raters) if enough else None,
        "clarity": round(float(clarity), 1) if enough else None,
        "fairness": round(float(fairness), 1) if enough else None,
        "pay": round(float(pay), 1) if enough else None,
        "as_of": cutoff.isoformat(),
    }
