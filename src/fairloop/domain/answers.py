"""Whether an answer fits its task, in the layouts of INTERFACE.md."""

from __future__ import annotations

from typing import Any

from fairloop.domain.specs import LabelTask
from fairloop.errors import InvalidInput


def validate_answer(answer: Any, task: LabelTask) -> dict[str, Any]:
    """Return the answer as stored, or raise InvalidInput naming the bad field."""
    if not isinstance(answer, dict):
        raise InvalidInput("answer must be a JSON object", field="answer")
    key = "labels" if task.multiple else "label"
    if extra := sorted(set(answer) - {key}):
        raise InvalidInput(f"unknown answer field {extra[0]!r}", field=f"answer.{extra[0]}")
    if key not in answer:
        raise InvalidInput(f"answer.{key} is required", field=f"answer.{key}")
    chosen = answer[key] if task.multiple else [answer[key]]
    if not isinstance(chosen, list) or (task.multiple and not chosen):
        raise InvalidInput("answer.labels must be a non-empty list", field="answer.labels")
    for label in chosen:
        if not isinstance(label, str) or label not in task.labels:
            raise InvalidInput(
                f"{label!r} is not one of the project's labels: {', '.join(task.labels)}",
                field=f"answer.{key}",
            )
    if task.multiple:
        return {"labels": sorted(set(chosen), key=task.labels.index)}
    return {"label": chosen[0]}


def normalise_gold(value: Any, task: LabelTask) -> dict[str, Any]:
    """A gold answer may be given bare ("toxic") or in the answer layout."""
    if isinstance(value, str):
        value = {"labels": [value]} if task.multiple else {"label": value}
    elif isinstance(value, list):
        value = {"labels": value}
    return validate_answer(value, task)


def answer_key(answer: dict[str, Any]) -> str:
    """A hashable form of an answer, for counting votes."""
    if "labels" in answer:
        return "|".join(answer["labels"])
    return str(answer.get("label"))
