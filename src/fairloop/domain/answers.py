"""Whether an answer fits its task, in the layouts of INTERFACE.md."""

from __future__ import annotations

from typing import Any

from fairloop.domain.tasks.base import TaskBase


def validate_answer(
    answer: Any, task: TaskBase, *, shown: list[str] | None = None
) -> dict[str, Any]:
    """Return the answer as stored, or raise InvalidInput naming the bad field.
    ``shown`` is the assignment's order shown, naming the item's responses."""
    return task.validate_for(answer, shown=shown)


def normalise_gold(value: Any, task: TaskBase) -> dict[str, Any]:
    return task.normalise_gold(value)


def answer_key(answer: dict[str, Any]) -> str:
    """A hashable form of an answer, for counting votes."""
    if "labels" in answer:
        return "|".join(answer["labels"])
    return str(answer.get("label"))
