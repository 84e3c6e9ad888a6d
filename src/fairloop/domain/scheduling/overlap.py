"""How many submissions an item wants: fixed overlap, or dynamic overlap that stops
once the answers agree.

The aggregated answer's confidence comes from :func:`item_confidence` alone, so the
quality library's posteriors can replace the majority share in one place.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from fairloop.domain.questions import questions


@dataclass(frozen=True, slots=True)
class OverlapRule:
    """``min`` submissions always; more, up to ``max``, until ``confidence`` is reached.
    A fixed overlap is ``min == max`` with no confidence."""

    min: int
    max: int
    confidence: float | None = None

    @classmethod
    def from_spec(cls, overlap: Any) -> OverlapRule:
        """From the spec's ``overlap``: an int, or ``{min, max, confidence}``."""
        if isinstance(overlap, dict):
            return cls(int(overlap["min"]), int(overlap["max"]), float(overlap["confidence"]))
        return cls(int(overlap), int(overlap))

    @property
    def dynamic(self) -> bool:
        return self.confidence is not None and self.max > self.min


def answer_key(task: dict[str, Any], answer: dict[str, Any]) -> Hashable:
    """What two answers must share to agree: the values of all their questions."""
    found = questions(task, answer)
    if not found:
        return repr(sorted(answer.items()))
    return tuple((q.name, q.value) for q in found)


def item_confidence(keys: Sequence[Hashable]) -> float:
    """Confidence in an item's aggregated answer: for now the majority's share.

    The one place the quality issue's posteriors plug in.
    """
    if not keys:
        return 0.0
    return Counter(keys).most_common(1)[0][1] / len(keys)


def wanted_submissions(rule: OverlapRule, keys: Sequence[Hashable]) -> int:
    """How many submissions the item wants, given its counted answers so far.

    Never below ``min`` nor above ``max``; once confident, exactly what it has.
    """
    n = len(keys)
    if not rule.dynamic or n < rule.min:
        return rule.min if rule.dynamic else rule.max
    assert rule.confidence is not None
    if n >= rule.max or item_confidence(keys) >= rule.confidence:
        return min(n, rule.max)
    return n + 1


def saved_submissions(rule: OverlapRule, submissions: int, wanted: int) -> int:
    """Submissions a finished item did not need compared with asking ``max`` always."""
    return max(0, rule.max - submissions) if submissions >= wanted else 0


def matches_gold(task: dict[str, Any], answer: dict[str, Any], gold: dict[str, Any]) -> bool:
    """Whether an answer agrees with a gold answer on every question the gold answers
    (free text is not scored)."""
    expected = {q.name: q.value for q in questions(task, gold)}
    given = {q.name: q.value for q in questions(task, answer)}
    return all(given.get(k) == v for k, v in expected.items())
