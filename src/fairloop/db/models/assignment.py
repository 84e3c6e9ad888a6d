"""Assignments (leases of an item to a worker) and the submissions that answer them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from fairloop.db.base import Base, BigId, JsonType, UTCDateTime, utcnow


class Assignment(Base):
    """A lease. It is live while ``state == 'leased'`` and ``lease_expires_at`` is ahead;
    expiry needs no timer: the next lease query simply no longer counts it."""

    __tablename__ = "assignments"
    __table_args__ = (
        # A worker never gets the same item twice, whatever happens to the first lease;
        # only a qualification test is taken again (its retake rule decides when).
        Index(
            "uq_assignments_item_worker",
            "item_id",
            "worker_id",
            unique=True,
            sqlite_where=text("kind != 'qualification'"),
            postgresql_where=text("kind != 'qualification'"),
        ),
        Index("ix_assignments_live", "item_id", "state", "lease_expires_at"),
        Index("ix_assignments_worker", "worker_id", "project_id", "state"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    state: Mapped[str] = mapped_column(String(16), default="leased")  # leased|submitted|released
    shown: Mapped[list[str] | None] = mapped_column(JsonType)
    leased_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active_seconds: Mapped[int] = mapped_column(Integer, default=0)
    # What the time was spent on: task, qualification, training or screening. Pay and
    # the floor treat them alike; reports show them apart.
    kind: Mapped[str] = mapped_column(String(16), default="task", server_default="task")
    # Active time as the server measured it, in milliseconds so that no gap loses its
    # fraction: the heartbeats it received, each bounded by the wall time.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_ms: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # The page's own count of time present, as of its last heartbeat: what a network
    # drop lost is recovered from it when the page reconnects.
    page_ms: Mapped[int | None] = mapped_column(BigInteger)


class Submission(Base):
    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("worker_id", "idempotency_key"),
        Index("ix_submissions_project_item", "project_id", "item_id"),
        # Settlement looks for pending work per project; partial, so that approving a
        # million submissions removes index entries instead of moving them.
        Index(
            "ix_submissions_pending",
            "project_id",
            "submitted_at",
            sqlite_where=text("review_state = 'pending'"),
            postgresql_where=text("review_state = 'pending'"),
        ),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), unique=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    idempotency_key: Mapped[str] = mapped_column(String(200))
    answer: Mapped[dict[str, Any]] = mapped_column(JsonType)
    active_seconds: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Late work after the item already reached its overlap is paid but not counted.
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    counted: Mapped[bool] = mapped_column(Boolean, default=True)
    # pending | approved | rejected, or test for test answers, which are never reviewed;
    # reviewed_at: when the current state was reached (days to pay).
    review_state: Mapped[str] = mapped_column(String(16), default="pending")
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
