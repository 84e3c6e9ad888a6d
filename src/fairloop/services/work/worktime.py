"""Active time: the server adds up the heartbeats a task page sends while the worker
is active, so pay never rests on a total the client reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fairloop.db.base import utcnow
from fairloop.db.engine import Database
from fairloop.db.models import Project
from fairloop.domain.actors import Actor
from fairloop.domain.pay import HEARTBEAT_SECONDS, heartbeat_credit, measured_seconds
from fairloop.services.access import leased_assignment


def heartbeat(
    db: Database, actor: Actor, assignment_id: int, *, now: datetime | None = None
) -> dict[str, Any]:
    """Credit the gap since the previous heartbeat (or the lease start), capped."""
    now = now or utcnow()
    with db.transaction() as session:
        a = leased_assignment(session, actor, assignment_id)
        project = session.get(Project, a.project_id)
        assert project is not None
        since = a.heartbeat_at or a.leased_at
        total = a.heartbeat_seconds + heartbeat_credit((now - since).total_seconds())
        # Never more than the lease, nor than the wall time since it began.
        a.heartbeat_seconds = measured_seconds(
            heartbeat_seconds=total,
            lease_seconds=project.lease_minutes * 60,
            elapsed=(now - a.leased_at).total_seconds(),
        )
        a.heartbeat_at = max(now, since)
        return {
            "id": a.id,
            "kind": a.kind,
            "active_seconds": a.heartbeat_seconds,
            "next_in_seconds": HEARTBEAT_SECONDS,
        }
