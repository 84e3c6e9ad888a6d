"""The order responses are shown in: random per assignment, so that position bias can
be measured (and averages out) rather than being built into the data."""

from __future__ import annotations

import random
from typing import Any

SHOWS_RESPONSES = frozenset({"compare", "rank"})
_rng = random.SystemRandom()


def shown_order(
    task_type: str, data: dict[str, Any], *, rng: random.Random | None = None
) -> list[str] | None:
    """The response ids in a fresh random order, or None for types that show none."""
    if task_type not in SHOWS_RESPONSES:
        return None
    ids = [r["id"] for r in data.get("responses", [])]
    (rng or _rng).shuffle(ids)
    return ids
