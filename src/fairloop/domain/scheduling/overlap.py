"""How many submissions an item wants: fixed overlap, or dynamic overlap that stops
once the answers agree.

The aggregated answer's confidence comes from :func:`item_confidence` alone, so the
quality library's posteriors can replace the majority share in one place.
"""

from __future__ import annotations

import math
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


def item_confidence(
    keys: Sequence[Hashable],
    accuracies: Sequence[float] | None = None,
    n_classes: int | None = None,
) -> float:
    """Confidence in an item's aggregated answer.

    With every answering worker's accuracy known (from gold), the posterior of the
    most probable answer under the one-coin Dawid-Skene model of
    :mod:`fairloop.quality`, so two careful workers can settle an item that three
    careless ones could not; otherwise the majority's share.
    """
    if not keys:
        return 0.0
    if accuracies is None:
        return Counter(keys).most_common(1)[0][1] / len(keys)
    given = list(dict.fromkeys(keys))
    # Answers nobody gave still take their share of the probability.
    unseen = [("unseen", i) for i in range(max(1, (n_classes or 0) - len(given)))]
    return max(one_coin_posterior(keys, accuracies, [*given, *unseen])[: len(given)])


ACCURACY_BOUNDS = (1e-10, 1.0 - 1e-10)
"""As the quality library bounds a skill before taking its log."""


def gold_accuracies(scores: Sequence[tuple[int | None, int | None]]) -> list[float] | None:
    """Each worker's accuracy from ``(gold answered, gold right)``, smoothed by one
    right and one wrong answer so a single gold item proves little; None unless every
    worker has answered gold (a mix would weigh the unmeasured by a guess)."""
    if not scores or any(not answered for answered, _right in scores):
        return None
    return [((right or 0) + 1) / (answered + 2) for answered, right in scores if answered]


def one_coin_posterior(
    keys: Sequence[Hashable],
    accuracies: Sequence[float],
    classes: Sequence[Hashable],
    priors: Sequence[float] | None = None,
) -> list[float]:
    """P(the item's true answer is each of ``classes`` | the answers ``keys``), when
    each worker is right with its accuracy and otherwise gives any other class alike:
    the E-step of one-coin Dawid-Skene for one item. Uniform priors unless given."""
    low, high = ACCURACY_BOUNDS
    k = len(classes)
    logs = [math.log(p) for p in priors] if priors else [0.0] * k
    for key, accuracy in zip(keys, accuracies, strict=True):
        accuracy = min(max(accuracy, low), high)
        right, wrong = math.log(accuracy), math.log((1.0 - accuracy) / (k - 1))
        logs = [v + (right if c == key else wrong) for v, c in zip(logs, classes, strict=True)]
    top = max(logs)
    weights = [math.exp(v - top) for v in logs]
    total = sum(weights)
    return [w / total for w in weights]


def wanted_submissions(
    rule: OverlapRule,
    keys: Sequence[Hashable],
    accuracies: Sequence[float] | None = None,
    n_classes: int | None = None,
) -> int:
    """How many submissions the item wants, given its counted answers so far.

    Never below ``min`` nor above ``max``; once confident, exactly what it has.
    """
    n = len(keys)
    if not rule.dynamic or n < rule.min:
        return rule.min if rule.dynamic else rule.max
    assert rule.confidence is not None
    if n >= rule.max or item_confidence(keys, accuracies, n_classes) >= rule.confidence:
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
