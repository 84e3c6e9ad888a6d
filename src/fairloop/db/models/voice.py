"""Workers' voice: a project's question thread, and workers' ratings of requesters.

Questions and answers are kept as written. A rating is one row per worker, project
and week it was given in: a change in the same week edits that row, a later change
adds a row, so the record can show the ratings as they stood at the start of a week.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, SmallInteger, Text
from sqlalchemy.orm import Mapped, mapped_column

from fairloop.db.base import Base, BigId, UTCDateTime, utcnow


class Question(Base):
    """A worker's question on a project; shown to its workers and requesters under
    the worker's pseudonym, never the account."""

    __tablename__ = "questions"
    __table_args__ = (Index("ix_questions_project_worker", "project_id", "worker_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Answer(Base):
    """The requester's answer to a question (a question may get several)."""

    __tablename__ = "answers"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RequesterRating(Base):
    """A worker's rating of a project's requester, 1-5 on each criterion. Only
    averages over several workers ever leave the database."""

    __tablename__ = "requester_ratings"
    __table_args__ = (Index("ix_requester_ratings_project_worker", "project_id", "worker_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    clarity: Mapped[int] = mapped_column(SmallInteger)
    fairness: Mapped[int] = mapped_column(SmallInteger)
    pay: Mapped[int] = mapped_column(SmallInteger)
    # When this version was given (which week it belongs to), and last changed.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
