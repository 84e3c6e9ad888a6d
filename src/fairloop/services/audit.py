"""The audit log: who did what to which target, written inside the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from fairloop.db.models import AuditEntry
from fairloop.domain.actors import Actor


def record(session: Session, actor: Actor | None, action: str, target: str, **detail: Any) -> None:
    # The CLI operator (id 0) is not a user row: recorded as no actor.
    actor_id = actor.id if actor is not None and actor.id else None
    session.add(AuditEntry(actor_id=actor_id, action=action, target=target, detail=detail))
