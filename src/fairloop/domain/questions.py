"""The questions inside an answer: what workers can agree or disagree on.

One answer may hold several questions (a rating per criterion, a flag per flag); the
quality report measures agreement per question, and the aggregated export decides
the task's *primary* question. Values are plain str or int so the quality library
can encode them; the level says how distances between values are read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Question:
    name: str
    level: str  # nominal | ordinal | interval
    value: str | int


def questions(task: dict[str, Any], answer: dict[str, Any]) -> list[Question]:
    """Every question ``answer`` answers, for a task section as stored in the spec."""
    found: list[Question] = []
    if "label" in answer:
        found.append(Question("label", "nominal", str(answer["label"])))
    if isinstance(answer.get("labels"), list):
        chosen = set(answer["labels"])
        found += [
            Question(f"label: {name}", "nominal", int(name in chosen))
            for name in task.get("labels", [])
        ]
    for criterion, value in sorted((answer.get("ratings") or {}).items()):
        if isinstance(value, int) and not isinstance(value, bool):
            found.append(Question(f"rating: {criterion}", "ordinal", value))
    if "preferred" in answer:
        found.append(Question("preferred", "nominal", str(answer["preferred"])))
    if isinstance(answer.get("severity"), int) and not isinstance(answer["severity"], bool):
        found.append(Question("severity", "ordinal", answer["severity"]))
    if isinstance(answer.get("success"), bool):
        found.append(Question("success", "nominal", int(answer["success"])))
    return found


PRIMARY = {"label": "label", "compare": "preferred", "review": "severity", "redteam": "success"}
"""Per task type, the question the aggregated export decides. Multi-label and the
free-form types have none and keep per-answer majority voting."""


def primary_question(task: dict[str, Any]) -> str | None:
    if task.get("type") == "label" and task.get("multiple"):
        return None
    return PRIMARY.get(str(task.get("type")))


def primary_answer(task: dict[str, Any], value: str | int) -> dict[str, Any]:
    """The aggregated value back in the task's answer layout."""
    name = primary_question(task)
    if name == "success":
        return {"success": bool(value)}
    return {name or "value": value}
