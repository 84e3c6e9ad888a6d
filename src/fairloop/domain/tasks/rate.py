"""``rate``: one model response rated on the spec's criteria, each a Likert scale."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from fairloop.domain.tasks.base import Strict, TaskBase
from fairloop.domain.tasks.chat import as_object, check_prompt, optional_text, whole_number
from fairloop.errors import InvalidInput

Name = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_\-]+$")]


class Criterion(Strict):
    name: Name
    question: str = ""
    """What the worker is asked ("How helpful is the response?"); the name if empty."""
    min: int = Field(default=1, ge=0, le=10)
    max: int = Field(default=7, ge=1, le=11)
    low_label: str = ""
    high_label: str = ""

    @model_validator(mode="after")
    def _scale(self) -> Criterion:
        if self.max <= self.min:
            raise ValueError("max must be greater than min")
        return self


class RatePairs(Strict):
    """Derive dpo pairs: items with the same prompt, best against worst mean rating."""

    criterion: Name
    min_margin: float = Field(default=1.0, ge=0)


class RateTask(TaskBase):
    type: Literal["rate"]
    criteria: list[Criterion] = Field(min_length=1, max_length=20)
    flags: list[Name] = Field(default_factory=list, max_length=30)
    comment_required: bool = False
    pairs: RatePairs | None = None

    @field_validator("criteria")
    @classmethod
    def _distinct(cls, criteria: list[Criterion]) -> list[Criterion]:
        names = [c.name for c in criteria]
        if dup := next((n for n in names if names.count(n) > 1), None):
            raise ValueError(f"criterion {dup!r} appears twice")
        return criteria

    @model_validator(mode="after")
    def _pairs_criterion(self) -> RateTask:
        if self.pairs and self.pairs.criterion not in {c.name for c in self.criteria}:
            raise ValueError(f"pairs.criterion {self.pairs.criterion!r} is not a criterion")
        return self

    def validate_data(self, data: dict[str, Any], where: str) -> None:
        check_prompt(data, where)
        if not isinstance(data.get("response"), str):
            raise InvalidInput("data.response (text) is required", field=f"{where}data.response")

    def validate_answer(self, answer: Any) -> dict[str, Any]:
        answer = as_object(answer, {"ratings", "flags", "comment"})
        ratings = answer.get("ratings")
        if not isinstance(ratings, dict):
            raise InvalidInput("answer.ratings must be an object", field="answer.ratings")
        known = {c.name: c for c in self.criteria}
        if extra := sorted(set(ratings) - set(known)):
            raise InvalidInput(
                f"{extra[0]!r} is not a criterion of this project",
                field=f"answer.ratings.{extra[0]}",
            )
        stored: dict[str, int] = {}
        for c in self.criteria:
            field = f"answer.ratings.{c.name}"
            if c.name not in ratings:
                raise InvalidInput(f"{field} is required", field=field)
            stored[c.name] = whole_number(ratings[c.name], field, c.min, c.max)
        flags = answer.get("flags") or []
        if not isinstance(flags, list) or any(f not in self.flags for f in flags):
            raise InvalidInput(
                f"flags must be a list from: {', '.join(self.flags) or '(none)'}",
                field="answer.flags",
            )
        comment = optional_text(answer, "comment", required=self.comment_required)
        return {
            "ratings": stored,
            "flags": sorted(set(flags), key=self.flags.index),
            "comment": comment,
        }
