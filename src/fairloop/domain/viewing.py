"""Safe viewing: whether possibly harmful text is shown at once or behind a warning."""

from __future__ import annotations

DEFAULT_TEXT_SEVERITY = 2
"""Text above this severity is collapsed until the worker chooses otherwise."""


def collapsed(severity: int | None, text_severity_max: int = DEFAULT_TEXT_SEVERITY) -> bool:
    """True when hazard text of ``severity`` must wait behind a warning for a worker
    whose setting is ``text_severity_max``. An unknown severity counts as the worst:
    nobody is shown unrated harmful text unasked. The one place this rule lives."""
    return severity is None or severity > text_severity_max
