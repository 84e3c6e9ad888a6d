"""What a requester reads about the trust in their data: agreement per question and
the distribution of worker reliability, by pseudonym only."""

from __future__ import annotations

from statistics import quantiles
from typing import Any, TypedDict

from sqlalchemy import select

from fairloop.db.engine import Database
from fairloop.db.models import ProjectWorker
from fairloop.domain.actors import Actor
from fairloop.domain.questions import primary_question
from fairloop.services.access import project_for_requester
from fairloop.services.quality.aggregation import Decisions, decide
from fairloop.services.quality.votes import ProjectVotes, QuestionVotes, project_votes

HISTOGRAM_BINS = 10


class WorkerReliability(TypedDict):
    """One worker's row of the report, by pseudonym."""

    worker: str
    reliability: float
    submissions: int
    gold_accuracy: float | None


def project_quality(db: Database, actor: Actor, project_id: int) -> dict[str, Any]:
    with db.transaction(readonly=True) as session:
        project = project_for_requester(session, actor, project_id)
        task = project.spec["task"]
        configured = project.spec.get("quality", {}).get("method", "auto")
        pseudonyms = dict(
            session.execute(
                select(ProjectWorker.user_id, ProjectWorker.pseudonym).where(
                    ProjectWorker.project_id == project_id
                )
            ).all()
        )
    votes = project_votes(db, project_id, task)
    question = primary_question(task)
    decisions = decide(votes, question, configured) if question else None
    return {
        "questions": [_agreement(name, qv) for name, qv in sorted(votes.by_question.items())],
        "method": decisions.method if decisions else "mv",
        "workers": _reliability(decisions, votes, pseudonyms),
    }


def _agreement(name: str, votes: QuestionVotes) -> dict[str, Any]:
    from fairloop.quality import QualityInputError, krippendorff_alpha

    row: dict[str, Any] = {"question": name, "level": votes.level, "labels": len(votes.items)}
    try:
        figure = krippendorff_alpha(votes.items, votes.workers, votes.values, level=votes.level)
    except QualityInputError as exc:
        return {**row, "alpha": None, "items": 0, "workers": 0, "note": str(exc)}
    alpha = figure.as_dict()["value"]
    note = "" if alpha is not None else "every answer is the same: no disagreement to measure"
    return {**row, "alpha": alpha, "items": figure.items, "workers": figure.workers, "note": note}


def _reliability(
    decisions: Decisions | None, votes: ProjectVotes, pseudonyms: dict[int, str]
) -> dict[str, Any]:
    gold = votes.gold_accuracy()
    rows: list[WorkerReliability] = []
    if decisions is not None and decisions.result is not None:
        result = decisions.result
        for worker, value in zip(result.workers.tolist(), result.reliability.tolist(), strict=True):
            rows.append(
                {
                    "worker": pseudonyms.get(int(worker), "?"),
                    "reliability": round(float(value), 4),
                    "submissions": votes.submissions.get(int(worker), 0),
                    "gold_accuracy": round(gold[int(worker)], 4) if int(worker) in gold else None,
                }
            )
    rows.sort(key=lambda r: (r["reliability"], r["worker"]))
    return {"rows": rows, "summary": _summary([r["reliability"] for r in rows])}


def _summary(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"count": 0}
    bins = [0] * HISTOGRAM_BINS
    for value in values:
        bins[min(int(value * HISTOGRAM_BINS), HISTOGRAM_BINS - 1)] += 1
    quarters = quantiles(values, n=4, method="inclusive") if len(values) > 1 else values * 3
    return {
        "count": len(values),
        "min": min(values),
        "p25": round(quarters[0], 4),
        "median": round(quarters[1], 4),
        "p75": round(quarters[2], 4),
        "max": max(values),
        "histogram": bins,
    }
