"""Skills on workers: granted by an admin (API, CLI) or by a passed qualification."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.orm import Session

from fairloop.db.base import utcnow
from fairloop.db.engine import Database
from fairloop.db.models import User, WorkerSkill
from fairloop.domain.actors import Actor
from fairloop.domain.scheduling import MAX_LEVEL, parse_skill
from fairloop.errors import Forbidden, InvalidInput, NotFound
from fairloop.services import audit


def grant(
    conn: Connection | Session, user_id: int, skill: str, *, source: str, level: int | None = None
) -> int:
    """Give ``user_id`` the skill (``name`` or ``name@level``); a level already held
    above it is kept. Returns the level now held."""
    name, written = parse_skill(skill)
    level = level or written
    held = conn.execute(
        select(WorkerSkill.id, WorkerSkill.level).where(
            WorkerSkill.user_id == user_id, WorkerSkill.skill == name
        )
    ).first()
    if held is None:
        conn.execute(
            insert(WorkerSkill),
            {
                "user_id": user_id,
                "skill": name,
                "level": level,
                "source": source,
                "created_at": utcnow(),
            },
        )
        return level
    if held.level < level:
        conn.execute(
            update(WorkerSkill).where(WorkerSkill.id == held.id).values(level=level, source=source)
        )
    return max(level, int(held.level))


def _level(value: Any) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_LEVEL:
        raise InvalidInput(f"level must be a whole number from 1 to {MAX_LEVEL}", field="level")
    return value


def grant_skill(
    db: Database, actor: Actor, email: Any, skill: Any, *, level: Any = None
) -> dict[str, Any]:
    """An admin grants a worker a skill; recorded in the audit log."""
    if not actor.is_admin:
        raise Forbidden("only admins grant skills", code="not_an_admin")
    if not isinstance(email, str) or not email.strip():
        raise InvalidInput("email is required", field="email")
    try:
        parse_skill(skill)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="skill") from None
    wanted = _level(level)
    with db.transaction() as session:
        user = session.execute(
            select(User.id, User.role).where(User.email == email.strip().lower())
        ).first()
        if user is None or user.role != "worker":
            raise NotFound(f"no worker with email {email!r}", field="email")
        held = grant(session, user.id, skill, source=f"admin:{actor.id}", level=wanted)
        audit.record(session, actor, "skill.grant", f"user:{user.id}", skill=skill, level=held)
        return {"user_id": user.id, "skill": parse_skill(skill)[0], "level": held}


def my_skills(db: Database, actor: Actor) -> dict[str, int]:
    with db.core_transaction(readonly=True) as conn:
        rows = conn.execute(
            select(WorkerSkill.skill, WorkerSkill.level).where(WorkerSkill.user_id == actor.id)
        )
        return {r.skill: r.level for r in rows}
