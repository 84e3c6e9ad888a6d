"""What a worker chose to protect themselves, and their wellbeing check-ins.

Check-ins live apart on purpose: no other table refers to them and they name no
project, so scheduling, review and pay cannot read them by accident.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fairloop.db.base import Base, BigId, JsonType, UTCDateTime, utcnow


class HazardOptOut(Base):
    __tablename__ = "hazard_opt_outs"
    __table_args__ = (UniqueConstraint("user_id", "hazard"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    hazard: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ViewingSetting(Base):
    """The highest severity of text a worker sees open; above it, text is collapsed."""

    __tablename__ = "viewing_settings"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    text_severity_max: Mapped[int] = mapped_column(Integer, default=2)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CheckIn(Base):
    """A Short Warwick-Edinburgh (SWEMWBS) check-in: seven answers of 1-5."""

    __tablename__ = "wellbeing_checkins"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    answers: Mapped[list[int]] = mapped_column(JsonType)
    score: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
