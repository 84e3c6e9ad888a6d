"""Wellbeing check-ins (SWEMWBS): the worker sees their own; anyone else only sees
aggregates over at least :data:`MIN_GROUP` workers. Nothing else reads this table."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from fairloop.db.base import utcnow
from fairloop.db.engine import Database
from fairloop.db.models import Assignment, CheckIn, Item
from fairloop.domain.actors import Actor
from fairloop.domain.checkins import ITEMS, score
from fairloop.errors import Forbidden
from fairloop.services.access import project_for_requester

MIN_GROUP = 5
WINDOW_DAYS = 30


def submit_checkin(db: Database, actor: Actor, answers: Any) -> dict[str, Any]:
    """Store a check-in of the worker's own: seven answers of 1 to 5."""
    if actor.role != "worker":
        raise Forbidden("check-ins are for workers", code="not_a_worker")
    total = score(answers)
    with db.transaction() as session:
        row = CheckIn(user_id=actor.id, answers=list(answers), score=total)
        session.add(row)
        session.flush()
        return {"id": row.id, "score": total, "created_at": row.created_at.isoformat()}


def my_checkins(db: Database, actor: Actor) -> list[dict[str, Any]]:
    with db.transaction(readonly=True) as session:
        rows = session.scalars(
            select(CheckIn).where(CheckIn.user_id == actor.id).order_by(CheckIn.id.desc())
        ).all()
        return [
            {
                "id": r.id,
                "answers": r.answers,
                "score": r.score,
                "created_at": r.created_at.isoformat(),
            }
            for r in rows
        ]


def project_aggregate(
    db: Database, actor: Actor, project_id: int, *, now: datetime | None = None
) -> dict[str, Any]:
    """Mean score of the latest check-in of each worker who saw this project's hazard
    items in the last 30 days; withheld below MIN_GROUP workers."""
    now = now or utcnow()
    with db.transaction(readonly=True) as session:
        project_for_requester(session, actor, project_id)
        exposed = (
            select(Assignment.worker_id)
            .join(Item, Item.id == Assignment.item_id)
            .where(
                Assignment.project_id == project_id,
                Item.hazards.is_not(None),
                Assignment.leased_at >= now - timedelta(days=WINDOW_DAYS),
            )
            .distinct()
        )
        latest = (
            select(func.max(CheckIn.id))
            .where(
                CheckIn.user_id.in_(exposed),
                CheckIn.created_at >= now - timedelta(days=WINDOW_DAYS),
            )
            .group_by(CheckIn.user_id)
        )
        scores = list(session.scalars(select(CheckIn.score).where(CheckIn.id.in_(latest))))
    if len(scores) < MIN_GROUP:
        return {"workers": None, "mean_score": None, "min_group": MIN_GROUP, "items": len(ITEMS)}
    return {
        "workers": len(scores),
        "mean_score": round(sum(scores) / len(scores), 1),
        "min_group": MIN_GROUP,
        "items": len(ITEMS),
    }
