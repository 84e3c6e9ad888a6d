"""Red-team chat turns: what the worker and the model said, kept turn by turn."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fairloop.db.base import Base, BigId, UTCDateTime, utcnow


class Turn(Base):
    """One message of a red-team conversation, stored the moment it exists, so a
    dropped connection loses nothing. ``severity`` on a model reply is the hazard
    severity the worker was exposed to (the item's, or the project's declared maximum):
    what the wellbeing rules count."""

    __tablename__ = "turns"
    __table_args__ = (UniqueConstraint("assignment_id", "seq"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))  # user | assistant
    content: Mapped[str] = mapped_column(Text)
    severity: Mapped[int | None] = mapped_column(Integer)
    model_ms: Mapped[int | None] = mapped_column(Integer)
    """How long the model took to answer (paid waiting time)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
