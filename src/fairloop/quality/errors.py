"""The one error the quality library raises for bad input.

`fairloop.quality` imports nothing else of fairloop, so it cannot raise the platform's
`InvalidInput`; callers (the CLI, services) translate this one. It is a `ValueError`
so that plain-numpy users can catch it the usual way, and it names the `field` (a
column, or `file line N`) to blame when there is one.
"""

from __future__ import annotations


class QualityInputError(ValueError):
    """Input the quality functions cannot work with; `field` says where, if known."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
