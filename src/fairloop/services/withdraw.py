"""Withdrawing consent: always possible, and everything done so far stays paid.

Work handed in before is approved and paid at once (no one may reject the work of a
worker who left); a lease in progress is given back with its time paid; and no lease
taken before the withdrawal can be submitted after it, live or run out (the submit
path checks consent on every answer).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from fairloop.db.base import utcnow
from fairloop.db.engine import Database
from fairloop.db.models import Assignment, Consent
from fairloop.domain.actors import Actor
from fairloop.domain.pay import MAX_REPORTED_SECONDS
from fairloop.services import audit
from fairloop.services.access import project_for_worker
from fairloop.services.pay import review
from fairloop.services.work import worktime


def withdraw_consent(
    db: Database, actor: Actor, project_id: int, *, now: datetime | None = None
) -> dict[str, Any]:
    """End consent to every version; a lease in progress is given back and its time paid
    (credited as measured). Pending submissions are approved and paid."""
    now = now or utcnow()
    with db.transaction() as session:
        project = project_for_worker(session, actor, project_id)
        if session.get_bind().dialect.name == "postgresql":
            # Settlement's lock, before any row: both approve this worker's pending
            # work and write the same task pay keys.
            session.execute(select(func.pg_advisory_xact_lock(review.SETTLE_LOCK)))
        session.execute(
            update(Consent)
            .where(
                Consent.project_id == project.id,
                Consent.user_id == actor.id,
                Consent.withdrawn_at.is_(None),
            )
            .values(withdrawn_at=now)
        )
        live = session.scalars(
            select(Assignment).where(
                Assignment.project_id == project.id,
                Assignment.worker_id == actor.id,
                Assignment.state == "leased",
                Assignment.lease_expires_at > now,
            )
        ).all()
        for assignment in live:
            # Credited as measured: the page stops counting when consent ends.
            assignment.active_seconds = worktime.ended_seconds(
                session, assignment, claimed=MAX_REPORTED_SECONDS, now=now
            )
            assignment.state = "released"
            assignment.ended_at = now
        approved = review.approve_on_withdrawal(
            session.connection(), worker_id=actor.id, project_id=project.id, now=now
        )
        audit.record(session, actor, "consent.withdraw", f"project:{project.id}")
        return {
            "project_id": project.id,
            "consented": False,
            "released": len(live),
            "approved": approved,
        }
