"""Workers' voice: the rules of a project's question thread and of rating a requester.

Plain rules over plain data (no session): how long a question or answer may be, how
often one may be posted, what a rating is, and when ratings may be shown without
letting anyone tell what one worker said.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fairloop.errors import InvalidInput

MAX_TEXT = 2000
"""Characters in a question or an answer: a paragraph or two, enough to quote an item."""

QUESTIONS_PER_HOUR = 5
"""Questions one worker may ask on one project in any hour: a worker with real doubts
never reaches it; a script flooding the thread does."""

ANSWERS_PER_HOUR = 120
"""Answers one requester may post on one project in any hour (answering a backlog)."""

CRITERIA = ("clarity", "fairness", "pay")
"""What a worker rates a requester on, 1 (poor) to 5 (good): clarity of the
instructions, fairness of review, pay for the time the work really takes."""

MIN_RATERS = 5
"""Averages are shown only over at least this many distinct workers: fewer, and one
worker's rating could be read back from the average."""


def check_text(text: object, *, field: str = "text") -> str:
    """The text, stripped; InvalidInput naming ``field`` when empty or too long."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput(f"{field} is required: write your message", field=field)
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise InvalidInput(
            f"{field} is {len(text)} characters; at most {MAX_TEXT} are allowed", field=field
        )
    return text


def check_rating(body: Any) -> dict[str, int]:
    """``{"clarity", "fairness", "pay"}``, each a whole number 1-5; InvalidInput naming
    the first field that is missing or out of range."""
    if not isinstance(body, dict):
        raise InvalidInput("the rating must be an object of clarity, fairness, pay", field="body")
    rating = {}
    for name in CRITERIA:
        value = body.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
            raise InvalidInput(f"{name} must be a whole number from 1 to 5", field=name)
        rating[name] = value
    unknown = sorted(set(body) - set(CRITERIA))
    if unknown:
        raise InvalidInput(f"unknown field {unknown[0]!r}", field=unknown[0])
    return rating


def published_through(now: datetime) -> datetime:
    """Ratings given before this instant (the start of this week, Monday 00:00 UTC)
    are in the record; later ones join it next Monday.

    Shown at once, a new rating could be read back from how the average moved the
    moment a worker rated; a week's ratings join together instead.
    """
    day = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def wait_seconds(oldest_in_window: datetime, now: datetime, window: timedelta) -> int:
    """Whole seconds until the oldest post in the window leaves it (at least 1)."""
    return max(1, int((oldest_in_window + window - now).total_seconds()) + 1)
