"""Withdrawing consent: always possible, and everything done so far stays paid."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from fairloop.db.base import utcnow
from fairloop.db.engine import Database
from fairloop.db.models import Assignment, Consent
from fairloop.domain.actors import Actor
from fairloop.domain.pay import MAX_REPORTED_SECONDS
from fairloop.services import audit
from fairloop.services.access import project_for_worker
from fairloop.services.work import worktime


def withdraw_consent(
    db: Database, actor: Actor, project_id: int, *, now: datetime | None = None
) -> dict[str, Any]:
    """End consent to every version; a lease in progress is given back and its time paid
    (credited up to the wall time since it began). Submissions stay and are paid."""
    now = now or utcnow()
    with db.transaction() as session:
        project = project_for_worker(session, actor, project_id)
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
        audit.record(session, actor, "consent.withdraw", f"project:{project.id}")
        return {"project_id": project.id, "consented": False, "released": len(live)}
