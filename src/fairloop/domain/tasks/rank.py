"""``rank``: 3 to 9 responses ordered best to worst; ties when the spec allows them."""

from __future__ import annotations

from typing import Any, Literal

from fairloop.domain.tasks.base import TaskBase
from fairloop.domain.tasks.chat import as_object, check_prompt, check_responses, optional_text
from fairloop.errors import InvalidInput

MIN_RESPONSES, MAX_RESPONSES = 3, 9


class RankTask(TaskBase):
    type: Literal["rank"]
    allow_ties: bool = False
    rationale_required: bool = False

    def validate_data(self, data: dict[str, Any], where: str) -> None:
        check_prompt(data, where)
        check_responses(data, where, low=MIN_RESPONSES, high=MAX_RESPONSES)

    def validate_answer(self, answer: Any) -> dict[str, Any]:
        return self.validate_for(answer, shown=None)

    def normalise_gold(self, value: Any) -> dict[str, Any]:
        if isinstance(value, list):
            value = {"order": value}
        return self.validate_answer(value)

    def validate_for(self, answer: Any, *, shown: list[str] | None) -> dict[str, Any]:
        answer = as_object(answer, {"order", "rationale"})
        order = answer.get("order")
        if not isinstance(order, list) or not order:
            raise InvalidInput("answer.order must be a list of response ids", field="answer.order")
        stored: list[str | list[str]] = []
        seen: list[str] = []
        for i, entry in enumerate(order):
            group = entry if isinstance(entry, list) else [entry]
            if isinstance(entry, list) and len(entry) > 1 and not self.allow_ties:
                raise InvalidInput("this project does not allow ties", field=f"answer.order[{i}]")
            if not group or not all(isinstance(r, str) for r in group):
                raise InvalidInput("each place holds a response id", field=f"answer.order[{i}]")
            seen.extend(group)
            stored.append(sorted(group) if len(group) > 1 else group[0])
        if len(set(seen)) != len(seen) or (shown is not None and sorted(seen) != sorted(shown)):
            expected = f" of {', '.join(sorted(shown))}" if shown is not None else ""
            raise InvalidInput(
                f"answer.order must name every response exactly once (a permutation{expected})",
                field="answer.order",
            )
        if shown is None and not MIN_RESPONSES <= len(seen) <= MAX_RESPONSES:
            raise InvalidInput(
                f"answer.order must rank {MIN_RESPONSES} to {MAX_RESPONSES} responses",
                field="answer.order",
            )
        result: dict[str, Any] = {"order": stored}
        if rationale := optional_text(answer, "rationale", required=self.rationale_required):
            result["rationale"] = rationale
        return result
