"""The qualification test: gold items a worker answers before any work, paid as work.

Its items are leased like any other (same lease shape, same task page), recorded as
assignments of kind ``qualification``; the submit scores them into the attempt.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select

from fairloop.db.base import utcnow
from fairloop.db.engine import Database
from fairloop.db.models import Assignment, Item, QualificationAttempt, Submission
from fairloop.domain import scheduling as rule
from fairloop.domain.actors import Actor
from fairloop.domain.questions import questions
from fairloop.errors import Conflict, NotFound, NotNow
from fairloop.services.access import WORK_VIEW, WorkView, project_for_worker
from fairloop.services.wellbeing import exposure
from fairloop.services.work import assign
from fairloop.services.work import scheduling as sql
from fairloop.services.work.rows import Attempt

_HELD = (
    select(Assignment.id)
    .where(
        Assignment.project_id == sql.P,
        Assignment.worker_id == sql.W,
        Assignment.kind == "qualification",
        sql.LIVE,
    )
    .limit(1)
)


def _rule(project: WorkView) -> rule.QualificationRule:
    q = project.spec.get("qualification")
    if not q:
        raise NotFound("this project has no qualification test", field="project_id")
    return rule.QualificationRule(q["items"], q["pass"], q["retake_after_hours"])


def _attempt(row: Attempt | None) -> rule.Attempt | None:
    if row is None:
        return None
    return rule.Attempt(row.started_at, row.answered, row.correct, row.finished_at)


def status(
    db: Database, actor: Actor, project_id: int, *, now: datetime | None = None
) -> dict[str, Any]:
    """Where the worker stands: passed, in progress, failed (and when to retake)."""
    now = now or utcnow()
    with db.core_transaction(readonly=True) as conn:
        project = project_for_worker(conn, actor, project_id)
        qrule = _rule(project)
        last: Attempt | None = conn.execute(
            sql.LAST_ATTEMPT, {"project_id": project.id, "worker_id": actor.id}
        ).first()
        standing = _status_json(qrule, last, now)
        # Gold answers are shown once the attempt is finished, never while it runs.
        standing["results"] = None
        if last is not None and last.finished_at is not None:
            standing["results"] = _results(conn, project, actor.id, last)
        return standing


_ANSWERS = (
    select(Submission.answer, Item.data, Item.gold)
    .join(Assignment, Assignment.id == Submission.assignment_id)
    .join(Item, Item.id == Submission.item_id)
    .where(
        Submission.project_id == sql.P,
        Submission.worker_id == sql.W,
        Assignment.kind == "qualification",
        Assignment.leased_at >= bindparam("started_at"),
        Submission.submitted_at <= bindparam("finished_at"),
    )
    .order_by(Submission.id)
)


def _results(
    conn: Connection, project: WorkView, worker_id: int, attempt: Attempt
) -> list[dict[str, Any]]:
    """Each answer of the finished ``attempt``: the item, whether it was right, and
    for a wrong one each question answered wrongly with the right answer."""
    task = project.spec["task"]
    params = {
        "project_id": project.id,
        "worker_id": worker_id,
        "started_at": attempt.started_at,
        "finished_at": attempt.finished_at,
    }
    results = []
    for row in conn.execute(_ANSWERS, params):
        gold = row.gold if isinstance(row.gold, dict) else {}
        answer = row.answer if isinstance(row.answer, dict) else {}
        given = {q.name: q.value for q in questions(task, answer)}
        wrong = [
            {**_question(q.name), "given": given.get(q.name), "right": q.value}
            for q in questions(task, gold)
            if given.get(q.name) != q.value
        ]
        results.append({"item": preview(row.data), "correct": not wrong, "wrong": wrong})
    return results


def _question(name: str) -> dict[str, str | None]:
    """``"rating: clarity"`` -> kind rating, name clarity; ``"label: spam"`` (one of
    several labels) -> kind labels; ``"label"`` -> kind label."""
    kind, _sep, detail = name.partition(": ")
    if kind == "label" and detail:
        kind = "labels"
    return {"kind": kind, "name": detail or None}


def preview(data: dict[str, Any], limit: int = 200) -> str:
    """The item as a line of text: its prompt or text, else its first text field."""
    texts = [data.get("prompt"), data.get("text"), *data.values()]
    text = next((t for t in texts if isinstance(t, str) and t.strip()), "")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _status_json(
    qrule: rule.QualificationRule, last: Attempt | None, now: datetime
) -> dict[str, Any]:
    attempt = _attempt(last)
    retake = rule.retake_at(qrule, attempt)
    if last is None:
        state = "not_started"
    elif last.finished_at is None:
        state = "in_progress"
    else:
        state = "passed" if last.passed else "failed"
    return {
        "state": state,
        "items": qrule.items,
        "pass": qrule.pass_mark,
        "answered": last.answered if last is not None else 0,
        "correct": last.correct if last is not None and last.finished_at is not None else None,
        "retake_at": retake.isoformat() if retake is not None and retake > now else None,
    }


def lease_question(
    db: Database, actor: Actor, project_id: int, *, now: datetime | None = None
) -> assign.Lease | None:
    """Lease the worker's next qualification item, starting an attempt if needed.
    None when the attempt has every item answered."""
    now = now or utcnow()
    with db.core_transaction() as conn:
        view = assign.WORK_VIEW_LOCKED if db.is_postgres else WORK_VIEW
        project = project_for_worker(conn, actor, project_id, query=view)
        qrule = _rule(project)
        assign.check_may_work(project, now)
        params: dict[str, Any] = {"project_id": project.id, "worker_id": actor.id, "now": now}
        held = conn.execute(_HELD, params).scalar()
        if held is not None:
            raise Conflict(
                f"answer or release assignment {held} of the test first", field="assignment_id"
            )
        params["since"] = _open_attempt(conn, qrule, params, now)
        skills = sql.worker_skills(conn, actor.id)
        params.update(sql.skill_params(skills, postgres=db.is_postgres))
        # A test item passes the same opt-outs, budget and breaks as any other.
        params["opted"] = exposure.opted_out(conn, actor.id) if project.spec.get("hazards") else []
        picked = assign.pick_within_limits(
            conn, project.spec, actor.id, params, kind="qualification", pg=db.is_postgres
        )
        if picked is None:
            return None
        return assign.insert_lease(conn, project, actor.id, picked, now, kind="qualification")


def _open_attempt(
    conn: Connection, qrule: rule.QualificationRule, params: dict[str, Any], now: datetime
) -> datetime:
    """The open attempt's start; a new attempt when the last one is finished and the
    retake rule allows. Refuses a worker who passed already."""
    last: Attempt | None = conn.execute(sql.LAST_ATTEMPT, params).first()
    if last is not None and last.finished_at is None:
        return last.started_at
    if last is not None and last.passed:
        raise Conflict("you passed this qualification already", field="qualification")
    if not rule.may_start_attempt(qrule, _attempt(last), now):
        when = rule.retake_at(qrule, _attempt(last))
        raise NotNow(
            f"you may retake the test from {when:%Y-%m-%d %H:%M} UTC",
            code="retake_wait",
            resume_at=when.isoformat() if when else None,
        )
    conn.execute(
        insert(QualificationAttempt),
        {
            "project_id": params["project_id"],
            "user_id": params["worker_id"],
            "started_at": now,
            "answered": 0,
            "correct": 0,
        },
    )
    return now
