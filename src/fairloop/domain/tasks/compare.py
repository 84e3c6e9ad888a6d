"""``compare``: two responses side by side; the worker picks one (or a tie) and says
how strongly, optionally per criterion, with a rationale the spec can require."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from fairloop.domain.tasks.base import TaskBase
from fairloop.domain.tasks.chat import (
    as_object,
    check_prompt,
    check_responses,
    optional_text,
    whole_number,
)
from fairloop.errors import InvalidInput

TIE = "tie"
Name = Annotated[str, Field(min_length=1, max_length=100)]


class CompareTask(TaskBase):
    type: Literal["compare"]
    strengths: list[Name] = Field(
        default_factory=lambda: ["slightly better", "better", "much better"],
        min_length=1,
        max_length=7,
    )
    """The strength scale, weakest first; an answer's ``strength`` is 1-based on it."""
    allow_tie: bool = True
    criteria: list[Name] = Field(default_factory=list, max_length=10)
    """Optional per-criterion picks (for example honesty, harmlessness)."""
    rationale_required: bool = False
    rationale_min_length: int = Field(default=0, ge=0, le=5_000)

    def validate_data(self, data: dict[str, Any], where: str) -> None:
        check_prompt(data, where)
        check_responses(data, where, low=2, high=2)

    def validate_answer(self, answer: Any) -> dict[str, Any]:
        return self.validate_for(answer, shown=None)

    def normalise_gold(self, value: Any) -> dict[str, Any]:
        if isinstance(value, str):
            value = {"preferred": value, "strength": None if value == TIE else 1}
        return self.validate_answer(value)

    def _pick(self, value: Any, field: str, shown: list[str] | None) -> str:
        choices = [*(shown or []), *([TIE] if self.allow_tie else [])]
        if not isinstance(value, str) or not value:
            raise InvalidInput(f"{field} is required: a response id or 'tie'", field=field)
        if value == TIE and not self.allow_tie:
            raise InvalidInput("this project does not allow ties", field=field)
        if shown is not None and value not in choices:
            raise InvalidInput(f"{value!r} is not one of: {', '.join(choices)}", field=field)
        return value

    def validate_for(self, answer: Any, *, shown: list[str] | None) -> dict[str, Any]:
        answer = as_object(answer, {"preferred", "strength", "criteria", "rationale"})
        preferred = self._pick(answer.get("preferred"), "answer.preferred", shown)
        strength = answer.get("strength")
        if preferred == TIE:
            if strength not in (None, 0):
                raise InvalidInput("a tie has no strength", field="answer.strength")
            strength = None
        else:
            strength = whole_number(strength, "answer.strength", 1, len(self.strengths))
        picks = answer.get("criteria") or {}
        if not isinstance(picks, dict):
            raise InvalidInput("answer.criteria must be an object", field="answer.criteria")
        if extra := sorted(set(picks) - set(self.criteria)):
            raise InvalidInput(
                f"{extra[0]!r} is not a criterion of this project",
                field=f"answer.criteria.{extra[0]}",
            )
        criteria = {
            c: self._pick(picks[c], f"answer.criteria.{c}", shown)
            for c in self.criteria
            if c in picks
        }
        rationale = optional_text(
            answer,
            "rationale",
            required=self.rationale_required,
            min_length=self.rationale_min_length,
        )
        return {
            "preferred": preferred,
            "strength": strength,
            "criteria": criteria,
            "rationale": rationale,
        }
