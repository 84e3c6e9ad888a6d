"""What a counted submission changes beyond itself, in the submit transaction:
dynamic overlap's ``wanted``, a worker's gold accuracy, a qualification attempt."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from fairloop.db.base import table_of
from fairloop.db.models import Item, ProjectWorker, QualificationAttempt, Submission
from fairloop.domain import scheduling as rule
from fairloop.services.work import skills
from fairloop.services.work.rows import CountedItem, SubmitAssignment

# project_id first: the (project_id, item_id) index serves it.
_ANSWERS = (
    select(Submission.answer, ProjectWorker.gold_answered, ProjectWorker.gold_correct)
    .outerjoin(
        ProjectWorker,
        (ProjectWorker.project_id == Submission.project_id)
        & (ProjectWorker.user_id == Submission.worker_id),
    )
    .where(
        Submission.project_id == bindparam("project_id"),
        Submission.item_id == bindparam("item_id"),
        Submission.counted.is_(True),
    )
)
_ATTEMPTS = table_of(QualificationAttempt)
_SET_WANTED = update(Item).where(Item.id == bindparam("item_id")).values(wanted=bindparam("n"))
# Bind names differ from the column names: an UPDATE reserves those for its SET.
_W = (
    ProjectWorker.project_id == bindparam("pw_project"),
    ProjectWorker.user_id == bindparam("pw_worker"),
)
_SCORE_GOLD = (
    update(ProjectWorker)
    .where(*_W)
    .values(
        gold_answered=ProjectWorker.gold_answered + 1,
        gold_correct=ProjectWorker.gold_correct + bindparam("correct"),
    )
)


def after_counted(
    conn: Connection,
    assignment: SubmitAssignment,
    item: CountedItem,
    answer: dict[str, Any],
    now: datetime,
) -> None:
    """``assignment`` is the submit's row (project spec included); ``item`` has the
    item's ``kind``, ``gold`` and ``wanted``."""
    spec = assignment.spec
    if item.kind == "task":
        _update_wanted(conn, spec, assignment.project_id, assignment.item_id, item.wanted)
    if item.gold is None:
        return
    correct = rule.matches_gold(spec["task"], answer, item.gold)
    ids = {"pw_project": assignment.project_id, "pw_worker": assignment.worker_id}
    if item.kind != "qualification":
        conn.execute(_SCORE_GOLD, {**ids, "correct": int(correct)})
    else:
        _score_attempt(conn, spec, ids, correct, now)


def _update_wanted(
    conn: Connection, spec: dict[str, Any], project_id: int, item_id: int, was: int
) -> None:
    overlap = rule.OverlapRule.from_spec(spec["overlap"])
    if not overlap.dynamic:
        return
    task = spec["task"]
    rows = conn.execute(_ANSWERS, {"project_id": project_id, "item_id": item_id}).all()
    keys = [rule.answer_key(task, r.answer) for r in rows]
    accuracies = rule.gold_accuracies([(r.gold_answered, r.gold_correct) for r in rows])
    n_classes = len(task.get("labels") or []) or None
    wanted = rule.wanted_submissions(overlap, keys, accuracies, n_classes)
    if wanted != was:  # mostly it stands: no write, no row lock held longer
        conn.execute(_SET_WANTED, {"item_id": item_id, "n": wanted})


def _score_attempt(
    conn: Connection, spec: dict[str, Any], ids: dict[str, int], correct: bool, now: datetime
) -> None:
    """Count one answer into the worker's open attempt; the last one decides it."""
    table = _ATTEMPTS
    attempt = conn.execute(
        select(table)
        .where(
            table.c.project_id == ids["pw_project"],
            table.c.user_id == ids["pw_worker"],
            table.c.finished_at.is_(None),
        )
        .order_by(table.c.id.desc())
        .limit(1)
    ).first()
    if attempt is None:  # late answer to a finished attempt: paid, not scored
        return
    q = spec["qualification"]
    qrule = rule.QualificationRule(q["items"], q["pass"], q["retake_after_hours"])
    answered, right = attempt.answered + 1, attempt.correct + int(correct)
    done = answered >= qrule.items
    passed = done and rule.attempt_passed(qrule, rule.Attempt(attempt.started_at, answered, right))
    conn.execute(
        table.update()
        .where(table.c.id == attempt.id)
        .values(
            answered=answered,
            correct=right,
            finished_at=now if done else None,
            passed=passed if done else None,
        )
    )
    if passed:
        conn.execute(update(ProjectWorker).where(*_W).values(qualified_at=now), ids)
        for grant in q.get("grants", []):
            skills.grant(conn, ids["pw_worker"], grant, source=f"qualification:{ids['pw_project']}")
