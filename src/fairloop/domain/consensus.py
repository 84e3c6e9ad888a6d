"""Majority vote over one item's answers: the `aggregated` export until the quality
methods take over (issue 7)."""

from __future__ import annotations

from collections import Counter
from typing import Any


def majority(
    answers: list[dict[str, Any]], labels: list[str]
) -> tuple[dict[str, Any] | None, float | None]:
    """(aggregated answer, confidence): the most chosen label, ties to the spec's order;
    for multi-label answers, every label chosen by more than half of the workers."""
    if not answers:
        return None, None
    if "labels" in answers[0]:
        return _multi(answers, labels)
    votes = Counter(a["label"] for a in answers)
    order = {label: i for i, label in enumerate(labels)}
    best = min(votes, key=lambda label: (-votes[label], order.get(label, len(order))))
    return {"label": best}, votes[best] / len(answers)


def _multi(answers: list[dict[str, Any]], labels: list[str]) -> tuple[dict[str, Any], float]:
    n = len(answers)
    counts = Counter(label for a in answers for label in a["labels"])
    chosen = [label for label in labels if counts[label] * 2 > n]
    agreement = [max(counts[label], n - counts[label]) / n for label in labels]
    return {"labels": chosen}, sum(agreement) / len(agreement)


AUTO_DS_MIN_ITEMS = 100
"""Below this many items, Dawid-Skene's per-worker confusion matrices rest on too few
answers to beat a plain vote, so ``auto`` stays with majority vote."""


def choose_method(configured: str, n_items: int) -> str:
    """The aggregation method a project uses: its own choice, or for ``auto``
    Dawid-Skene once the item set is large enough and majority vote below."""
    if configured != "auto":
        return configured
    return "ds" if n_items >= AUTO_DS_MIN_ITEMS else "mv"
