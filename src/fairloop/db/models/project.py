"""Projects, their versioned disclosures, consents and per-project worker pseudonyms."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fairloop.db.base import Base, BigId, JsonType, UTCDateTime, utcnow


class Project(Base):
    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    task_type: Mapped[str] = mapped_column(String(16))
    spec: Mapped[dict[str, Any]] = mapped_column(JsonType)
    state: Mapped[str] = mapped_column(String(16), default="live")  # live | paused | suspended
    overlap: Mapped[int] = mapped_column(Integer)
    lease_minutes: Mapped[int] = mapped_column(Integer)
    disclosure_version: Mapped[int] = mapped_column(Integer, default=1)
    # Suspension: workers may keep working until the notice ends (wellbeing issue).
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notice_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A pause: since when (kept through a resume, so a pause soon after continues it),
    # and when it was last resumed. A pause that outlasts FAIRLOOP_PAUSE_LIMIT_DAYS
    # becomes a suspension at settlement.
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Disclosure(Base):
    """Each change to what workers are told is a new version, never an edit."""

    __tablename__ = "disclosures"
    __table_args__ = (UniqueConstraint("project_id", "version"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Consent(Base):
    __tablename__ = "consents"
    __table_args__ = (UniqueConstraint("project_id", "user_id", "disclosure_version"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    disclosure_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ProjectWorker(Base):
    """A worker as one project knows them: requesters only ever see the pseudonym."""

    __tablename__ = "project_workers"
    __table_args__ = (
        UniqueConstraint("project_id", "user_id"),
        UniqueConstraint("project_id", "pseudonym"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    pseudonym: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The scheduler's counters, kept here so a lease reads one row: items leased (task
    # and gold), gold among them, leases on ``day`` (UTC) for the daily cap.
    leased: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    gold_leased: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    day: Mapped[date | None] = mapped_column(Date)
    leased_today: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Gold accuracy: gold answers scored, and how many were right.
    gold_answered: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    gold_correct: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    qualified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class QualificationAttempt(Base):
    """One try at a project's qualification test; its items are leased as
    assignments of kind ``qualification`` (paid as work)."""

    __tablename__ = "qualification_attempts"
    __table_args__ = (Index("ix_qualification_attempts_worker", "project_id", "user_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    correct: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    passed: Mapped[bool | None] = mapped_column(Boolean)
