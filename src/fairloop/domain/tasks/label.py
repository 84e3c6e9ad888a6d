"""``label``: pick one label (or several) for an item."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from fairloop.domain.tasks.base import TaskBase
from fairloop.errors import InvalidInput


class LabelTask(TaskBase):
    type: Literal["label"]
    labels: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(min_length=2)
    multiple: bool = False

    @field_validator("labels")
    @classmethod
    def _distinct(cls, labels: list[str]) -> list[str]:
        seen: set[str] = set()
        for label in labels:
            if label in seen:
                raise ValueError(f"label {label!r} appears twice")
            seen.add(label)
        return labels

    def validate_answer(self, answer: Any) -> dict[str, Any]:
        if not isinstance(answer, dict):
            raise InvalidInput("answer must be a JSON object", field="answer")
        key = "labels" if self.multiple else "label"
        if extra := sorted(set(answer) - {key}):
            raise InvalidInput(f"unknown answer field {extra[0]!r}", field=f"answer.{extra[0]}")
        if key not in answer:
            raise InvalidInput(f"answer.{key} is required", field=f"answer.{key}")
        chosen = answer[key] if self.multiple else [answer[key]]
        if not isinstance(chosen, list) or (self.multiple and not chosen):
            raise InvalidInput("answer.labels must be a non-empty list", field="answer.labels")
        for label in chosen:
            if not isinstance(label, str) or label not in self.labels:
                raise InvalidInput(
                    f"{label!r} is not one of the project's labels: {', '.join(self.labels)}",
                    field=f"answer.{key}",
                )
        if self.multiple:
            return {"labels": sorted(set(chosen), key=self.labels.index)}
        return {"label": chosen[0]}

    def normalise_gold(self, value: Any) -> dict[str, Any]:
        """A gold answer may be given bare ("toxic") or in the answer layout."""
        if isinstance(value, str):
            value = {"labels": [value]} if self.multiple else {"label": value}
        elif isinstance(value, list):
            value = {"labels": value}
        return self.validate_answer(value)
