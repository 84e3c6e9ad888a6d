"""Safe viewing: whether possibly harmful content is shown at once or behind a warning."""

from __future__ import annotations

DEFAULT_COLLAPSE_AT = 3
"""Content at this severity or above is collapsed unless the worker chose otherwise."""


def collapsed(severity: int | None, *, worker_collapse_at: int | None = None) -> bool:
    """True when content of ``severity`` must be hidden behind a warning for a worker
    whose own setting is ``worker_collapse_at`` (None: the default). The one place this
    rule lives; the wellbeing settings page will supply the worker's value."""
    if severity is None:
        return False
    threshold = DEFAULT_COLLAPSE_AT if worker_collapse_at is None else worker_collapse_at
    return severity >= threshold
