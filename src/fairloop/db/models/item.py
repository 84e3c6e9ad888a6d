"""Items: the units of data that workers answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fairloop.db.base import Base, BigId, JsonType, UTCDateTime, utcnow


class Item(Base):
    __tablename__ = "items"
    __table_args__ = (
        UniqueConstraint("project_id", "external_id"),
        # The scheduler's order within one kind: priority, least-submitted, import order.
        Index(
            "ix_items_queue",
            "project_id",
            "kind",
            "neg_priority",
            "submission_count",
            "seq",
        ),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(BigId)
    external_id: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(JsonType)
    gold: Mapped[Any | None] = mapped_column(JsonType)
    hazards: Mapped[list[str] | None] = mapped_column(JsonType)
    severity: Mapped[int | None] = mapped_column(Integer)
    # -priority, so that one ascending index serves "highest priority first".
    neg_priority: Mapped[int] = mapped_column(Integer, default=0)
    submission_count: Mapped[int] = mapped_column(Integer, default=0)
    # task | gold (mixed into the work) | qualification (the entry test's gold items)
    kind: Mapped[str] = mapped_column(String(16), default="task", server_default="task")
    # Submissions the item wants now: the overlap, or under dynamic overlap what the
    # answers so far call for (min..max).
    wanted: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Skill requirement tokens (see domain.scheduling.skills), or None.
    skills: Mapped[list[str] | None] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
