"""A project's answers as votes per question: the input of aggregation and agreement.

Reads counted submissions once, in id order, and splits each answer into its
questions (see :mod:`fairloop.domain.questions`). Gold items are kept apart: their
votes only measure each worker's accuracy, they are never data.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from fairloop.db.engine import Database
from fairloop.db.models import Item, Submission
from fairloop.domain.questions import questions

YIELD_PER = 5_000


@dataclass
class QuestionVotes:
    """Parallel lists of (item, worker, value) for one question."""

    level: str
    items: list[int] = field(default_factory=list)
    workers: list[int] = field(default_factory=list)
    values: list[str | int] = field(default_factory=list)


@dataclass
class ProjectVotes:
    by_question: dict[str, QuestionVotes] = field(default_factory=dict)
    gold_seen: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    gold_correct: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    submissions: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    def gold_accuracy(self) -> dict[int, float]:
        return {w: self.gold_correct[w] / n for w, n in self.gold_seen.items() if n}


def project_votes(db: Database, project_id: int, task: dict[str, Any]) -> ProjectVotes:
    query = (
        select(Submission.item_id, Submission.worker_id, Submission.answer, Item.gold)
        .join(Item, Item.id == Submission.item_id)
        .where(Submission.project_id == project_id, Submission.counted.is_(True))
        .order_by(Submission.id)
        .execution_options(yield_per=YIELD_PER)
    )
    votes = ProjectVotes()
    with db.core_transaction(readonly=True) as conn:
        for item_id, worker_id, answer, gold in conn.execute(query):
            votes.submissions[worker_id] += 1
            if gold is not None:
                _score_gold(votes, worker_id, task, answer, gold)
                continue
            for q in questions(task, answer):
                bucket = votes.by_question.setdefault(q.name, QuestionVotes(q.level))
                bucket.items.append(item_id)
                bucket.workers.append(worker_id)
                bucket.values.append(q.value)
    return votes


def _score_gold(
    votes: ProjectVotes, worker_id: int, task: dict[str, Any], answer: Any, gold: Any
) -> None:
    expected = {q.name: q.value for q in questions(task, gold)}
    given = {q.name: q.value for q in questions(task, answer)}
    if not expected:
        return
    votes.gold_seen[worker_id] += 1
    votes.gold_correct[worker_id] += int(all(given.get(k) == v for k, v in expected.items()))
