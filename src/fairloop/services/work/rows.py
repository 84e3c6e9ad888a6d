"""The Core rows the work loop hands from one function to the next, as types.

The lease and submit paths keep SQLAlchemy's rows as they come: building an object
per row would cost on every request. Each protocol names the columns its readers use,
as the query beside it in the docstring labels them; a row satisfies it as it is.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Protocol


class ItemRow(Protocol):
    """A candidate item (``scheduling._ITEM_COLUMNS``)."""

    id: int
    external_id: str | None
    data: dict[str, Any]
    submission_count: int
    wanted: int
    hazards: list[str] | None
    severity: int | None


class Counters(Protocol):
    """The worker's counters in a project (``scheduling.WORKER_STATE``)."""

    counters_id: int
    leased: int
    gold_leased: int
    day: date | None
    leased_today: int
    qualified_at: datetime | None


class Attempt(Protocol):
    """A qualification attempt (``scheduling.LAST_ATTEMPT``)."""

    started_at: datetime
    answered: int
    correct: int
    finished_at: datetime | None
    passed: bool | None


class SubmitAssignment(Protocol):
    """The assignment an answer is for, with its project's rules (``submit._ASSIGNMENT``)."""

    id: int
    worker_id: int
    item_id: int
    state: str
    leased_at: datetime
    lease_expires_at: datetime
    shown: list[str] | None
    kind: str
    heartbeat_ms: int
    heartbeat_at: datetime | None
    page_ms: int | None
    through: datetime | None
    """The worker's credited-through clock (``users.worktime_through``)."""
    project_id: int
    overlap: int
    lease_minutes: int
    spec: dict[str, Any]
    earlier_id: int | None
    """The submission stored earlier under the request's Idempotency-Key, if any."""
    consented: bool
    """Whether the worker consents to the disclosure as it stands, and has withdrawn
    no consent since the lease was taken."""
    disclosure_version: int


class CountedItem(Protocol):
    """The item a counted submission went to (``submit._COUNT_IN``)."""

    kind: str
    gold: Any
    """The gold answer as stored (JSON), or None."""
    wanted: int


class StoredSubmission(Protocol):
    """A submission as the worker gets it back (``submit._COLUMNS``)."""

    id: int
    assignment_id: int
    project_id: int
    item_id: int
    answer: dict[str, Any]
    active_seconds: int
    submitted_at: datetime
    late: bool
    counted: bool
    review_state: str
