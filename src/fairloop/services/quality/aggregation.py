"""The project's aggregated answers, by the method its spec chooses.

numpy and the quality library load here, on first use, not with the server: most
requests never aggregate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fairloop.domain.consensus import choose_method
from fairloop.services.quality.votes import ProjectVotes, QuestionVotes

if TYPE_CHECKING:
    from fairloop.quality import Aggregation


@dataclass(frozen=True)
class Decisions:
    """Per item the aggregated value of the primary question, and its confidence."""

    method: str
    values: dict[int, tuple[str | int, float]]
    result: Aggregation | None


def run_method(method: str, votes: QuestionVotes, gold_accuracy: dict[int, float]) -> Aggregation:
    from fairloop.quality import aggregate

    options: dict[str, Any] = {}
    if method == "wmv" and gold_accuracy:
        options["weights"] = gold_accuracy
    return aggregate(method, votes.items, votes.workers, votes.values, **options)


def decide(votes: ProjectVotes, question: str, configured: str) -> Decisions:
    bucket = votes.by_question.get(question)
    if bucket is None or not bucket.items:
        return Decisions(choose_method(configured, 0), {}, None)
    method = choose_method(configured, len(set(bucket.items)))
    result = run_method(method, bucket, votes.gold_accuracy())
    values = {
        int(item): (_plain(label), float(conf))
        for item, label, conf in zip(
            result.items.tolist(), result.labels.tolist(), result.confidence.tolist(), strict=True
        )
    }
    return Decisions(method, values, result)


def _plain(value: Any) -> str | int:
    return value if isinstance(value, str) else int(value)
