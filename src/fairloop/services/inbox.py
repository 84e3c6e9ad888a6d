"""The worker inbox. Other features post through :func:`post_notice`, inside their own
transaction, so a notice exists exactly when what it announces was committed."""

from __future__ import annotations

from typing import Any, TypedDict

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.orm import Session

from fairloop.db.base import table_of, utcnow
from fairloop.db.engine import Database
from fairloop.db.models import Notice
from fairloop.domain.actors import Actor

KINDS = ("suspension", "disclosure", "top_up", "appeal", "wellbeing", "question")
"""Notice kinds; pay top-ups (``top_up``) and appeal results (``appeal``) come from the
pay and review services, questions and their answers (``question``) from the thread."""


def post_notice(
    session: Session, *, user_id: int, kind: str, text: str, project_id: int | None = None
) -> None:
    """Add a notice to ``user_id``'s inbox in the caller's transaction.

    ``kind`` is one of :data:`KINDS`; ``text`` is what the worker reads (plain text,
    cut to 2,000 characters); ``project_id`` names the project it is about, if any.
    """
    _check_kind(kind)
    session.add(Notice(user_id=user_id, kind=kind, project_id=project_id, text=text[:2000]))


class NoticeIn(TypedDict):
    """One notice for :func:`post_notices`, as :func:`post_notice` takes it."""

    user_id: int
    kind: str
    text: str
    project_id: int | None


def post_notices(conn: Connection, notices: list[NoticeIn]) -> None:
    """Many notices at once, as :func:`post_notice` (settlement's top-ups)."""
    for n in notices:
        _check_kind(n["kind"])
    if notices:
        conn.execute(insert(table_of(Notice)), [{**n, "text": n["text"][:2000]} for n in notices])


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown notice kind {kind!r}")


def _json(n: Notice) -> dict[str, Any]:
    return {
        "id": n.id,
        "kind": n.kind,
        "project_id": n.project_id,
        "text": n.text,
        "created_at": n.created_at.isoformat(),
        "read": n.read_at is not None,
    }


def inbox(db: Database, actor: Actor, *, mark_read: bool = False) -> list[dict[str, Any]]:
    """The actor's notices, newest first; ``mark_read`` marks them read (the page does)."""
    with db.transaction(readonly=not mark_read) as session:
        notices = session.scalars(
            select(Notice).where(Notice.user_id == actor.id).order_by(Notice.id.desc()).limit(500)
        ).all()
        listed = [_json(n) for n in notices]
        if mark_read:
            session.execute(
                update(Notice)
                .where(Notice.user_id == actor.id, Notice.read_at.is_(None))
                .values(read_at=utcnow())
            )
        return listed


def unread_count(db: Database, user_id: int) -> int:
    with db.core_transaction(readonly=True) as conn:
        return int(
            conn.execute(
                select(func.count()).where(Notice.user_id == user_id, Notice.read_at.is_(None))
            ).scalar_one()
        )
